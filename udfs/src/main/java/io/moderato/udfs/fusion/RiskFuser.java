package io.moderato.udfs.fusion;

import io.moderato.schemas.PolicyConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fuses the per-modality scores of one item and the author's context features into one risk in
 * [0, 1] for one policy, by the policy's strategy, and explains it by its largest contributions.
 * Only modalities that were present and scored take part: a missing modality is skipped, never
 * read as a score of 0. The result depends only on the arguments (terms are summed in name order).
 *
 * <p>Strategies (w = weight of the input; a modality without a weight has weight
 * {@value #DEFAULT_MODALITY_WEIGHT}, a context feature without a weight does not take part):
 * <ul>
 *   <li>{@value #WEIGHTED_LOGIT}: z = bias + Σ_m w_m·logit(clip(s_m, 1e−6, 1−1e−6)) + Σ_c w_c·x_c,
 *       risk = σ(z). With no weights and bias 0 a single modality's risk equals its score.
 *       Contribution of an input: its term in z.</li>
 *   <li>{@value #NOISY_OR}: risk = 1 − Π (1 − w·s) over modalities and weighted context features
 *       (scores and feature values clipped to [0, 1], weights must be in [0, 1]): each input is an
 *       independent chance of violating. Contribution: −ln(1 − w·s) (w·s capped at 1 − 1e−6 so it
 *       stays finite), which adds up to −ln(1 − risk).</li>
 *   <li>{@value #MAX}: risk = max of w·s over the same inputs as noisy_or. Contribution: w·s.</li>
 * </ul>
 * The bias is used by weighted_logit only.
 */
public final class RiskFuser {

    public static final String WEIGHTED_LOGIT = "weighted_logit";
    public static final String NOISY_OR = "noisy_or";
    public static final String MAX = "max";
    /** The strategies this code knows; a config naming another one is invalid. */
    public static final List<String> STRATEGIES = List.of(WEIGHTED_LOGIT, NOISY_OR, MAX);

    public static final double DEFAULT_MODALITY_WEIGHT = 1.0;
    /** Scores are clipped to [EPS, 1 − EPS] before logit, so a score of exactly 0 or 1 stays finite. */
    public static final double SCORE_EPSILON = 1e-6;

    private static final Comparator<Contribution> BY_MAGNITUDE_THEN_NAME = Comparator.comparingDouble(
                    (Contribution c) -> -Math.abs(c.contribution()))
            .thenComparing(Contribution::name);

    private RiskFuser() {}

    /**
     * Fuses with a policy's strategy, weights and bias.
     *
     * @see #fuse(String, Map, double, Map, Map, int)
     */
    public static FusedRisk fuse(
            PolicyConfig config, Map<String, Double> modalityScores, Map<String, Double> context, int topK) {
        return fuse(
                config.getFusionStrategy(),
                config.getFusionWeights(),
                config.getFusionBias(),
                modalityScores,
                context,
                topK);
    }

    /**
     * Fuses the scores of the modalities present on an item with the context features.
     *
     * @param strategy       {@value #WEIGHTED_LOGIT} | {@value #NOISY_OR} | {@value #MAX}
     * @param weights        weight per input name (modality or context feature); null = none
     * @param bias           intercept, weighted_logit only
     * @param modalityScores calibrated score per present, scored modality; must not be empty
     * @param context        context features (see {@link ContextFeatures}); null = none; a
     *                       non-finite value is skipped like a missing one
     * @param topK           how many contributions to return (≤ 0: none)
     * @throws IllegalArgumentException for an unknown strategy, no modality score, a non-finite
     *                                  score, weight or bias, a noisy_or / max weight outside [0, 1],
     *                                  or a context feature named like a modality
     */
    public static FusedRisk fuse(
            String strategy,
            Map<String, Double> weights,
            double bias,
            Map<String, Double> modalityScores,
            Map<String, Double> context,
            int topK) {
        if (strategy == null || !STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException(
                    "unknown fusion strategy '" + strategy + "' (known: " + STRATEGIES + ")");
        }
        if (modalityScores == null || modalityScores.isEmpty()) {
            throw new IllegalArgumentException(
                    "no modality score to fuse (the caller skips a policy with no scored modality)");
        }
        Map<String, Double> w = weights == null ? Map.of() : weights;
        // one sorted list of (name, weight, value) so that sums and ties do not depend on map order
        List<Input> inputs = new ArrayList<>();
        for (Map.Entry<String, Double> e : new TreeMap<>(modalityScores).entrySet()) {
            Double s = e.getValue();
            if (s == null || !Double.isFinite(s)) {
                throw new IllegalArgumentException("modality score " + e.getKey() + " = " + s + " must be finite");
            }
            inputs.add(new Input(e.getKey(), weightOf(w, e.getKey(), DEFAULT_MODALITY_WEIGHT), s, true));
        }
        if (context != null) {
            for (Map.Entry<String, Double> e : new TreeMap<>(context).entrySet()) {
                if (modalityScores.containsKey(e.getKey())) {
                    throw new IllegalArgumentException(
                            "context feature '" + e.getKey() + "' has the name of a modality");
                }
                Double x = e.getValue();
                if (w.containsKey(e.getKey()) && x != null && Double.isFinite(x)) {
                    inputs.add(new Input(e.getKey(), weightOf(w, e.getKey(), 0.0), x, false));
                }
            }
        }
        return switch (strategy) {
            case WEIGHTED_LOGIT -> weightedLogit(bias, inputs, topK);
            case NOISY_OR -> noisyOr(inputs, topK);
            default -> max(inputs, topK);
        };
    }

    private static FusedRisk weightedLogit(double bias, List<Input> inputs, int topK) {
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("fusion bias = " + bias + " must be finite");
        }
        double z = bias;
        List<Contribution> terms = new ArrayList<>(inputs.size());
        for (Input in : inputs) {
            double term =
                    in.weight * (in.modality ? logit(clip(in.value, SCORE_EPSILON, 1 - SCORE_EPSILON)) : in.value);
            z += term;
            terms.add(new Contribution(in.name, term));
        }
        return new FusedRisk(sigmoid(z), top(terms, topK));
    }

    private static FusedRisk noisyOr(List<Input> inputs, int topK) {
        double survival = 1.0;
        List<Contribution> terms = new ArrayList<>(inputs.size());
        for (Input in : inputs) {
            double p = probabilityTerm(in, NOISY_OR);
            survival *= 1.0 - p;
            terms.add(new Contribution(in.name, -Math.log1p(-Math.min(p, 1 - SCORE_EPSILON))));
        }
        return new FusedRisk(clip(1.0 - survival, 0.0, 1.0), top(terms, topK));
    }

    private static FusedRisk max(List<Input> inputs, int topK) {
        double risk = 0.0;
        List<Contribution> terms = new ArrayList<>(inputs.size());
        for (Input in : inputs) {
            double p = probabilityTerm(in, MAX);
            risk = Math.max(risk, p);
            terms.add(new Contribution(in.name, p));
        }
        return new FusedRisk(risk, top(terms, topK));
    }

    /** w·s for the probability strategies, with s clipped to [0, 1] and w required in [0, 1]. */
    private static double probabilityTerm(Input in, String strategy) {
        if (!(in.weight >= 0.0 && in.weight <= 1.0)) {
            throw new IllegalArgumentException(
                    strategy + " weight " + in.name + " = " + in.weight + " must be in [0, 1]");
        }
        return in.weight * clip(in.value, 0.0, 1.0);
    }

    private static List<Contribution> top(List<Contribution> terms, int topK) {
        return terms.stream()
                .sorted(BY_MAGNITUDE_THEN_NAME)
                .limit(Math.max(0, topK))
                .toList();
    }

    private static double weightOf(Map<String, Double> weights, String name, double fallback) {
        Double w = weights.get(name);
        if (w == null) {
            return fallback;
        }
        if (!Double.isFinite(w)) {
            throw new IllegalArgumentException("fusion weight " + name + " = " + w + " must be finite");
        }
        return w;
    }

    static double clip(double x, double lo, double hi) {
        return Math.max(lo, Math.min(hi, x));
    }

    static double logit(double p) {
        return Math.log(p / (1.0 - p));
    }

    /** Logistic function, computed on the side that cannot overflow. */
    static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    private record Input(String name, double weight, double value, boolean modality) {}
}
