package io.moderato.jobs.bench;

import io.moderato.jobs.common.KafkaRecord;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Turns the index a {@code DataGeneratorSource} hands out into one pre-encoded Kafka record, as a
 * Kafka source would emit it (topic, partition, offset, timestamp, key, Confluent-framed value).
 *
 * <p>The source splits [0, count) into one contiguous range per subtask; indices are spread over
 * items so the subtasks advance through event time side by side, as two Kafka partitions would
 * (subtask s of p emits items s, s + p, s + 2p, ...), keeping the watermark close to both.
 * When a {@link RunTiming} is given, the emission time of each content item is recorded here,
 * i.e. in the source reader, right before the record enters the chained decoder.
 */
final class ReplayFunction implements GeneratorFunction<Long, KafkaRecord> {

    private static final long serialVersionUID = 1L;

    private final String inputsId;
    private final long count;
    private final int parallelism;
    private final String timingId;

    private transient BenchmarkInputs.Encoded inputs;
    private transient RunTiming timing;

    /**
     * @param count       records the source emits (a multiple of parallelism; at most the encoded items)
     * @param parallelism the source's parallelism (how [0, count) is split)
     * @param timingId    run whose emission times to record, or null
     */
    ReplayFunction(String inputsId, long count, int parallelism, String timingId) {
        if (count % parallelism != 0) {
            throw new IllegalArgumentException(
                    "count " + count + " must be a multiple of the parallelism " + parallelism);
        }
        this.inputsId = inputsId;
        this.count = count;
        this.parallelism = parallelism;
        this.timingId = timingId;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        inputs = BenchmarkInputs.get(inputsId);
        if (count > inputs.size()) {
            throw new IllegalArgumentException(
                    "asked to replay " + count + " records but only " + inputs.size() + " are encoded");
        }
        timing = timingId == null ? null : RunTiming.get(timingId);
    }

    /** Index i of range s (ranges of count/p) → item s + p·(i − s·count/p). */
    static int item(long index, long count, int parallelism) {
        long perSubtask = count / parallelism;
        long subtask = index / perSubtask;
        return (int) (subtask + parallelism * (index - subtask * perSubtask));
    }

    @Override
    public KafkaRecord map(Long index) {
        int item = item(index, count, parallelism);
        if (timing != null) {
            timing.emitted(item, System.nanoTime());
        }
        return new KafkaRecord(
                inputs.topic(),
                (int) (index * parallelism / count),
                item,
                System.currentTimeMillis(),
                inputs.keys()[item],
                inputs.values()[item]);
    }
}
