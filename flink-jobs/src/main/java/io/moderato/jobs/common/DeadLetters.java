package io.moderato.jobs.common;

import io.moderato.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;

/** The dead-letter side output shared by every decoder of a job, and how its records are built. */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /**
     * Raw bytes kept per dead letter. A record near the broker's message limit would, with the error
     * and coordinates added, exceed it and fail the exactly-once sink — a restart loop on one record.
     */
    public static final int MAX_KEPT_BYTES = 512 * 1024;

    private DeadLetters() {}

    public static DeadLetter of(KafkaRecord record, String job, String error, String errorClass) {
        boolean truncated = record.value != null && record.value.length > MAX_KEPT_BYTES;
        return DeadLetter.newBuilder()
                .setSourceTopic(record.topic == null ? "" : record.topic)
                .setPartition(record.partition)
                .setOffset(record.offset)
                .setKey(keep(record.key))
                .setValue(keep(record.value))
                .setError(truncated ? error + " (value truncated to " + MAX_KEPT_BYTES + " of " + record.value.length
                        + " bytes; the full record stays at its source offset)" : error)
                .setErrorClass(errorClass)
                .setTimestampMillis(record.timestamp)
                .setJob(job)
                .build();
    }

    private static ByteBuffer keep(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_KEPT_BYTES)).slice();
    }
}
