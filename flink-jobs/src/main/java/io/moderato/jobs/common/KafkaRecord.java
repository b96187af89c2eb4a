package io.moderato.jobs.common;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record exactly as read: coordinates plus raw key and value bytes. Sources emit these and
 * decoding happens in the job graph, so a record that cannot be decoded is dead-lettered with its
 * coordinates instead of failing the source. A Flink POJO (public fields, no-arg constructor).
 */
public class KafkaRecord {

    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public KafkaRecord() {}

    public KafkaRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaRecord r
                && partition == r.partition
                && offset == r.offset
                && timestamp == r.timestamp
                && Objects.equals(topic, r.topic)
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
