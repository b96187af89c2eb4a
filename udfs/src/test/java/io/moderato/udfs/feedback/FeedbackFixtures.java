package io.moderato.udfs.feedback;

import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.ShadowScore;
import io.moderato.schemas.WindowedUserRisk;
import java.util.List;
import java.util.Map;

/** Fixed-value builders of decisions and labels for the feedback tests (no clock, no randomness). */
final class FeedbackFixtures {

    /** 2025-06-15T00:00:00Z. */
    static final long DAY = 1_749_945_600_000L;

    static final String POLICY = "spam";

    private FeedbackFixtures() {}

    static ReviewLabel label(String contentId, String reviewer, String source, boolean violating, long atMillis) {
        return label(contentId, reviewer, source, violating, atMillis, violating ? 1.0 : null);
    }

    static ReviewLabel label(
            String contentId, String reviewer, String source, boolean violating, long atMillis, Double severity) {
        return ReviewLabel.newBuilder()
                .setContentId(contentId)
                .setPolicyId(POLICY)
                .setViolating(violating)
                .setSeverity(severity)
                .setReviewerId(reviewer)
                .setSource(source)
                .setLabelledAtMillis(atMillis)
                .build();
    }

    static ReviewLabel label(String reviewer, String source, boolean violating, long atMillis) {
        return label("c-1", reviewer, source, violating, atMillis);
    }

    static WindowedUserRisk userRisk() {
        return WindowedUserRisk.newBuilder()
                .setMaxRisk(0.7)
                .setMeanRisk(0.3)
                .setBorderlineCount(1)
                .setItemCount(4)
                .build();
    }

    static PolicyDecision policy(String band, double fusedRisk, double propensity, boolean auditSampled) {
        return PolicyDecision.newBuilder()
                .setPolicyId(POLICY)
                .setModalityScores(Map.of("text", fusedRisk))
                .setFusedRisk(fusedRisk)
                .setUserRisk(userRisk())
                .setBand(band)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.8)
                .setAuditSampled(auditSampled)
                .setPropensity(propensity)
                .setShadowScores(List.of(ShadowScore.newBuilder()
                        .setModel(new ModelVersion("text", "text-spam", "1.1.0"))
                        .setScore(fusedRisk * 0.9)
                        .build()))
                .build();
    }

    static FeatureVector textFeatures() {
        return FeatureVector.newBuilder()
                .setModality("text")
                .setModel(new ModelVersion("text", "text-spam", "1.0.0"))
                .setDimensions(65_536)
                .setIndices(List.of(3, 77, 4_096))
                .setValues(List.of(0.25f, 0.5f, 0.8f))
                .build();
    }

    /** A decision of {@code contentId} with a single policy decision, event at DAY + offset, decided 850 ms later. */
    static RiskDecision decision(String contentId, PolicyDecision policy, long eventOffsetMillis) {
        long event = DAY + eventOffsetMillis;
        return RiskDecision.newBuilder()
                .setContentId(contentId)
                .setUserId("u-" + contentId)
                .setSurface("comments")
                .setLocale("en-GB")
                .setReachEstimate(120L)
                .setEventTimeMillis(event)
                .setDecidedAtMillis(event + 850)
                .setPrePublish(false)
                .setLate(false)
                .setPolicies(List.of(policy))
                .setModelVersions(List.of(
                        new ModelVersion("text", "text-spam", "1.0.0"),
                        new ModelVersion("image", "image-safety", "1.0.0")))
                .setConfigVersions(Map.of(POLICY, 7L))
                .setContextFeatures(Map.of("account_age_days", 3.0, "prior_strikes", 1.0))
                .setFeatures(List.of(textFeatures()))
                .build();
    }
}
