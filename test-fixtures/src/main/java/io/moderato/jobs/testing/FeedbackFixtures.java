package io.moderato.jobs.testing;

import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.WindowedUserRisk;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builders for FeedbackJob inputs: spam decisions scored by text-spam 1.0.0 (a bundled model with a
 * reference histogram) and review labels. Times are offsets from {@link DetectionFixtures#T0}.
 */
public final class FeedbackFixtures {

    public static final long T0 = DetectionFixtures.T0;
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 3_600_000L;
    public static final String SPAM = "spam";
    public static final ModelVersion TEXT_SPAM = new ModelVersion("text", "text-spam", "1.0.0");
    /** MetricSnapshot.modelVersion of the spam policy's fused score. */
    public static final String SPAM_MODELS = "text=text-spam:1.0.0";

    private FeedbackFixtures() {}

    /** The spam config the decisions below were made under: review at 0.5, action at 0.9, audit 10% of ALLOW. */
    public static PolicyConfig spamConfig(long version, double review, double action) {
        return PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(version, review, action))
                .setAuditSampleRateAllow(0.1)
                .setAuditSampleRateAction(0.5)
                .build();
    }

    /**
     * A decision on {@code contentId} for the spam policy with fused risk = text score = {@code score},
     * thresholds review 0.5 / action 0.9, the band those give and the propensity of that band (1 for
     * REVIEW, 0.1 for ALLOW, 0.5 for ACTION). A one-element sparse feature vector stands for the model input.
     */
    public static RiskDecision spamDecision(String contentId, long eventTime, String surface, double score) {
        return spamDecision(contentId, eventTime, surface, score, 1L);
    }

    public static RiskDecision spamDecision(
            String contentId, long eventTime, String surface, double score, long configVersion) {
        String band = score >= 0.9 ? "ACTION" : score >= 0.5 ? "REVIEW" : "ALLOW";
        double propensity = band.equals("REVIEW") ? 1.0 : band.equals("ACTION") ? 0.5 : 0.1;
        PolicyDecision spam = PolicyDecision.newBuilder()
                .setPolicyId(SPAM)
                .setModalityScores(new TreeMap<>(Map.of("text", score)))
                .setFusedRisk(score)
                .setUserRisk(new WindowedUserRisk(score, score, 0, 1))
                .setBand(band)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.99)
                .setAuditSampled(!band.equals("REVIEW"))
                .setPropensity(propensity)
                .build();
        return RiskDecision.newBuilder()
                .setContentId(contentId)
                .setUserId("user-" + contentId)
                .setSurface(surface)
                .setLocale("en-GB")
                .setReachEstimate(100)
                .setEventTimeMillis(eventTime)
                .setDecidedAtMillis(eventTime + 1_000)
                .setPolicies(List.of(spam))
                .setModelVersions(List.of(TEXT_SPAM))
                .setConfigVersions(new TreeMap<>(Map.of(SPAM, configVersion)))
                .setContextFeatures(new TreeMap<>(Map.of("log_reach", 4.6)))
                .setFeatures(List.of(new FeatureVector("text", TEXT_SPAM, 4096, List.of(7, 42), List.of(1.0f, 2.0f))))
                .build();
    }

    public static ReviewLabel label(String contentId, boolean violating, String reviewer, String source, long at) {
        return ReviewLabel.newBuilder()
                .setContentId(contentId)
                .setPolicyId(SPAM)
                .setViolating(violating)
                .setSeverity(violating ? 1.0 : null)
                .setReviewerId(reviewer)
                .setSource(source)
                .setLabelledAtMillis(at)
                .build();
    }

    /** Decisions, the labels reviewers sent on some of them and the review tasks of the REVIEW band, ready to produce. */
    public record Input(List<RiskDecision> decisions, List<ReviewLabel> labels, List<ReviewTask> tasks) {}

    /**
     * {@code count} spam decisions {@code <prefix><i>} from {@code start}, one every 4 s, with seeded
     * scores; every third is labelled 20 minutes later (violating with the score's probability), every
     * tenth of those gets a second, disagreeing review 10 minutes after the first, every seventh label
     * is redelivered; labels are in time order. A review task for each REVIEW decision.
     */
    public static Input mixed(String prefix, long start, int count, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<RiskDecision> decisions = new java.util.ArrayList<>();
        List<ReviewLabel> labels = new java.util.ArrayList<>();
        List<ReviewTask> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            RiskDecision d = spamDecision(
                    prefix + i,
                    start + i * 4_000L,
                    i % 2 == 0 ? "comment" : "post",
                    Math.round(random.nextDouble() * 1000) / 1000.0);
            decisions.add(d);
            PolicyDecision spam = d.getPolicies().get(0);
            if (spam.getBand().equals("REVIEW")) {
                tasks.add(spamReviewTask(d, d.getEventTimeMillis() + 86_400_000L));
            }
            if (i % 3 == 0) {
                boolean violating = random.nextDouble() < spam.getFusedRisk();
                String source = spam.getBand().equals("REVIEW") ? "REVIEW" : "AUDIT";
                ReviewLabel first =
                        label(d.getContentId(), violating, "r1", source, d.getEventTimeMillis() + 20 * MINUTE);
                labels.add(first);
                if (i % 30 == 0) {
                    labels.add(
                            label(d.getContentId(), !violating, "r2", "REVIEW", d.getEventTimeMillis() + 30 * MINUTE));
                }
                if (i % 21 == 0) {
                    labels.add(ReviewLabel.newBuilder(first).build()); // redelivered
                }
            }
        }
        labels.sort(java.util.Comparator.comparingLong(ReviewLabel::getLabelledAtMillis));
        return new Input(decisions, labels, tasks);
    }

    /**
     * The review task the DetectionJob writes for a decision whose spam policy (its first) is in the REVIEW band:
     * queue spam-en, priority 1, due at {@code dueAtMillis}.
     */
    public static ReviewTask spamReviewTask(RiskDecision d, long dueAtMillis) {
        PolicyDecision spam = d.getPolicies().get(0);
        return new ReviewTask(
                d.getContentId(),
                d.getUserId(),
                d.getSurface(),
                d.getLocale(),
                100L,
                false,
                d.getEventTimeMillis(),
                "spam-en",
                1.0,
                List.of(new io.moderato.schemas.ReviewReason(
                        SPAM, "REVIEW", "THRESHOLD", spam.getFusedRisk(), 1.0, 1L)),
                1.0,
                d.getDecidedAtMillis(),
                dueAtMillis);
    }
}
