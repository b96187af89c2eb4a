package io.moderato.jobs.common;

import io.moderato.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;

/** The dead-letter side output shared by every decoder of a job, and how its records are built. */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private DeadLetters() {}

    public static DeadLetter of(KafkaRecord record, String job, String error, String errorClass) {
        return DeadLetter.newBuilder()
                .setSourceTopic(record.topic == null ? "" : record.topic)
                .setPartition(record.partition)
                .setOffset(record.offset)
                .setKey(record.key == null ? null : ByteBuffer.wrap(record.key))
                .setValue(record.value == null ? null : ByteBuffer.wrap(record.value))
                .setError(error)
                .setErrorClass(errorClass)
                .setTimestampMillis(record.timestamp)
                .setJob(job)
                .build();
    }
}
