package io.moderato.jobs.testing;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.internal.UserInput;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewQueue;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.config.PolicyDefaults;
import io.moderato.udfs.input.ContentFingerprint;
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
    /**
     * The event-time age jobs under test accept: fixture times are fixed dates (T0 is 2026-01-01), so a
     * test must not depend on how long ago that is.
     */
    public static final java.time.Duration FIXTURE_AGE_LIMIT = java.time.Duration.ofDays(36_500);

    private DetectionFixtures() {}

    public static ContentEvent textEvent(
            String contentId, String userId, String text, long eventTime, boolean prePublish) {
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
     * (weight 1, no context), given thresholds, no audit sampling, a roomy English queue, scored by
     * text-spam 1.0.0 on text and transcript — the model whose committed parity sample ({@link ParitySample}) the
     * tests pick their inputs from, so expected bands come from the trainer, not the code under test.
     */
    public static PolicyConfig spamPolicy(long version, double review, double action) {
        PolicyConfig spam = PolicyDefaults.shipped().stream()
                .filter(p -> p.getPolicyId().equals("spam"))
                .findFirst()
                .orElseThrow();
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
                .setActiveModels(List.of(
                        new ModelVersion("text", "text-spam", "1.0.0"),
                        new ModelVersion("transcript", "text-spam", "1.0.0")))
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

    /**
     * A valid policy for operator tests: {@code max} fusion with no weights, so the fused risk is
     * exactly the score of the single scored modality; review 0.5, action 0.9, escalation 0.6, no
     * audit sampling, severity 1, one English queue {@code <policyId>-en} (capacity 100, SLA 1 h),
     * the text-spam model on text. Adjust with the returned builder.
     */
    public static PolicyConfig.Builder policy(String policyId, long version) {
        return PolicyConfig.newBuilder()
                .setPolicyId(policyId)
                .setVersion(version)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.6)
                .setAutoAction("REMOVE")
                .setFusionStrategy("max")
                .setFusionWeights(Map.of())
                .setFusionBias(0.0)
                .setAuditSampleRateAllow(0.0)
                .setAuditSampleRateAction(0.0)
                .setSeverity(1.0)
                .setReviewQueues(List.of(queue(policyId + "-en", List.of("en"), 100)))
                .setActiveModels(List.of(new ModelVersion("text", "text-spam", "1.0.0")))
                .setUpdatedBy("test")
                .setUpdatedAtMillis(T0);
    }

    public static ReviewQueue queue(String name, List<String> locales, int capacityPerMinute) {
        return ReviewQueue.newBuilder()
                .setName(name)
                .setLocales(locales)
                .setCapacityPerMinute(capacityPerMinute)
                .setSlaMillis(3_600_000L)
                .build();
    }

    /** The active-model score of {@code policyId} from text-spam 1.0.0 on the text modality. */
    public static ModelScore textScore(String policyId, double score) {
        return new ModelScore("text", "text-spam", "1.0.0", policyId, score, false);
    }

    public static ModelScore score(String modality, String model, String policyId, double score) {
        return new ModelScore(modality, model, "1.0.0", policyId, score, false);
    }

    /** A scored item as the DecideFunction receives it (ingested 1 s after its event time). */
    public static UserInput scored(ContentEvent event, ModelScore... scores) {
        return new UserInput(
                event.getUserId(),
                ScoredContent.newBuilder()
                        .setEvent(event)
                        .setScores(List.of(scores))
                        .setContentHash(ContentFingerprint.of(event))
                        .setIngestMillis(event.getEventTimeMillis() + 1_000L)
                        .build(),
                null);
    }

    public static UserInput signal(UserSignal signal) {
        return new UserInput(signal.getUserId(), null, signal);
    }

    public static UserSignal userSignal(
            String userId, int accountAgeDays, int priorStrikes, int recentReports, boolean verified) {
        return new UserSignal(userId, accountAgeDays, priorStrikes, recentReports, verified, T0, Map.of());
    }

    /**
     * {@code items} text events for each of {@code users} users: {@code <prefix>u<u>-<k>} of user
     * {@code user-<u>}, at {@code start + k·15 s + u·100 ms} (every event time distinct, a user's in
     * order), texts from the parity sample in a fixed rotation. The k in the id is the user's sequence
     * number, so outputs can be checked for gaps and repeats per user.
     */
    public static List<ContentEvent> numberedEvents(String prefix, int users, int items, long start) {
        List<ParitySample.Message> messages = ParitySample.load();
        List<ContentEvent> events = new java.util.ArrayList<>();
        for (int k = 0; k < items; k++) {
            for (int u = 0; u < users; u++) {
                int i = k * users + u;
                ParitySample.Message m = messages.get((i * 7) % messages.size());
                events.add(textEvent(
                        prefix + "u" + u + "-" + k, "user-" + u, m.text(), start + k * 15_000L + u * 100L, false));
            }
        }
        return events;
    }

    /** The user's sequence number k of a {@link #numberedEvents} content id. */
    public static long sequenceOf(String contentId) {
        return Long.parseLong(contentId.substring(contentId.lastIndexOf('-') + 1));
    }

    /**
     * The spam policy with everything stateful in play: escalation from the user's window at mean risk
     * 0.3, 20 % of ALLOW audited, and a review queue of 3 per minute, so windows, sampling and admission
     * under capacity all shape the decisions (review 0.5, action 0.98).
     */
    public static PolicyConfig statefulSpamPolicy(long version) {
        return PolicyConfig.newBuilder(spamPolicy(version, 0.5, 0.98))
                .setEscalationThreshold(0.3)
                .setAuditSampleRateAllow(0.2)
                .setReviewQueues(List.of(ReviewQueue.newBuilder()
                        .setName("spam-en")
                        .setLocales(List.of())
                        .setCapacityPerMinute(3)
                        .setSlaMillis(3_600_000L)
                        .build()))
                .build();
    }
}
