package io.moderato.jobs.common;

import io.moderato.jobs.serde.RegistryAvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;

/**
 * Builds the production Kafka I/O of a job: sources that emit raw {@link KafkaRecord}s (decoding
 * happens in the graph, so bad bytes are dead-lettered) and exactly-once sinks that write
 * Confluent-framed Avro through the schema registry, each sink with its own transactional id prefix.
 *
 * @param boundedToLatest stop each source at the offsets that are latest when the job starts
 *                        (replays, tests and benchmarks); production runs unbounded
 */
public record KafkaIo(String bootstrapServers, String registryUrl, String jobName, boolean boundedToLatest,
                      long transactionTimeoutMillis) implements Serializable {

    public KafkaIo {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(jobName, "jobName");
    }

    /** Reads {@code topic} from the committed group offsets, or the earliest offset for a new group. */
    public KafkaSource<KafkaRecord> source(String topic) {
        var builder = KafkaSource.<KafkaRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(jobName + "." + topic)
                .setClientIdPrefix(jobName + "." + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaRecordSchema())
                // only read what upstream transactions committed
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
        if (boundedToLatest) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** Exactly-once sink of {@code type} to {@code topic}, keyed by {@code key} (null key: round robin). */
    public <T extends SpecificRecord> KafkaSink<T> sink(String topic, Class<T> type, KeySelector<T> key) {
        return sink(topic, type, key, null);
    }

    /**
     * As {@link #sink(String, Class, KeySelector)}; {@code writer} names a second sink writing the same
     * topic (transactional ids must differ between sinks), null for the first.
     */
    public <T extends SpecificRecord> KafkaSink<T> sink(String topic, Class<T> type, KeySelector<T> key, String writer) {
        var serializer = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setValueSerializationSchema(RegistryAvroSerializer.forTopic(type, registryUrl, topic));
        if (key != null) {
            serializer.setKeySerializationSchema((SerializationSchema<T>) record -> {
                String k = key.key(record);
                return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
            });
        }
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", Long.toString(transactionTimeoutMillis));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer.build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // every prefix ends in a writer name so no sink's prefix is a prefix of another's: on
                // start-up a sink aborts lingering transactions by prefix and would fence its sibling
                .setTransactionalIdPrefix(jobName + "." + topic + "." + (writer == null ? "main" : writer))
                .setKafkaProducerConfig(producer)
                .build();
    }

    /** The Kafka key of a record. */
    @FunctionalInterface
    public interface KeySelector<T> extends Serializable {
        String key(T record);
    }
}
