package io.moderato.udfs.decision;

import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ShadowScore;
import io.moderato.schemas.Signal;
import io.moderato.schemas.WindowedUserRisk;
import io.moderato.udfs.fusion.Contribution;
import io.moderato.udfs.fusion.FusedRisk;
import io.moderato.udfs.fusion.RiskFuser;
import io.moderato.udfs.window.Escalation;
import io.moderato.udfs.window.SlidingRiskWindow;
import io.moderato.udfs.window.WindowRisk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The decision for one policy on one content item, as plain Java: fuse the policy's modality
 * scores with the context, update and read the author's window, pick the band, fail safe when a
 * modality could not be scored, draw the audit sample, and say what review and action follow.
 * The DetectionJob's decider only keeps the state this needs and emits what it returns.
 *
 * <p>Fail-safe: when a modality the item carries could not be scored for the policy (its model is
 * not loaded, its embedding is invalid), the policy is never left out and never ALLOW by omission:
 * its band is at least REVIEW (HOLD before publication), with reason {@value #FAIL_SAFE}, and the
 * problems are recorded. Its risk fuses the modalities that did score, or is the review threshold
 * when none did; a risk that did not come from a model never enters the author's window.
 */
public final class PolicyDecider {

    public static final String THRESHOLD = "THRESHOLD";
    public static final String ESCALATION = "ESCALATION";
    public static final String AUDIT_ALLOW = "AUDIT_ALLOW";
    public static final String AUDIT_ACTION = "AUDIT_ACTION";
    public static final String FAIL_SAFE = "FAIL_SAFE";

    /** What the decision needs to know about the content item. */
    public record Item(String contentId, long eventTimeMillis, boolean prePublish, long reachEstimate, boolean late) {}

    /**
     * The policy's decision; the review reason when it asks for review (null otherwise) and that
     * request's priority; the enforcement action its band implies (null for none); and whether the
     * window passed in was changed (the caller then stores it).
     */
    public record Outcome(PolicyDecision decision, ReviewReason reviewReason, double priority, String action,
                          boolean windowChanged) {}

    private final DeterministicSampler sampler;
    private final int topSignals;

    public PolicyDecider(DeterministicSampler sampler, int topSignals) {
        this.sampler = sampler;
        this.topSignals = topSignals;
    }

    /**
     * @param modalityScores scores of the policy's active models on the item, by modality
     * @param problems       why a modality the item carries could not be scored for the policy
     * @param context        context features of the author
     * @param window         the author's window for this policy; an item that is not late and has a
     *                       model-made risk is added to it
     * @return null when the policy has nothing to decide on (no modality of the item is one it scores)
     */
    public Outcome decide(PolicyConfig config, Item item, Map<String, Double> modalityScores, List<String> problems,
                          Map<String, Double> context, SlidingRiskWindow window, List<ShadowScore> shadowScores) {
        if (modalityScores.isEmpty() && problems.isEmpty()) {
            return null;
        }
        boolean failSafe = !problems.isEmpty();
        double risk;
        List<Signal> signals = new ArrayList<>();
        if (modalityScores.isEmpty()) {
            risk = config.getReviewThreshold();
        } else {
            FusedRisk fused = RiskFuser.fuse(config.getFusionStrategy(), config.getFusionWeights(), config.getFusionBias(),
                    modalityScores, context, topSignals);
            risk = fused.risk();
            for (Contribution c : fused.topSignals()) {
                signals.add(new Signal(c.name(), c.contribution()));
            }
        }
        boolean borderline = risk >= config.getReviewThreshold() && risk < config.getActionThreshold();
        boolean windowChanged = !item.late() && !modalityScores.isEmpty();
        if (windowChanged) {
            window.add(item.eventTimeMillis(), risk, borderline);
        }
        WindowRisk userRisk = window.aggregate(item.eventTimeMillis());
        boolean escalate = Escalation.escalate(userRisk, config.getEscalationThreshold());
        String byRisk = Bands.band(risk, config.getReviewThreshold(), config.getActionThreshold(), escalate, item.prePublish());
        // a policy that could not look at everything is never allowed by omission
        boolean raisedByFailSafe = failSafe && (modalityScores.isEmpty() || Bands.ALLOW.equals(byRisk));
        String band = raisedByFailSafe && Bands.ALLOW.equals(byRisk)
                ? Bands.band(risk, config.getReviewThreshold(), config.getActionThreshold(), true, item.prePublish())
                : byRisk;
        boolean escalated = escalate && risk < config.getReviewThreshold();

        String policy = config.getPolicyId();
        boolean audited = false;
        double propensity;
        String reason;
        if (Bands.needsReview(band)) {
            propensity = 1.0;
            reason = raisedByFailSafe ? FAIL_SAFE : escalated ? ESCALATION : THRESHOLD;
        } else if (Bands.isAction(band)) {
            propensity = config.getAuditSampleRateAction();
            audited = sampler.sampled(item.contentId(), "audit:" + policy, propensity);
            reason = audited ? AUDIT_ACTION : null;
        } else {
            propensity = config.getAuditSampleRateAllow();
            audited = sampler.sampled(item.contentId(), "audit:" + policy, propensity);
            reason = audited ? AUDIT_ALLOW : null;
        }
        PolicyDecision decision = PolicyDecision.newBuilder()
                .setPolicyId(policy)
                .setModalityScores(modalityScores)
                .setFusedRisk(risk)
                .setUserRisk(new WindowedUserRisk(userRisk.maxRisk(), userRisk.meanRisk(), userRisk.borderlineCount(),
                        userRisk.itemCount()))
                .setBand(band)
                .setEscalated(escalated)
                .setActionThreshold(config.getActionThreshold())
                .setReviewThreshold(config.getReviewThreshold())
                .setEscalationThreshold(config.getEscalationThreshold())
                .setTopSignals(signals)
                .setAuditSampled(audited)
                .setPropensity(propensity)
                .setShadowScores(shadowScores)
                .setScoringProblems(problems)
                .build();
        ReviewReason review = reason == null ? null
                : new ReviewReason(policy, band, reason, risk, propensity, config.getVersion());
        double priority = reason == null ? 0.0 : ReviewPriority.priority(config.getSeverity(), item.reachEstimate(), risk);
        return new Outcome(decision, review, priority, action(config, band), windowChanged);
    }

    /** The enforcement action a band implies: the config's autoAction for ACTION, hold or block before publication. */
    public static String action(PolicyConfig config, String band) {
        return switch (band) {
            case Bands.ACTION -> config.getAutoAction();
            case Bands.BLOCK -> "BLOCK_PREPUBLISH";
            case Bands.HOLD -> "HOLD_PREPUBLISH";
            default -> null;
        };
    }
}
