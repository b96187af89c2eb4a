package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.textEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.common.RecordCheck;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.Transcript;
import io.moderato.schemas.UserSignal;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** What the DetectionJob dead-letters at its door, with the processing time given (no wall clock). */
class DetectionInputsTest {

    private static final long NOW = 1_780_000_000_000L;
    private static final RecordCheck<ContentEvent> CONTENT = DetectionInputs.content(new Configuration());

    private static ContentEvent.Builder event(long eventTime) {
        return ContentEvent.newBuilder(textEvent("c1", "u1", "hello", eventTime, false));
    }

    @Test
    void shouldAcceptAnOrdinaryEvent() {
        assertThat(CONTENT.problem(event(NOW - 1_000).build(), NOW)).isNull();
    }

    @Test
    void shouldRefuseEventTimesFarFromProcessingTimeOnBothSides() {
        assertThat(CONTENT.problem(event(NOW + Duration.ofHours(2).toMillis()).build(), NOW))
                .contains("'eventTimeMillis'")
                .contains("after processing time")
                .contains("detection.event-time.max-future = PT5M");
        assertThat(CONTENT.problem(event(32_503_680_000_000L).build(), NOW)).contains("3000-01-01T00:00:00Z");
        assertThat(CONTENT.problem(event(NOW - Duration.ofDays(8).toMillis()).build(), NOW))
                .contains("before processing time")
                .contains("detection.event-time.max-past = PT168H");
        Configuration replay = new Configuration();
        replay.set(DetectionOptions.MAX_PAST, Duration.ofDays(365));
        assertThat(DetectionInputs.content(replay)
                        .problem(event(NOW - Duration.ofDays(8).toMillis()).build(), NOW))
                .isNull();
    }

    @Test
    void shouldRefuseNegativeReachAndOversizedFields() {
        assertThat(CONTENT.problem(event(NOW).setReachEstimate(-1).build(), NOW))
                .isEqualTo("field 'reachEstimate' must be >= 0, got -1");
        assertThat(CONTENT.problem(
                        event(NOW).setText("x".repeat(10 * 1024 * 1024)).build(), NOW))
                .isEqualTo("field 'text' has 10485760 characters, more than 200000 (detection.input.max-text-chars)");
        assertThat(CONTENT.problem(
                        event(NOW)
                                .setTranscript(new Transcript("y".repeat(200_001), "asr", "1"))
                                .build(),
                        NOW))
                .startsWith("field 'transcript.text' has 200001 characters");
        assertThat(CONTENT.problem(
                        event(NOW)
                                .setAudioEmbedding(new Embedding("e", "1", Collections.nCopies(9000, 0f)))
                                .build(),
                        NOW))
                .startsWith("field 'audioEmbedding.vector' has 9000 items, more than 8192");
        assertThat(CONTENT.problem(event(NOW).setContentId("c".repeat(5000)).build(), NOW))
                .startsWith("field 'contentId' has 5000 characters, more than 256");
        assertThat(CONTENT.problem(event(NOW).setUserId(" ").build(), NOW))
                .isEqualTo("required field 'userId' is blank");
    }

    @Test
    void shouldBoundUserFeaturesAndPolicyIds() {
        Map<String, Double> features = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            features.put("f" + i, 1.0);
        }
        UserSignal signal = new UserSignal("u1", 1, 0, 0, false, NOW, features);
        assertThat(DetectionInputs.userSignal().problem(signal, NOW))
                .startsWith("field 'extraFeatures' has 65 entries");
        PolicyConfig config = PolicyConfig.newBuilder()
                .setPolicyId("p".repeat(129))
                .setVersion(1)
                .setActionThreshold(1)
                .setReviewThreshold(1)
                .setEscalationThreshold(1)
                .setReviewQueues(java.util.List.of())
                .setActiveModels(java.util.List.of())
                .setUpdatedBy("x")
                .setUpdatedAtMillis(1)
                .build();
        assertThat(DetectionInputs.policyConfig().problem(config, NOW))
                .isEqualTo("field 'policyId' has 129 characters, more than 128");
    }
}
