package io.moderato.jobs.testing;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Builders for DetectionJob inputs and policy configs used across tests. */
public final class DetectionFixtures {

    /** 2026-01-01T00:00:00Z: event times are fixed offsets from here, never the wall clock. */
    public static final long T0 = 1_767_225_600_000L;

    private DetectionFixtures() {}

    public static ContentEvent textEvent(String contentId, String userId, String text, long eventTime, boolean prePublish) {
        return ContentEvent.newBuilder()
                .setContentId(contentId)
                .setUserId(userId)
                .setSurface("comment")
                .setLocale("en-GB")
                .setReachEstimate(100)
                .setEventTimeMillis(eventTime)
                .setPrePublish(prePublish)
                .setText(text)
                .build();
    }

    /**
     * The shipped spam default with test-friendly settings: fused risk = the text model's score
     * (weight 1, no context), given thresholds, no audit sampling, a roomy English queue.
     */
    public static PolicyConfig spamPolicy(long version, double review, double action) {
        PolicyConfig spam = PolicyDefaults.examplePolicies().stream()
                .filter(p -> p.getPolicyId().equals("spam")).findFirst().orElseThrow();
        return PolicyConfig.newBuilder(spam)
                .setVersion(version)
                .setReviewThreshold(review)
                .setActionThreshold(action)
                .setEscalationThreshold(0.99)
                .setFusionStrategy("weighted_logit")
                .setFusionWeights(Map.of("text", 1.0))
                .setFusionBias(0.0)
                .setAuditSampleRateAllow(0.0)
                .setAuditSampleRateAction(0.0)
                .build();
    }

    /** Writes {@code policies} as a defaults file the job can load (key detection.policy.defaults). */
    public static Path writeDefaults(Path dir, List<PolicyConfig> policies) {
        try {
            Path file = dir.resolve("policy-defaults-" + System.nanoTime() + ".json");
            Files.writeString(file, PolicyDefaults.toJson(policies));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
