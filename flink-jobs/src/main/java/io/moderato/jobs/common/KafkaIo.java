package io.moderato.jobs.common;

import io.moderato.jobs.serde.RegistryAvroSerializer;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds the production Kafka I/O of a job: sources that emit raw {@link KafkaRecord}s (decoding
 * happens in the graph, so bad bytes are dead-lettered) and exactly-once sinks that write
 * Confluent-framed Avro through the schema registry, each sink with its own transactional id prefix.
 *
 *
 * <p>Output records carry the processing time at which they are written as their Kafka timestamp,
 * never the element's event time: the broker refuses a timestamp more than
 * {@code log.message.timestamp.after.max.ms} (1 h by default in Kafka 4) in the future, and deletes
 * a record whose timestamp is older than the topic's retention at the next check. Event times stay
 * in the records' own fields.
 *
 * @param boundedToLatest stop each source at the offsets that are latest when the job starts
 *                        (replays, tests and benchmarks); production runs unbounded
 * @param maxRequestBytes producer {@code max.request.size} of every sink, set explicitly (must not
 *                        exceed the broker's {@code message.max.bytes})
 */
public record KafkaIo(
        String bootstrapServers,
        String registryUrl,
        String jobName,
        boolean boundedToLatest,
        long transactionTimeoutMillis,
        int maxRequestBytes)
        implements Serializable {

    /** Kafka's default {@code max.request.size} and (about) the broker's default {@code message.max.bytes}. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
    /** {@code linger.ms} of the at-least-once sinks: a few records share a request, none waits long. */
    public static final long AT_LEAST_ONCE_LINGER_MILLIS = 2;

    public KafkaIo {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(jobName, "jobName");
    }

    public KafkaIo(
            String bootstrapServers,
            String registryUrl,
            String jobName,
            boolean boundedToLatest,
            long transactionTimeoutMillis) {
        this(
                bootstrapServers,
                registryUrl,
                jobName,
                boundedToLatest,
                transactionTimeoutMillis,
                DEFAULT_MAX_REQUEST_BYTES);
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
    public <T extends SpecificRecord> KafkaSink<T> sink(
            String topic, Class<T> type, KeySelector<T> key, String writer) {
        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeoutMillis));
        producer.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(
                        new StampedAtWrite<>(topic, RegistryAvroSerializer.forTopic(type, registryUrl, topic), key))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // every prefix ends in a writer name so no sink's prefix is a prefix of another's: on
                // start-up a sink aborts lingering transactions by prefix and would fence its sibling
                .setTransactionalIdPrefix(jobName + "." + topic + "." + (writer == null ? "main" : writer))
                .setKafkaProducerConfig(producer)
                .build();
    }

    /**
     * At-least-once sink of {@code type} to {@code topic}, keyed by {@code key}: records are sent as they
     * come, not held in a transaction until the next checkpoint, so a {@code read_committed} reader sees
     * them within milliseconds. Only for records whose replay is harmless (same key, same value): after a
     * failover what was sent since the last checkpoint is sent again. Idempotent producer and
     * {@code acks=all}, so a retried send never duplicates and an acknowledged one survives a broker loss;
     * the writer waits for every acknowledgement at each checkpoint.
     */
    public <T extends SpecificRecord> KafkaSink<T> atLeastOnceSink(String topic, Class<T> type, KeySelector<T> key) {
        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes));
        producer.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        producer.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.setProperty(ProducerConfig.LINGER_MS_CONFIG, Long.toString(AT_LEAST_ONCE_LINGER_MILLIS));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(
                        new StampedAtWrite<>(topic, RegistryAvroSerializer.forTopic(type, registryUrl, topic), key))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(producer)
                .build();
    }

    /**
     * Serializes to {@code topic} with no timestamp of its own, so the producer stamps the write time
     * (see the class doc), and with the record's key as UTF-8 (none: the default partitioner spreads them).
     */
    static final class StampedAtWrite<T> implements KafkaRecordSerializationSchema<T> {
        private final String topic;
        private final SerializationSchema<T> value;
        private final KeySelector<T> key;

        StampedAtWrite(String topic, SerializationSchema<T> value, KeySelector<T> key) {
            this.topic = Objects.requireNonNull(topic, "topic");
            this.value = Objects.requireNonNull(value, "value");
            this.key = key;
        }

        @Override
        public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
                throws Exception {
            value.open(context);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long elementTimestamp) {
            String k = key == null ? null : key.key(element);
            return new ProducerRecord<>(
                    topic, null, null, k == null ? null : k.getBytes(StandardCharsets.UTF_8), value.serialize(element));
        }
    }

    /** The Kafka key of a record. */
    @FunctionalInterface
    public interface KeySelector<T> extends Serializable {
        String key(T record);
    }
}
