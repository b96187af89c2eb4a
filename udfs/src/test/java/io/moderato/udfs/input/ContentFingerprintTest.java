package io.moderato.udfs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.Transcript;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentFingerprintTest {

    private static ContentEvent.Builder event() {
        return ContentEvent.newBuilder()
                .setContentId("c1")
                .setUserId("u1")
                .setSurface("comment")
                .setLocale("en")
                .setEventTimeMillis(1L)
                .setText("hello world")
                .setAudioEmbedding(new Embedding("enc", "1", List.of(0.1f, 0.2f)));
    }

    @Test
    void shouldIgnoreIdsTimesAndAttributes() {
        long original = ContentFingerprint.of(event().build());
        assertThat(ContentFingerprint.of(event().setContentId("other")
                        .setUserId("u2")
                        .setEventTimeMillis(99L)
                        .setReachEstimate(5)
                        .setAttributes(Map.of("k", "v"))
                        .build()))
                .isEqualTo(original);
    }

    @Test
    void shouldChangeWithAnythingThatWasScoredOrDecidedOn() {
        long original = ContentFingerprint.of(event().build());
        assertThat(ContentFingerprint.of(event().setText("hello world!").build()))
                .isNotEqualTo(original);
        assertThat(ContentFingerprint.of(event().setText(null).build())).isNotEqualTo(original);
        assertThat(ContentFingerprint.of(
                        event().setTranscript(new Transcript("hi", "asr", "1")).build()))
                .isNotEqualTo(original);
        assertThat(ContentFingerprint.of(event().setAudioEmbedding(new Embedding("enc", "1", List.of(0.1f, 0.3f)))
                        .build()))
                .isNotEqualTo(original);
        assertThat(ContentFingerprint.of(event().setPrePublish(true).build())).isNotEqualTo(original);
        assertThat(ContentFingerprint.of(event().setSurface("message").build())).isNotEqualTo(original);
        // field boundaries count: the same characters split differently are different content
        assertThat(ContentFingerprint.of(event().setSurface("ab").setLocale("c").build()))
                .isNotEqualTo(ContentFingerprint.of(
                        event().setSurface("a").setLocale("bc").build()));
        assertThat(ContentFingerprint.of(event().setText("").build()))
                .isNotEqualTo(ContentFingerprint.of(event().setText(null).build()));
    }
}
