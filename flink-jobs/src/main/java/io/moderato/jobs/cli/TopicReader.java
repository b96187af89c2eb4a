package io.moderato.jobs.cli;

import io.moderato.jobs.serde.RegistryAvroDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic as it is now — from the beginning to the end offsets seen at the start,
 * {@code read_committed} — decoding each value through the schema registry. For CLIs: a broker or
 * registry that does not answer is one {@link Unreachable} naming it, never a stack trace or a hang.
 */
public final class TopicReader {

    /** One decoded record with its coordinates; records that do not decode are counted, not returned. */
    public record Entry<T>(T value, String key, int partition, long offset, long timestampMillis) {}

    /** What the CLI prints in one line: which broker, registry or topic did not answer. */
    public static final class Unreachable extends RuntimeException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private TopicReader() {}

    /** Consumer settings for a CLI: bounded waits so an unreachable broker fails fast. */
    public static Properties consumerProperties(String bootstrap, String client) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, client + "-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put("socket.connection.setup.timeout.max.ms", "5000");
        return props;
    }

    /**
     * A consumer assigned every partition of {@code topics} and positioned at their current end: it sees
     * what is written from now on (the local stack's reviewers and status board).
     */
    public static KafkaConsumer<byte[], byte[]> consumerAtEnd(String bootstrap, String client, List<String> topics) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                consumerProperties(bootstrap, client), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** Every record of {@code topic} up to its current end, in (partition, offset) order, decoded as {@code type}. */
    public static <T extends SpecificRecordBase> List<Entry<T>> readAll(
            String bootstrap, String registry, String topic, Class<T> type, Duration timeout) {
        RegistryAvroDeserializer<T> deserializer = RegistryAvroDeserializer.of(type, registry);
        List<Entry<T>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                consumerProperties(bootstrap, "moderato-cli"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions;
            try {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    throw new Unreachable("topic " + topic + " does not exist on " + bootstrap, null);
                }
                partitions = infos.stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
            } catch (KafkaException e) {
                throw new Unreachable(
                        "Kafka at " + bootstrap + " is unreachable ("
                                + e.getClass().getSimpleName() + ")",
                        e);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new Unreachable(
                            "could not read " + topic + " to its end within " + timeout.toSeconds() + " s", null);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        var result = deserializer.decode(r.value());
                        if (result.isOk()) {
                            String key = r.key() == null
                                    ? null
                                    : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                            out.add(new Entry<>(result.record(), key, r.partition(), r.offset(), r.timestamp()));
                        }
                    } catch (IOException e) {
                        throw new Unreachable(
                                "schema registry at " + registry + " is unreachable (" + e.getMessage() + ")", e);
                    }
                }
            }
        } catch (KafkaException e) {
            throw new Unreachable("Kafka at " + bootstrap + " is unreachable (" + e.getMessage() + ")", e);
        }
        out.sort(Comparator.comparingLong((Entry<T> e) -> e.timestampMillis())
                .thenComparingInt(Entry::partition)
                .thenComparingLong(Entry::offset));
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
