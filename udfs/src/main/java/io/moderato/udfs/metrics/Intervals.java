package io.moderato.udfs.metrics;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Beta;

/**
 * Confidence intervals for weighted proportions: an exact (Clopper–Pearson) binomial interval
 * evaluated on a conservative effective sample size.
 *
 * <p>A weighted proportion is p = S / (S + F) where S (F) is the summed weight of the items that
 * are (are not) "successes" inside the population the proportion is a share of. Its interval is
 * the Clopper–Pearson interval of p·n successes in n trials at n = n_eff (Korn &amp; Graubard 1998):
 * the Beta(x, n − x + 1) and Beta(x + 1, n − x) quantiles, with real-valued x and n. The effective
 * sample size is the smallest of three (see {@link #conservativeEffectiveSampleSize}):
 *
 * <ul>
 *   <li>{@link #kishEffectiveSampleSize Kish}: n_eff = (Σw)² / Σw², what the labels would be worth
 *       if the weights were unrelated to the outcome. It catches a heavily weighted group that
 *       happens to be all one outcome (18 audited items all positive look like certainty to a
 *       variance estimated from them);
 *   <li>{@link #linearizedEffectiveSampleSize linearised}: n_eff = p(1-p) / V with
 *       V = Σ w²(y - p)² / (Σw)², the Taylor-linearised variance of the weighted ratio. It catches
 *       heavy weights sitting on one outcome, which is what review sampling does to recall (missed
 *       positives are only seen through heavily weighted audit samples) and which Kish ignores;
 *   <li>the raw item count.
 * </ul>
 *
 * <p>Why this method: on 1,000 seeded review-sampling worlds per scenario (62 scenarios: windows of
 * 130 to 10,000 labels, prevalence 1 % to 5 %, audit rates 1 % to 20 %, review capacity at 60 % of
 * load) every published 95 % interval covered the truth in ≥ 95.4 % of windows; the Wilson interval
 * on the linearised n_eff alone, used before, fell to 91.1 % for precision, 88.8 % for FPR and 39.4 %
 * for recall on the same windows (udfs/docs/statistics.md has the
 * table). Degenerate inputs never throw: a population with no weight gives
 * {@link ProportionEstimate#undefined()}; fewer than one effective observation gives the point estimate
 * with the uninformative interval [0, 1].
 */
public final class Intervals {

    /** Two-sided confidence level used when none is configured. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    private Intervals() {}

    /** z such that a two-sided normal interval has the given coverage, e.g. 0.95 → 1.95996. */
    public static double twoSidedZ(double confidence) {
        requireConfidence(confidence);
        return STANDARD_NORMAL.inverseCumulativeProbability(1.0 - (1.0 - confidence) / 2.0);
    }

    /** z such that a one-sided bound holds with the given confidence, e.g. 0.95 → 1.64485. */
    public static double oneSidedZ(double confidence) {
        requireConfidence(confidence);
        return STANDARD_NORMAL.inverseCumulativeProbability(confidence);
    }

