package io.moderato.jobs.local;

import io.moderato.jobs.serde.RegistryAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An idempotent producer of Confluent-framed Avro (one serializer per topic, registered under
 * {@code <topic>-value}), as upstream systems and review tooling write to Moderato's input topics.
 * A failed send is kept and rethrown by the next {@link #send} or {@link #flush}, so no loss is silent.
 */
final class AvroProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String registry;
    private final Map<String, RegistryAvroSerializer<?>> serializers = new HashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    AvroProducer(String bootstrap, String registry, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.registry = registry;
    }

    /**
     * Registers {@code type}'s schema under {@code topic}'s subject and fetches the topic's metadata now,
     * so the first {@link #send} does not stall the traffic's pacing.
     */
    synchronized <T extends SpecificRecord> void prepare(String topic, Class<T> type) throws java.io.IOException {
        RegistryAvroSerializer<T> serializer = RegistryAvroSerializer.forTopic(type, registry, topic);
        serializer.open(null);
        serializer.writerSchemaId();
        serializers.put(topic, serializer);
        producer.partitionsFor(topic);
    }

    @SuppressWarnings("unchecked")
    synchronized <T extends SpecificRecord> void send(String topic, String key, T record) {
        rethrow();
        RegistryAvroSerializer<T> serializer = (RegistryAvroSerializer<T>) serializers.computeIfAbsent(topic, t -> {
            RegistryAvroSerializer<T> s = RegistryAvroSerializer.forTopic((Class<T>) record.getClass(), registry, t);
            s.open(null);
            return s;
        });
        producer.send(
                new ProducerRecord<>(
                        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), serializer.serialize(record)),
                (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    void flush() {
        producer.flush();
        rethrow();
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("a write to Kafka failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
