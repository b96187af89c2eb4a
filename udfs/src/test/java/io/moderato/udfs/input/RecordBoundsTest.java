package io.moderato.udfs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewQueue;
import io.moderato.schemas.Transcript;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordBoundsTest {

    private static ContentEvent.Builder event() {
        return ContentEvent.newBuilder()
                .setContentId("c1")
                .setUserId("u1")
                .setSurface("comment")
                .setLocale("en")
                .setEventTimeMillis(1L)
                .setText("hello");
    }

    private static final RecordBounds BOUNDS = RecordBounds.defaults()
            .with("text", 100, "detection.input.max-text-chars")
            .with("transcript.text", 100, "detection.input.max-text-chars")
            .with("imageEmbedding.vector", 8, "embedding dimensions");

    @Test
    void shouldAcceptARecordWithinEveryLimit() {
        assertThat(BOUNDS.problem(event().build())).isNull();
    }

    @Test
    void shouldNameTheFirstFieldOverItsLimitByPath() {
        assertThat(BOUNDS.problem(event().setText("x".repeat(101)).build()))
                .isEqualTo("field 'text' has 101 characters, more than 100 (detection.input.max-text-chars)");
        assertThat(BOUNDS.problem(event().setTranscript(new Transcript("y".repeat(200), "asr", "1"))
                        .build()))
                .isEqualTo(
                        "field 'transcript.text' has 200 characters, more than 100 (detection.input.max-text-chars)");
        assertThat(BOUNDS.problem(event().setUserId("u".repeat(1025)).build()))
                .isEqualTo("field 'userId' has 1025 characters, more than 1024 (the limit for every field)");
        assertThat(BOUNDS.problem(event().setImageEmbedding(new Embedding("clip", "1", Collections.nCopies(9, 0.5f)))
                        .build()))
                .isEqualTo("field 'imageEmbedding.vector' has 9 items, more than 8 (embedding dimensions)");
        Map<String, String> attributes = new HashMap<>();
        for (int i = 0; i < 1025; i++) {
            attributes.put("k" + i, "v");
        }
        assertThat(BOUNDS.problem(event().setAttributes(attributes).build()))
                .startsWith("field 'attributes' has 1025 entries");
        assertThat(BOUNDS.problem(
                        event().setAttributes(Map.of("k", "v".repeat(2000))).build()))
                .startsWith("field 'attributes{}' has 2000 characters");
        assertThat(BOUNDS.problem(
                        event().setAttributes(Map.of("k".repeat(2000), "v")).build()))
                .startsWith("field 'attributes key' has 2000 characters");
    }

    @Test
    void shouldReportEveryFieldOverItsLimitUpToAMaximum() {
        ContentEvent bad = event().setContentId("c".repeat(2000))
                .setUserId("u".repeat(2000))
                .setText("x".repeat(101))
                .build();
        assertThat(BOUNDS.problems(bad, 10)).hasSize(3);
        assertThat(BOUNDS.problems(bad, 2)).hasSize(2);
    }

    @Test
    void shouldCheckListItemsOfNestedRecords() {
        PolicyConfig config = PolicyConfig.newBuilder()
                .setPolicyId("p")
                .setVersion(1)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.5)
                .setUpdatedBy("me")
                .setUpdatedAtMillis(1)
                .setActiveModels(List.of())
                .setReviewQueues(List.of(ReviewQueue.newBuilder()
                        .setName("q")
                        .setCapacityPerMinute(1)
                        .setSlaMillis(1)
                        .setLocales(List.of("en", "l".repeat(1500)))
                        .build()))
                .build();
        assertThat(RecordBounds.defaults().problem(config))
                .startsWith("field 'reviewQueues[].locales[]' has 1500 characters");
    }

    @Test
    void shouldShrinkACopyAndLeaveTheOriginalAlone() {
        ContentEvent big = event().setText("x".repeat(500))
                .setAttributes(Map.of("b", "2", "a", "1", "c", "3"))
                .build();
        ContentEvent small = RecordBounds.shrunk(big, 10, 2);
        assertThat(small.getText()).isEqualTo("xxxxxxxxxx…");
        assertThat(small.getAttributes()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(big.getText()).hasSize(500);
        assertThat(big.getAttributes()).hasSize(3);
    }
}
