package io.moderato.jobs.common;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records outside a job (CLIs, test fixtures) and returns only when the broker acknowledged
 * every one. A plain {@code send} + {@code flush} reports nothing: a batch the broker refused is
 * lost without a word, and the caller goes on as if it had been written.
 */
public final class AcknowledgedWrites {

    private AcknowledgedWrites() {}

    /**
     * Writes {@code values} to {@code topic} under {@code keys} (UTF-8, null allowed), idempotently with
     * acks=all; throws an {@link IllegalStateException} naming ({@code describe.apply(index)}) the first
     * record that was not acknowledged within a minute.
     */
    public static void write(
            String bootstrapServers,
            String topic,
            List<String> keys,
            List<byte[]> values,
            IntFunction<String> describe) {
        write(bootstrapServers, topic, keys, values, describe, Map.of());
    }

    /** As above, with extra producer settings (e.g. a larger {@code max.request.size}). */
    public static void write(
            String bootstrapServers,
            String topic,
            List<String> keys,
            List<byte[]> values,
            IntFunction<String> describe,
            Map<String, String> producerSettings) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        props.putAll(producerSettings);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                String key = keys.get(i);
                sends.add(producer.send(new ProducerRecord<>(
                        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), values.get(i))));
            }
            producer.flush();
            for (int i = 0; i < sends.size(); i++) {
                try {
                    sends.get(i).get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(describe.apply(i) + " was not written to " + topic, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted before " + describe.apply(i) + " was acknowledged", e);
                }
            }
        }
    }
}
