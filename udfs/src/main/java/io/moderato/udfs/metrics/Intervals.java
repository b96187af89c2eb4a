package io.moderato.udfs.metrics;

/**
 * Confidence intervals for weighted proportions: the Wilson score interval evaluated on an
 * effective sample size, plus the inverse normal CDF that turns a confidence level into z.
 *
 * <p>A weighted proportion is p = S / (S + F) where S (F) is the summed weight of the items that
 * are (are not) "successes" inside the population the proportion is a share of. Two effective
 * sample sizes are offered:
 *
 * <ul>
 *   <li>{@link #kishEffectiveSampleSize Kish}: n_eff = (Σw)² / Σw². It is exact when the weights
 *       are unrelated to the outcome, and it is what the estimate would be worth if they were.
 *   <li>{@link #linearizedEffectiveSampleSize Linearised} (the default used by the metrics):
 *       n_eff = p(1-p) / V with V = Σ w²(y - p)² / (Σw)², the Taylor-linearised ("sandwich")
 *       variance of the weighted ratio. It equals the Kish value in expectation when weights and
 *       outcome are independent, equals n for unweighted data (so the interval is the textbook
 *       Wilson interval), and, unlike Kish, grows the interval when the heavy weights sit on one
 *       outcome — exactly what review sampling does to recall (missed positives are only seen
 *       through heavily weighted audit samples). It is capped at the raw item count n
 *       (Korn &amp; Graubard 1998) because a variance estimated from a handful of items can be
 *       arbitrarily small, and falls back to Kish when p is 0 or 1 (then V is 0 by construction).
 * </ul>
 *
 * <p>Degenerate inputs never throw: a population with no weight gives {@link Estimate#undefined()};
 * fewer than one effective observation (n_eff &lt; 1) gives the point estimate with the
 * uninformative interval [0, 1].
 */
public final class Intervals {

    /** Two-sided confidence level used when none is configured. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    private Intervals() {}

    // ---------------------------------------------------------------------------------------
    // Inverse normal CDF (Acklam's rational approximation, relative error < 1.15e-9)
    // ---------------------------------------------------------------------------------------

    private static final double[] A = {
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
    };
    private static final double[] B = {
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01
    };
    private static final double[] C = {
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
    };
    private static final double[] D = {
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00
    };
    private static final double P_LOW = 0.02425;

    /**
     * The standard normal quantile Φ⁻¹(p) by Acklam's algorithm (relative error below 1.15e-9 over
     * the whole range, which is far below anything a confidence bound needs, so no refinement step).
     *
     * @param p probability in (0, 1); 0 and 1 give -∞ and +∞
     * @throws IllegalArgumentException if p is outside [0, 1] or NaN
     */
    public static double normalQuantile(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (p == 0.0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        if (p > 0.5) {
            // 1 - p is exact for p >= 0.5 (Sterbenz), so this makes Φ⁻¹(1 - p) = -Φ⁻¹(p) hold
            // exactly, also at the region boundaries where the approximations differ by ~1e-9.
            return -normalQuantile(1.0 - p);
        }
        if (p < P_LOW) {
            return lowerTail(p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0);
    }

    private static double lowerTail(double p) {
        double q = Math.sqrt(-2.0 * Math.log(p));
        return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0);
    }

    /** z such that a two-sided interval has the given coverage, e.g. 0.95 → 1.95996. */
    public static double twoSidedZ(double confidence) {
        requireConfidence(confidence);
        return normalQuantile(1.0 - (1.0 - confidence) / 2.0);
    }

    /** z such that a one-sided bound holds with the given confidence, e.g. 0.95 → 1.64485. */
    public static double oneSidedZ(double confidence) {
        requireConfidence(confidence);
        return normalQuantile(confidence);
    }

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

    // ---------------------------------------------------------------------------------------
    // Wilson intervals
    // ---------------------------------------------------------------------------------------

    /**
     * The Wilson score interval for a proportion observed on {@code effectiveSampleSize} effective
     * observations: centre (p + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) · √(p(1-p)/n + z²/4n²).
     * NaN proportion or n_eff = 0 → {@link Estimate#undefined()}; n_eff &lt; 1 → [0, 1].
     */
    public static Estimate wilson(double proportion, double effectiveSampleSize, double z) {
        if (Double.isNaN(proportion) || !(effectiveSampleSize > 0.0)) {
            return Estimate.undefined();
        }
        if (proportion < 0.0 || proportion > 1.0) {
            throw new IllegalArgumentException("proportion must be in [0, 1], got " + proportion);
        }
        if (effectiveSampleSize < 1.0) {
            // Less than one observation's worth of information: say so rather than pretend.
            return new Estimate(proportion, 0.0, 1.0, effectiveSampleSize);
        }
        double n = effectiveSampleSize;
        double z2 = z * z;
        double denominator = 1.0 + z2 / n;
        double centre = (proportion + z2 / (2.0 * n)) / denominator;
        double half = z / denominator
                * Math.sqrt(proportion * (1.0 - proportion) / n + z2 / (4.0 * n * n));
        // At p = 0 (1) the lower (upper) bound is exactly 0 (1) in exact arithmetic; pin it so that
        // rounding never excludes the point estimate.
        double lower = proportion == 0.0 ? 0.0 : Math.max(0.0, Math.min(proportion, centre - half));
        double upper = proportion == 1.0 ? 1.0 : Math.min(1.0, Math.max(proportion, centre + half));
        return new Estimate(proportion, lower, upper, n);
    }

    /**
     * Weighted proportion S / (S + F) with a two-sided Wilson interval on the
     * {@link #linearizedEffectiveSampleSize linearised effective sample size}.
     */
    public static Estimate weightedProportion(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount,
            double confidence) {
        return weightedProportionWithZ(successWeight, failureWeight, successSquaredWeight,
                failureSquaredWeight, itemCount, twoSidedZ(confidence));
    }

    /**
     * The one-sided lower confidence bound of the weighted proportion S / (S + F): the lower end of
     * a Wilson interval with z = Φ⁻¹(confidence). NaN when the population has no weight.
     */
    public static double weightedProportionLowerBound(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount,
            double confidence) {
        Estimate e = weightedProportionWithZ(successWeight, failureWeight, successSquaredWeight,
                failureSquaredWeight, itemCount, oneSidedZ(confidence));
        return e.isDefined() ? e.lower() : Double.NaN;
    }

    /**
     * Weighted proportion with a two-sided Wilson interval on Kish's effective sample size; kept
     * for comparison (it under-covers when weights correlate with the outcome, see the class
     * comment) and for callers that only have Σw and Σw² of the whole population.
     */
    public static Estimate kishWeightedProportion(
            double successWeight, double totalWeight, double totalSquaredWeight, double confidence) {
        if (!(totalWeight > 0.0)) {
            return Estimate.undefined();
        }
        double p = clamp01(successWeight / totalWeight);
        return wilson(p, kishEffectiveSampleSize(totalWeight, totalSquaredWeight),
                twoSidedZ(confidence));
    }

    private static Estimate weightedProportionWithZ(
            double successWeight,
            double failureWeight,
            double successSquaredWeight,
            double failureSquaredWeight,
            long itemCount,
            double z) {
        double total = successWeight + failureWeight;
        if (!(total > 0.0)) {
            return Estimate.undefined();
        }
        double p = clamp01(successWeight / total);
        double nEff = linearizedEffectiveSampleSize(successWeight, failureWeight,
                successSquaredWeight, failureSquaredWeight, itemCount);
        return wilson(p, nEff, z);
    }

    private static double clamp01(double x) {
        return Math.max(0.0, Math.min(1.0, x));
    }
}
