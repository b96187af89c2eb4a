package io.moderato.jobs.testing;

import io.moderato.jobs.common.AcknowledgedWrites;
import io.moderato.jobs.local.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The {@link LocalKafka} broker inside the test JVM, with helpers to create topics, produce raw
 * bytes and read what committed transactions wrote.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Largest record a test may write: hostile-input tests send records far above Kafka's 1 MiB default. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    /**
     * Test topics keep everything (fixture event times are fixed dates, and a record's age must never
     * decide whether a slow test still finds it) and accept records up to {@link #MAX_RECORD_BYTES}.
     */
    private static final Map<String, String> TOPIC_SETTINGS =
            Map.of("retention.ms", "-1", "max.message.bytes", Integer.toString(MAX_RECORD_BYTES));

    private final LocalKafka broker;

    private EmbeddedKafka(LocalKafka broker) {
        this.broker = broker;
    }

    public static EmbeddedKafka start() throws Exception {
        return new EmbeddedKafka(LocalKafka.start());
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public void createTopics(int partitions, String... topics) throws Exception {
        LocalKafka.createTopics(bootstrapServers(), partitions, List.of(topics), List.of(), TOPIC_SETTINGS);
    }

    /**
     * Produces {@code values} to {@code topic} (keys as UTF-8, null allowed); returns when every
     * record is acknowledged and fails if any was not, so a test never runs on partial input.
     */
    public void produce(String topic, List<String> keys, List<byte[]> values) {
        AcknowledgedWrites.write(
                bootstrapServers(),
                topic,
                keys,
                values,
                i -> "record " + i + " of " + values.size(),
                Map.of("max.request.size", Integer.toString(MAX_RECORD_BYTES)));
    }

    /**
     * Reads {@code topic} from the start with {@code isolation.level=read_committed} until
     * {@code expected} records arrived (then drains briefly to catch extras) or {@code timeout}.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            int quietPolls = 0;
            while (System.nanoTime() < deadline && (records.size() < expected || quietPolls < 2)) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                quietPolls = records.size() >= expected && records.size() == before ? quietPolls + 1 : 0;
            }
        }
        return records;
    }

    /**
     * Waits until consumer group {@code group} has committed, for every partition of {@code topic}, the
     * end offset of that partition: a Flink KafkaSource commits on checkpoint completion, so the job
     * has then processed (and checkpointed) everything in the topic.
     */
    public void awaitConsumed(String group, String topic, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, Long> committed = new HashMap<>();
            while (true) {
                committed.clear();
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .forEach((tp, om) -> committed.put(tp, om == null ? -1 : om.offset()));
                if (ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), -1L) >= e.getValue())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group " + group + " has committed " + committed + " of " + topic
                            + ", not the end offsets " + ends + " after " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }

    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public static byte[] copy(byte[] bytes) {
        return bytes == null ? null : Arrays.copyOf(bytes, bytes.length);
    }
}