    /**
     * The Wilson score interval for a proportion of {@code sampleSize} unweighted observations (model
     * evaluation on a labelled split, where every item counts once): centre (p + z²/2n) / (1 + z²/n),
     * half-width z/(1 + z²/n) · √(p(1-p)/n + z²/4n²). The weighted metrics of the FeedbackJob use
     * {@link #weightedProportion} instead. NaN proportion or n = 0 → {@link ProportionEstimate#undefined()};
     * n &lt; 1 → [0, 1].
     */
    public static ProportionEstimate wilson(double proportion, double sampleSize, double z) {
        if (Double.isNaN(proportion) || !(sampleSize > 0.0)) {
            return ProportionEstimate.undefined();
        }
        if (proportion < 0.0 || proportion > 1.0) {
            throw new IllegalArgumentException("proportion must be in [0, 1], got " + proportion);
        }
        if (sampleSize < 1.0) {
            return new ProportionEstimate(proportion, 0.0, 1.0, sampleSize);
        }
        double n = sampleSize;
        double z2 = z * z;
        double denominator = 1.0 + z2 / n;
        double centre = (proportion + z2 / (2.0 * n)) / denominator;
        double half = z / denominator * Math.sqrt(proportion * (1.0 - proportion) / n + z2 / (4.0 * n * n));
        // At p = 0 (1) the lower (upper) bound is exactly 0 (1); pin it so rounding never excludes the estimate.
        double lower = proportion == 0.0 ? 0.0 : Math.max(0.0, Math.min(proportion, centre - half));
        double upper = proportion == 1.0 ? 1.0 : Math.min(1.0, Math.max(proportion, centre + half));
        return new ProportionEstimate(proportion, lower, upper, n);
    }

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0.0, 1.0);

    private static void requireConfidence(double confidence) {
        if (!(confidence > 0.0 && confidence < 1.0)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Effective sample sizes
    // ---------------------------------------------------------------------------------------

    /** Kish's effective sample size (Σw)² / Σw²; 0 when there is no weight. */
    public static double kishEffectiveSampleSize(double sumWeights, double sumSquaredWeights) {
        if (sumWeights <= 0.0 || sumSquaredWeights <= 0.0) {
            return 0.0;
        }
        return sumWeights * sumWeights / sumSquaredWeights;
    }

    /**
     * Effective sample size of the weighted proportion S / (S + F) from its linearised variance,
     * capped at {@code itemCount}; see the class comment for why and for the Kish fallback.
     *
     * @param successWeight S, summed weight of successes
     * @param failureWeight F, summed weight of failures
     * @param successSquaredWeight Σw² over successes
     * @param failureSquaredWeight Σw² over failures
     * @param itemCount number of items behind the sums (the cap); ≤ 0 when unknown (no cap)
     */
    public static double linearizedEffectiveSampleSize(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount) {
        double total = successWeight + failureWeight;
        if (total <= 0.0) {
            return 0.0;
        }
        double p = successWeight / total;
        double q = 1.0 - p;
        // Σ w²(y - p)² split by outcome: successes deviate by (1 - p), failures by p.
        double spread = q * q * successSquaredWeight + p * p * failureSquaredWeight;
        double nEff;
        if (successWeight == 0.0 || failureWeight == 0.0 || spread <= 0.0) {
            nEff = kishEffectiveSampleSize(total, successSquaredWeight + failureSquaredWeight);
        } else {
            nEff = p * q * total * total / spread;
        }
        return itemCount > 0 ? Math.min(nEff, (double) itemCount) : nEff;
    }

    /**
     * The effective sample size the intervals use: the smallest of Kish's (Σw)²/Σw² over the whole
     * population, the {@link #linearizedEffectiveSampleSize linearised} one and {@code itemCount}
     * (when &gt; 0). Each guards against a way weights can make labels look more informative than
     * they are (class comment).
     */
    public static double conservativeEffectiveSampleSize(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount) {
        double kish =
                kishEffectiveSampleSize(successWeight + failureWeight, successSquaredWeight + failureSquaredWeight);
        return Math.min(
                kish,
                linearizedEffectiveSampleSize(
                        successWeight, failureWeight, successSquaredWeight, failureSquaredWeight, itemCount));
    }

    // ---------------------------------------------------------------------------------------
    // Clopper–Pearson intervals
    // ---------------------------------------------------------------------------------------

    /**
     * The two-sided Clopper–Pearson interval for a proportion observed on
     * {@code effectiveSampleSize} effective trials: x = proportion × n successes,
     * [Beta⁻¹(α/2; x, n − x + 1), Beta⁻¹(1 − α/2; x + 1, n − x)] with α = 1 − confidence, the
     * lower end 0 at x = 0 and the upper end 1 at x = n. NaN proportion or n = 0 →
     * {@link ProportionEstimate#undefined()}; n &lt; 1 → [0, 1].
     */
    public static ProportionEstimate clopperPearson(double proportion, double effectiveSampleSize, double confidence) {
        requireConfidence(confidence);
        if (Double.isNaN(proportion) || !(effectiveSampleSize > 0.0)) {
            return ProportionEstimate.undefined();
        }
        requireProportion(proportion);
        if (effectiveSampleSize < 1.0) {
            // Less than one observation's worth of information: say so rather than pretend.
            return new ProportionEstimate(proportion, 0.0, 1.0, effectiveSampleSize);
        }
        double alpha = 1.0 - confidence;
        double lower = lowerBound(proportion, effectiveSampleSize, alpha / 2.0);
        double upper = 1.0 - lowerBound(1.0 - proportion, effectiveSampleSize, alpha / 2.0);
        // rounding of the Beta quantiles must never exclude the point estimate
        return new ProportionEstimate(
                proportion, Math.min(lower, proportion), Math.max(upper, proportion), effectiveSampleSize);
    }

    /**
     * The one-sided Clopper–Pearson lower bound at {@code confidence}: Beta⁻¹(1 − confidence;
     * x, n − x + 1) with x = proportion × n; 0 when x = 0 or n &lt; 1, NaN when undefined.
     */
    public static double clopperPearsonLowerBound(double proportion, double effectiveSampleSize, double confidence) {
        requireConfidence(confidence);
        if (Double.isNaN(proportion) || !(effectiveSampleSize > 0.0)) {
            return Double.NaN;
        }
        requireProportion(proportion);
        if (effectiveSampleSize < 1.0) {
            return 0.0;
        }
        return Math.min(proportion, lowerBound(proportion, effectiveSampleSize, 1.0 - confidence));
    }

    /**
     * Whether the one-sided Clopper–Pearson lower bound at {@code confidence} is at least
     * {@code bound} — the test "proportion ≥ bound" — from one regularised incomplete Beta value
     * instead of a quantile search: Beta⁻¹(α; x, n − x + 1) ≥ b ⟺ I_b(x, n − x + 1) ≤ α. Agrees
     * with {@link #clopperPearsonLowerBound} (0 for n &lt; 1); false when undefined.
     */
    public static boolean clopperPearsonLowerBoundAtLeast(
            double proportion, double effectiveSampleSize, double bound, double confidence) {
        requireConfidence(confidence);
        if (Double.isNaN(proportion) || !(effectiveSampleSize > 0.0)) {
            return false;
        }
        requireProportion(proportion);
        if (bound <= 0.0) {
            return true;
        }
        double x = proportion * effectiveSampleSize;
        if (effectiveSampleSize < 1.0 || x <= 0.0 || bound > proportion) {
            return false;
        }
        return Beta.regularizedBeta(bound, x, effectiveSampleSize - x + 1.0) <= 1.0 - confidence;
    }

    /** Beta⁻¹(tail; x, n − x + 1) with x = p·n, or 0 at x = 0. */
    private static double lowerBound(double p, double n, double tail) {
        double x = p * n;
        if (x <= 0.0) {
            return 0.0;
        }
        // (RandomGenerator) null: no sampling, so no Mersenne-Twister seeding per call
        return new BetaDistribution(null, x, n - x + 1.0, QUANTILE_ACCURACY).inverseCumulativeProbability(tail);
    }

    /** Absolute accuracy of the Beta quantiles: far below anything a reported bound shows. */
    private static final double QUANTILE_ACCURACY = 1e-10;

    private static void requireProportion(double proportion) {
        if (proportion < 0.0 || proportion > 1.0) {
            throw new IllegalArgumentException("proportion must be in [0, 1], got " + proportion);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Weighted proportions
    // ---------------------------------------------------------------------------------------

    /**
     * Weighted proportion S / (S + F) with a two-sided Clopper–Pearson interval on the
     * {@link #conservativeEffectiveSampleSize conservative effective sample size}.
     */
    public static ProportionEstimate weightedProportion(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount,
            double confidence) {
        WeightedSample sample = WeightedSample.of(
                successWeight, failureWeight, successSquaredWeight, failureSquaredWeight, itemCount, confidence);
        return sample == null
                ? ProportionEstimate.undefined()
                : clopperPearson(sample.proportion(), sample.effectiveSampleSize(), confidence);
    }

    /**
     * The one-sided lower confidence bound of the weighted proportion S / (S + F) at
     * {@code confidence}: the Clopper–Pearson lower bound on the conservative effective sample
     * size. NaN when the population has no weight.
     */
    public static double weightedProportionLowerBound(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount,
            double confidence) {
        WeightedSample sample = WeightedSample.of(
                successWeight, failureWeight, successSquaredWeight, failureSquaredWeight, itemCount, confidence);
        return sample == null
                ? Double.NaN
                : clopperPearsonLowerBound(sample.proportion(), sample.effectiveSampleSize(), confidence);
    }

    /** The point S / (S + F) and its conservative effective sample size, shared by both weighted forms. */
    private record WeightedSample(double proportion, double effectiveSampleSize) {

        /** Null when the population has no weight (the confidence is still checked, so a bad one never passes). */
        static WeightedSample of(
                double successWeight,
                double failureWeight,
                double successSquaredWeight,
                double failureSquaredWeight,
                long itemCount,
                double confidence) {
            double total = successWeight + failureWeight;
            if (!(total > 0.0)) {
                requireConfidence(confidence);
                return null;
            }
            double proportion = Math.max(0.0, Math.min(1.0, successWeight / total));
            return new WeightedSample(
                    proportion,
                    conservativeEffectiveSampleSize(
                            successWeight, failureWeight, successSquaredWeight, failureSquaredWeight, itemCount));
        }
    }
}
