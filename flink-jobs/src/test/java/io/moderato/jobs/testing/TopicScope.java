package io.moderato.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The topics and registry scope of one job run on an {@link EmbeddedKafka}: every topic name gets
 * the run's own prefix and every schema its own {@code mock://} registry, so test methods sharing a
 * broker never see each other's data. Records go in and come out as Confluent-framed Avro.
 */
public record TopicScope(EmbeddedKafka kafka, String prefix, String registry) {

    /** How long {@link #read} waits for the expected records. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** A fresh scope named {@code name} plus a random id. */
    public static TopicScope create(EmbeddedKafka kafka, String name) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        return new TopicScope(kafka, name + id + ".", "mock://" + name + "-" + id);
    }

    public String topic(String name) {
        return prefix + name;
    }

    /** Creates the scoped topics, with {@code partitions} partitions each. */
    public void createTopics(int partitions, String... names) throws Exception {
        String[] topics = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            topics[i] = topic(names[i]);
        }
        kafka.createTopics(partitions, topics);
    }

    /** Confluent-framed Avro of {@code records}, registered under the scoped topic's subject. */
    public <T extends SpecificRecordBase> List<byte[]> encode(String topic, Class<T> type, List<T> records) {
        RegistryAvroSerializer<T> serializer = RegistryAvroSerializer.forTopic(type, registry, topic(topic));
        serializer.open(null);
        List<byte[]> values = new ArrayList<>();
        for (T record : records) {
            values.add(serializer.serialize(record));
        }
        return values;
    }

    public <T extends SpecificRecordBase> void produce(
            String topic, Class<T> type, List<T> records, Function<T, String> key) {
        kafka.produce(topic(topic), records.stream().map(key).toList(), encode(topic, type, records));
    }

    /** What committed transactions wrote to the scoped topic, decoded; every record must decode. */
    public <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type, int expected) throws Exception {
        return readCommitted(topic, type, expected).stream()
                .map(Committed::value)
                .toList();
    }

    /** As {@link #read}, with each record's partition, offset and key (in partition, then offset order). */
    public <T extends SpecificRecordBase> List<Committed<T>> readCommitted(String topic, Class<T> type, int expected)
            throws Exception {
        RegistryAvroDeserializer<T> deserializer = RegistryAvroDeserializer.of(type, registry);
        List<Committed<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic(topic), expected, READ_TIMEOUT)) {
            var result = deserializer.decode(r.value());
            assertThat(result.isOk())
                    .as("output on %s decodes: %s", topic, result.isOk() ? "" : result.error())
                    .isTrue();
            out.add(new Committed<>(r.partition(), r.offset(), EmbeddedKafka.text(r.key()), result.record()));
        }
        out.sort(Comparator.comparingInt((Committed<T> c) -> c.partition()).thenComparingLong(Committed::offset));
        return out;
    }
}
