package io.moderato.jobs.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.registry.SchemaRegistry;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Transcript;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Strings whose bytes are not valid UTF-8 are refused with the field named, never repaired: Java's
 * decoder turns every malformed sequence into U+FFFD, which made two different invalid user ids one
 * user (issue 7, defect 8).
 */
class InvalidUtf8Test {

    private String scope;
    private RegistryAvroSerializer<ContentEvent> serializer;
    private RegistryAvroDeserializer<ContentEvent> deserializer;

    @BeforeEach
    void setUp() {
        scope = "utf8-" + UUID.randomUUID();
        serializer = RegistryAvroSerializer.forTopic(ContentEvent.class, "mock://" + scope, "content.events");
        serializer.open(null);
        deserializer = RegistryAvroDeserializer.of(ContentEvent.class, "mock://" + scope);
    }

    @AfterEach
    void dropScope() {
        SchemaRegistry.dropMockScope(scope);
    }

    private static ContentEvent event(String userId, String transcript) {
        return ContentEvent.newBuilder()
                .setContentId("c1")
                .setUserId(userId)
                .setSurface("comment")
                .setLocale("en")
                .setEventTimeMillis(1L)
                .setText("hello")
                .setTranscript(transcript == null ? null : new Transcript(transcript, "asr", "1"))
                .build();
    }

    /** The frame of {@code event} with the UTF-8 bytes of {@code placeholder} replaced by {@code raw} (same length). */
    private byte[] withRawBytes(ContentEvent event, String placeholder, byte[] raw) {
        byte[] frame = serializer.serialize(event);
        byte[] marker = placeholder.getBytes(StandardCharsets.UTF_8);
        assertThat(raw).hasSameSizeAs(marker);
        for (int i = 0; i + marker.length <= frame.length; i++) {
            boolean match = true;
            for (int j = 0; j < marker.length && match; j++) {
                match = frame[i + j] == marker[j];
            }
            if (match) {
                System.arraycopy(raw, 0, frame, i, raw.length);
                return frame;
            }
        }
        throw new AssertionError(placeholder + " not found in the frame");
    }

    @Test
    void shouldRefuseTwoDifferentInvalidUserIdsInsteadOfMergingThemIntoOneUser() throws Exception {
        byte[] first =
                withRawBytes(event("u-AAAA", null), "AAAA", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE});
        byte[] second =
                withRawBytes(event("u-BBBB", null), "BBBB", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 0x41});

        for (byte[] frame : new byte[][] {first, second}) {
            DecodeResult<ContentEvent> result = deserializer.decode(frame);
            assertThat(result.isOk()).isFalse();
            assertThat(result.failure()).isEqualTo(DecodeResult.Failure.INVALID_UTF8);
            assertThat(result.error())
                    .startsWith("INVALID_UTF8: field 'userId': a string of 6 bytes is not valid UTF-8");
        }
    }

    @Test
    void shouldNameTheNestedFieldOfAnInvalidString() throws Exception {
        byte[] frame = withRawBytes(event("u1", "say ZZ"), "ZZ", new byte[] {(byte) 0xF8, (byte) 0x88});
        DecodeResult<ContentEvent> result = deserializer.decode(frame);
        assertThat(result.failure()).isEqualTo(DecodeResult.Failure.INVALID_UTF8);
        assertThat(result.error())
                .startsWith("INVALID_UTF8: field 'transcript.text': a string of 6 bytes is not valid UTF-8");
    }

    @Test
    void shouldKeepARealReplacementCharacterAndOtherValidText() throws Exception {
        ContentEvent valid = event("u-\uFFFD-ok-日本-\uD83D\uDE00", "caf\u00e9");
        DecodeResult<ContentEvent> result = deserializer.decode(serializer.serialize(valid));
        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.record()).isEqualTo(valid);
    }
}
