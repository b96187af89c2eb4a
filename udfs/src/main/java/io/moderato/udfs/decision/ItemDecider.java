package io.moderato.udfs.decision;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewQueue;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ShadowScore;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.window.SlidingRiskWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The decision on one content item under every policy in force, as plain Java: for each enabled
 * policy of the item's surface, {@link PolicyDecider} fuses, windows, bands (failing safe on scoring
 * problems) and samples; this class gathers the per-policy decisions, the config and model versions
 * they used, the enforcement actions, and — when some policy asks for review — one review request:
 * the queue of the policy with the highest priority (ties: the smaller policy id), its capacity and
 * SLA, and every policy's reason, the winner's first. The DetectionJob's decider keeps the state
 * (windows, through {@link Windows}) and emits what this returns.
 */
public final class ItemDecider {

    /** Review capacity of a queue the winning config does not list (its fallback queue). */
    public static final int FALLBACK_CAPACITY_PER_MINUTE = 60;
    /** Review SLA of a queue the winning config does not list. */
    public static final long FALLBACK_SLA_MILLIS = Duration.ofHours(24).toMillis();

    /** The author's risk windows, one per policy; a window that {@link #get} returns null for is new. */
    public interface Windows {
        SlidingRiskWindow get(String policyId) throws Exception;

        void put(String policyId, SlidingRiskWindow window) throws Exception;
    }

    /** What the decision needs to know about the item besides its scores. */
    public record Item(PolicyDecider.Item decided, String surface, String locale) {}

    /** An enforcement action a policy's band implies, and the fused risk behind it. */
    public record Action(PolicyConfig config, String action, double risk) {}

    /** Where the item goes for review and how urgently; {@code reasons} holds every policy's, the winner's first. */
    public record ReviewRequest(
            String policyId,
            String queue,
            double priority,
            int capacityPerMinute,
            long slaMillis,
            List<ReviewReason> reasons) {}

    /**
     * The decisions of the policies that had something to decide on, in the order of the configs;
     * the config version of each; the active models whose scores were used; the actions; and the
     * review request, null when no policy asks for review.
     */
    public record Decided(
            List<PolicyDecision> decisions,
            Map<String, Long> configVersions,
            List<ModelVersion> modelsUsed,
            List<Action> actions,
            ReviewRequest review) {}

    private final PolicyDecider decider;
    private final long windowLengthMillis;
    private final long windowSlideMillis;

    public ItemDecider(PolicyDecider decider, long windowLengthMillis, long windowSlideMillis) {
        this.decider = decider;
        this.windowLengthMillis = windowLengthMillis;
        this.windowSlideMillis = windowSlideMillis;
    }

    /**
     * @param policies the configs in force, in a fixed order
     * @param scores   every score of the item (all policies, active and shadow models)
     * @param problems the modalities of the item that a wanted model could not score
     * @param context  the author's context features
     * @param windows  the author's windows; a changed window is put back
     */
    public Decided decide(
            Iterable<PolicyConfig> policies,
            Item item,
            List<ContentScorer.Score> scores,
            List<ContentScorer.Problem> problems,
            Map<String, Double> context,
            Windows windows)
            throws Exception {
        List<PolicyDecision> decisions = new ArrayList<>();
        Map<String, Long> configVersions = new TreeMap<>();
        Set<ModelVersion> modelsUsed = new LinkedHashSet<>();
        List<Action> actions = new ArrayList<>();
        Winner winner = new Winner();
        for (PolicyConfig config : policies) {
            if (!appliesTo(config, item.surface())) {
                continue;
            }
            String policy = config.getPolicyId();
            SlidingRiskWindow window = windows.get(policy);
            if (window == null) {
                window = new SlidingRiskWindow(windowLengthMillis, windowSlideMillis);
            }
            PolicyDecider.Outcome outcome = decider.decide(
                    config,
                    item.decided(),
                    modalityScores(scores, config, modelsUsed),
                    problems(problems, config),
                    context,
                    window,
                    shadowScores(scores, config));
            if (outcome == null) {
                continue; // nothing the policy's models score is on this item
            }
            if (outcome.windowChanged()) {
                windows.put(policy, window);
            }
            configVersions.put(policy, config.getVersion());
            decisions.add(outcome.decision());
            winner.offer(config, outcome);
            if (outcome.action() != null) {
                actions.add(
                        new Action(config, outcome.action(), outcome.decision().getFusedRisk()));
            }
        }
        return new Decided(
                decisions, configVersions, new ArrayList<>(modelsUsed), actions, winner.request(item.locale()));
    }

