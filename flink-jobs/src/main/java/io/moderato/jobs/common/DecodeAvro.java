package io.moderato.jobs.common;

import io.moderato.jobs.serde.DecodeResult;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes Confluent-framed Avro into SpecificRecords. Never throws on bad input: undecodable bytes,
 * an unknown schema id, a tombstone or a record failing its {@link RecordCheck} go to
 * {@link DeadLetters#TAG} with topic, partition, offset and the error, and the job keeps running.
 * An unreachable registry does throw: that is an outage to restart from, not a bad record.
 */
public final class DecodeAvro<T extends SpecificRecord> extends ProcessFunction<KafkaRecord, T> {

    private final RegistryAvroDeserializer<T> deserializer;
    private final RecordCheck<T> check;
    private final String job;
    private transient Counter decoded;
    private transient Counter deadLettered;

    public DecodeAvro(RegistryAvroDeserializer<T> deserializer, RecordCheck<T> check, String job) {
        this.deserializer = deserializer;
        this.check = check;
        this.job = job;
    }

    @Override
    public void open(OpenContext openContext) {
        deserializer.open();
        decoded = getRuntimeContext().getMetricGroup().counter("recordsDecoded");
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(KafkaRecord record, Context ctx, Collector<T> out) throws Exception {
        if (record.value == null) {
            deadLetter(record, ctx, "tombstone: the record has no value", "Tombstone");
            return;
        }
        DecodeResult<T> result = deserializer.decode(record.value);
        if (!result.isOk()) {
            deadLetter(record, ctx, result.error(), String.valueOf(result.failure()));
            return;
        }
        String problem;
        try {
            problem = check.problem(result.record(), ctx.timerService().currentProcessingTime());
        } catch (RuntimeException e) {
            problem = "check failed: " + e;
        }
        if (problem != null) {
            deadLetter(record, ctx, problem, "InvalidRecord");
            return;
        }
        decoded.inc();
        out.collect(result.record());
    }

    private void deadLetter(KafkaRecord record, Context ctx, String error, String errorClass) {
        deadLettered.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(record, job, error, errorClass));
    }
}
