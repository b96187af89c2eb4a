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
    public record Outcome(
            PolicyDecision decision,
            ReviewReason reviewReason,
            double priority,
            String action,
            boolean windowChanged) {}

    private final DeterministicSampler sampler;
    private final int topSignals;

    public PolicyDecider(DeterministicSampler sampler, int topSignals) {
        this.sampler = sampler;
        this.topSignals = topSignals;
    }

    /**
     * The item's own risk for a policy: its modality scores fused with the author's context, and the
     * signals that contributed most. {@code modelMade} is false when no modality scored (the risk is
     * then the review threshold, a fail-safe stand-in that never enters a window).
     */
    public record ItemRisk(double risk, List<Signal> topSignals, boolean modelMade) {
        boolean borderline(PolicyConfig config) {
            return risk >= config.getReviewThreshold() && risk < config.getActionThreshold();
        }
    }

    /** The band; whether the window's escalation raised it; whether the fail-safe rule raised it. */
    public record Banding(String band, boolean escalated, boolean raisedByFailSafe) {}

    /** Whether the item was drawn for audit, the propensity of its review, and the review reason (null: none). */
    private record Audit(boolean sampled, double propensity, String reason) {}

    /**
     * @param modalityScores scores of the policy's active models on the item, by modality
     * @param problems       why a modality the item carries could not be scored for the policy
     * @param context        context features of the author
     * @param window         the author's window for this policy; an item that is not late and has a
     *                       model-made risk is added to it
     * @return null when the policy has nothing to decide on (no modality of the item is one it scores)
     */
    public Outcome decide(
            PolicyConfig config,
            Item item,
            Map<String, Double> modalityScores,
            List<String> problems,
            Map<String, Double> context,
            SlidingRiskWindow window,
            List<ShadowScore> shadowScores) {
        if (modalityScores.isEmpty() && problems.isEmpty()) {
            return null;
        }
        ItemRisk itemRisk = itemRisk(config, modalityScores, context);
        boolean windowChanged = !item.late() && itemRisk.modelMade();
        if (windowChanged) {
            window.add(item.eventTimeMillis(), itemRisk.risk(), itemRisk.borderline(config));
        }
        WindowRisk userRisk = window.aggregate(item.eventTimeMillis());
        Banding banding = band(
                config,
                itemRisk,
                !problems.isEmpty(),
                Escalation.escalate(userRisk, config.getEscalationThreshold()),
                item.prePublish());
        Audit audit = audit(config, item.contentId(), banding);
        PolicyDecision decision = PolicyDecision.newBuilder()
                .setPolicyId(config.getPolicyId())
                .setModalityScores(modalityScores)
                .setFusedRisk(itemRisk.risk())
                .setUserRisk(new WindowedUserRisk(
                        userRisk.maxRisk(), userRisk.meanRisk(), userRisk.borderlineCount(), userRisk.itemCount()))
                .setBand(banding.band())
                .setEscalated(banding.escalated())
                .setActionThreshold(config.getActionThreshold())
                .setReviewThreshold(config.getReviewThreshold())
                .setEscalationThreshold(config.getEscalationThreshold())
                .setTopSignals(itemRisk.topSignals())
                .setAuditSampled(audit.sampled())
                .setPropensity(audit.propensity())
                .setShadowScores(shadowScores)
                .setScoringProblems(problems)
                .build();
        return outcome(config, item, decision, audit, windowChanged);
    }

    private static Outcome outcome(
            PolicyConfig config, Item item, PolicyDecision decision, Audit audit, boolean windowChanged) {
        if (audit.reason() == null) {
            return new Outcome(decision, null, 0.0, action(config, decision.getBand()), windowChanged);
        }
        double risk = decision.getFusedRisk();
        ReviewReason review = new ReviewReason(
                config.getPolicyId(),
                decision.getBand(),
                audit.reason(),
                risk,
                audit.propensity(),
                config.getVersion());
        double priority = ReviewPriority.priority(config.getSeverity(), item.reachEstimate(), risk);
        return new Outcome(decision, review, priority, action(config, decision.getBand()), windowChanged);
    }

    /**
     * The item-only decision: the policy's risk and band for this item on its own scores and the author's
     * context, before (and without) the author's window, so never escalated; failing safe as
     * {@link #decide} does. What a verdict that cannot wait for the window (e.g. pre-publication)
     * can say; {@link #decide} may only raise it. Null when the policy has nothing to decide on.
     */
    public ItemOnly itemOnly(
            PolicyConfig config,
            Map<String, Double> modalityScores,
            List<String> problems,
            Map<String, Double> context,
            boolean prePublish) {
        if (modalityScores.isEmpty() && problems.isEmpty()) {
            return null;
        }
        ItemRisk risk = itemRisk(config, modalityScores, context);
        return new ItemOnly(risk, band(config, risk, !problems.isEmpty(), false, prePublish));
    }

    /** An item's own risk and the band it gets without any window. */
    public record ItemOnly(ItemRisk risk, Banding banding) {}

    /** Fuses the policy's modality scores with the context; the review threshold when none scored. */
    public ItemRisk itemRisk(PolicyConfig config, Map<String, Double> modalityScores, Map<String, Double> context) {
        if (modalityScores.isEmpty()) {
            return new ItemRisk(config.getReviewThreshold(), new ArrayList<>(), false);
        }
        FusedRisk fused = RiskFuser.fuse(
                config.getFusionStrategy(),
                config.getFusionWeights(),
                config.getFusionBias(),
                modalityScores,
                context,
                topSignals);
        List<Signal> signals = new ArrayList<>();
        for (Contribution c : fused.topSignals()) {
            signals.add(new Signal(c.name(), c.contribution()));
        }
        return new ItemRisk(fused.risk(), signals, true);
    }

    private static Banding band(
            PolicyConfig config, ItemRisk itemRisk, boolean failSafe, boolean escalate, boolean prePublish) {
        double risk = itemRisk.risk();
        String byRisk =
                Bands.band(risk, config.getReviewThreshold(), config.getActionThreshold(), escalate, prePublish);
        // a policy that could not look at everything is never allowed by omission
        boolean raisedByFailSafe = failSafe && (!itemRisk.modelMade() || Bands.ALLOW.equals(byRisk));
        String band = raisedByFailSafe && Bands.ALLOW.equals(byRisk)
                ? Bands.band(risk, config.getReviewThreshold(), config.getActionThreshold(), true, prePublish)
                : byRisk;
        return new Banding(band, escalate && risk < config.getReviewThreshold(), raisedByFailSafe);
    }

    /** Review always has propensity 1; ALLOW and ACTION are drawn for audit at the config's rates. */
    private Audit audit(PolicyConfig config, String contentId, Banding banding) {
        String band = banding.band();
        if (Bands.needsReview(band)) {
            return new Audit(
                    false, 1.0, banding.raisedByFailSafe() ? FAIL_SAFE : banding.escalated() ? ESCALATION : THRESHOLD);
        }
        boolean action = Bands.isAction(band);
        double propensity = action ? config.getAuditSampleRateAction() : config.getAuditSampleRateAllow();
        boolean sampled = sampler.sampled(contentId, "audit:" + config.getPolicyId(), propensity);
        return new Audit(sampled, propensity, !sampled ? null : action ? AUDIT_ACTION : AUDIT_ALLOW);
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
