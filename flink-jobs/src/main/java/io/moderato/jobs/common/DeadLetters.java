package io.moderato.jobs.common;

import io.moderato.schemas.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output shared by every decoder of a job, and how its records are built. */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /**
     * Raw bytes kept per dead letter, key and value together. A record near the broker's message limit
     * would, with the error and coordinates added, exceed it and fail the exactly-once sink — a restart
     * loop on one record. The key is kept first (up to half), the value gets the rest.
     */
    public static final int MAX_KEPT_BYTES = 512 * 1024;
    /** Longest error text kept; the error of a bad record may quote parts of it. */
    public static final int MAX_ERROR_CHARS = 8 * 1024;

    private DeadLetters() {}

    public static DeadLetter of(KafkaRecord record, String job, String error, String errorClass) {
        int keyLength = record.key == null ? 0 : record.key.length;
        int keptKey = Math.min(keyLength, MAX_KEPT_BYTES / 2);
        int valueLength = record.value == null ? 0 : record.value.length;
        int keptValue = Math.min(valueLength, MAX_KEPT_BYTES - keptKey);
        String text = truncate(error == null ? "" : error, MAX_ERROR_CHARS);
        if (keptValue < valueLength) {
            text += " (value truncated to " + keptValue + " of " + valueLength
                    + " bytes; the full record stays at its source offset)";
        }
        if (keptKey < keyLength) {
            text += " (key truncated to " + keptKey + " of " + keyLength + " bytes)";
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(record.topic == null ? "" : truncate(record.topic, 256))
                .setPartition(record.partition)
                .setOffset(record.offset)
                .setKey(keep(record.key, keptKey))
                .setValue(keep(record.value, keptValue))
                .setError(text)
                .setErrorClass(truncate(errorClass == null ? "" : errorClass, 256))
                .setTimestampMillis(record.timestamp)
                .setJob(job)
                .build();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "… (" + s.length() + " characters)";
    }

    private static ByteBuffer keep(byte[] bytes, int length) {
        return bytes == null ? null : ByteBuffer.wrap(bytes, 0, length).slice();
    }
}