    /** The policy whose review request has the highest priority (ties: the smaller policy id), and all reasons. */
    private static final class Winner {
        private final List<ReviewReason> reasons = new ArrayList<>();
        private PolicyConfig config;
        private double priority = -1;

        void offer(PolicyConfig candidate, PolicyDecider.Outcome outcome) {
            if (outcome.reviewReason() == null) {
                return;
            }
            reasons.add(outcome.reviewReason());
            double p = outcome.priority();
            if (p > priority || p == priority && candidate.getPolicyId().compareTo(config.getPolicyId()) < 0) {
                priority = p;
                config = candidate;
            }
        }

        ReviewRequest request(String locale) {
            if (config == null) {
                return null;
            }
            String winner = config.getPolicyId();
            reasons.sort(
                    Comparator.comparing((ReviewReason r) -> !r.getPolicyId().equals(winner))
                            .thenComparing(ReviewReason::getPolicyId));
            String queue = QueueRouter.queueFor(config, locale);
            ReviewQueue listed = config.getReviewQueues().stream()
                    .filter(q -> q.getName().equals(queue))
                    .findFirst()
                    .orElse(null);
            return new ReviewRequest(
                    winner,
                    queue,
                    priority,
                    listed == null ? FALLBACK_CAPACITY_PER_MINUTE : listed.getCapacityPerMinute(),
                    listed == null ? FALLBACK_SLA_MILLIS : listed.getSlaMillis(),
                    reasons);
        }
    }

    /** An enabled policy applies to the surfaces it lists, or to all when it lists none. */
    public static boolean appliesTo(PolicyConfig config, String surface) {
        return config.getEnabled()
                && (config.getSurfaces().isEmpty() || config.getSurfaces().contains(surface));
    }

    /** Scores of the policy's active models, one per modality (the policy's own output column). */
    public static Map<String, Double> modalityScores(
            List<ContentScorer.Score> scores, PolicyConfig config, Set<ModelVersion> modelsUsed) {
        Map<String, Double> byModality = new TreeMap<>();
        for (ContentScorer.Score score : scores) {
            if (score.shadow() || !score.policy().equals(config.getPolicyId())) {
                continue;
            }
            for (ModelVersion active : config.getActiveModels()) {
                // match on modality and model name: if a new version failed to load, the working one scored
                if (active.getModality().equals(score.modality())
                        && active.getName().equals(score.model())) {
                    byModality.put(score.modality(), score.score());
                    modelsUsed.add(new ModelVersion(score.modality(), score.model(), score.version()));
                }
            }
        }
        return byModality;
    }

    /** The scoring problems on modalities this policy's active models score. */
    public static List<String> problems(List<ContentScorer.Problem> problems, PolicyConfig config) {
        List<String> mine = new ArrayList<>();
        for (ContentScorer.Problem problem : problems) {
            for (ModelVersion active : config.getActiveModels()) {
                if (active.getModality().equals(problem.modality())
                        && active.getName().equals(problem.model())) {
                    mine.add(problem.reason());
                }
            }
        }
        return mine;
    }

    static List<ShadowScore> shadowScores(List<ContentScorer.Score> scores, PolicyConfig config) {
        List<ShadowScore> shadow = new ArrayList<>();
        for (ContentScorer.Score score : scores) {
            if (score.shadow() && score.policy().equals(config.getPolicyId())) {
                shadow.add(new ShadowScore(
                        new ModelVersion(score.modality(), score.model(), score.version()), score.score()));
            }
        }
        return shadow;
    }
}
