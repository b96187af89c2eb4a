package io.moderato.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.DeadLetter;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void shouldKeepSmallRecordsWholeWithTheirCoordinates() {
        KafkaRecord record = new KafkaRecord("content.events", 1, 42L, 7L, "k".getBytes(), new byte[] {1, 2, 3});
        DeadLetter letter = DeadLetters.of(record, "detection", "bad magic byte", "UNKNOWN_MAGIC_BYTE");
        assertThat(letter.getSourceTopic()).isEqualTo("content.events");
        assertThat(letter.getPartition()).isEqualTo(1);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getTimestampMillis()).isEqualTo(7L);
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(letter.getError()).isEqualTo("bad magic byte");
    }

    @Test
    void shouldTruncateOversizedValuesSoTheDeadLetterItselfFitsTheBroker() {
        byte[] huge = new byte[DeadLetters.MAX_KEPT_BYTES * 2 + 5];
        huge[0] = 9;
        DeadLetter letter = DeadLetters.of(new KafkaRecord("t", 0, 1L, 1L, null, huge), "detection", "too big", "X");
        assertThat(letter.getValue().remaining()).isEqualTo(DeadLetters.MAX_KEPT_BYTES);
        assertThat(letter.getValue().get(0)).isEqualTo((byte) 9);
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getError()).contains("truncated", String.valueOf(huge.length));
    }

    @Test
    void shouldKeepAHugeKeyAndAHugeValueTogetherUnderTheBrokerLimit() throws Exception {
        byte[] key = new byte[700 * 1024];
        byte[] value = new byte[900 * 1024];
        String error = "x".repeat(2 * 1024 * 1024);
        DeadLetter letter = DeadLetters.of(new KafkaRecord("t", 0, 1L, 1L, key, value), "detection", error, "X");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(DeadLetter.class).write(letter, encoder);
        encoder.flush();
        // the whole Avro record (plus the 5-byte header and Kafka's overhead) fits the 1 MiB default with room to spare
        assertThat(bytes.size()).isLessThan(DeadLetters.MAX_KEPT_BYTES + 2 * DeadLetters.MAX_ERROR_CHARS + 4096);
        assertThat(letter.getKey().remaining() + letter.getValue().remaining()).isEqualTo(DeadLetters.MAX_KEPT_BYTES);
        assertThat(letter.getError()).contains("key truncated", "value truncated");
    }

    @Test
    void shouldKeepTombstonesAsNullValues() {
        DeadLetter letter = DeadLetters.of(new KafkaRecord("t", 0, 1L, 1L, null, null), "detection", "tombstone", "T");
        assertThat(letter.getValue()).isNull();
    }
}
