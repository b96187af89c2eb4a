package io.moderato.udfs.drift;

import java.util.Arrays;

/**
 * Population stability index of a window's score histogram against a reference histogram (e.g.
 * the one in the model manifest): PSI = Σ_i (a_i − r_i)·ln(a_i / r_i) over bin proportions, with
 * an alert when PSI exceeds a threshold (0.2 by default, the customary "significant shift").
 *
 * <p>Two details make it usable on fine (e.g. 100-bin) histograms and small windows:
 *
 * <ul>
 *   <li><b>Smoothing.</b> An empty bin would make ln(a/r) infinite, so both distributions are
 *       smoothed additively before comparison: p_i ← (p_i + ε) / (1 + Bε) with ε = 1e-4 by
 *       default. That caps one empty bin's contribution at a few tenths of a unit instead of ∞
 *       and leaves bins that hold more than ~1% of the mass essentially unchanged.
 *   <li><b>Regrouping.</b> Under no drift PSI is approximately χ²_{B−1} / n for a window of n
 *       items and B bins (its expectation is about (B − 1)/n), so 100 bins and 500 items give
 *       ≈ 0.2 from noise alone. By default both histograms are therefore regrouped into (at most)
 *       10 groups of consecutive bins holding about equal reference mass (reference deciles, the
 *       customary PSI binning), which puts the noise floor at ≈ 9/n. Pass {@code groups = 0} to
 *       compare the bins as given.
 * </ul>
 *
 * Inputs are non-negative counts or proportions (each array is normalised to sum 1) on the same
 * bins; an array with no mass gives a NaN statistic, which never alerts.
 */
public final class PopulationStabilityIndex {

    /** PSI above which a window is flagged; 0.1–0.2 is "moderate", above 0.2 "significant". */
    public static final double DEFAULT_ALERT_THRESHOLD = 0.2;

    /** Additive smoothing of bin proportions, see the class comment. */
    public static final double DEFAULT_EPSILON = 1e-4;

    /** Number of equal-reference-mass groups the bins are merged into before comparing. */
    public static final int DEFAULT_GROUPS = 10;

    /** Detector name in {@link DriftSignal}s. */
    public static final String NAME = "PSI";

    private final double alertThreshold;
    private final double epsilon;
    private final int groups;

    /** PSI &gt; 0.2 alerts, ε = 1e-4, 10 reference-quantile groups. */
    public PopulationStabilityIndex() {
        this(DEFAULT_ALERT_THRESHOLD, DEFAULT_EPSILON, DEFAULT_GROUPS);
    }

    /**
     * @param alertThreshold PSI above which to alert, &gt; 0
     * @param epsilon additive smoothing of proportions, ≥ 0 (0 only if no bin can be empty)
     * @param groups regroup into at most this many equal-reference-mass groups; 0 = keep the bins
     */
    public PopulationStabilityIndex(double alertThreshold, double epsilon, int groups) {
        if (!(alertThreshold > 0.0)) {
            throw new IllegalArgumentException("alertThreshold must be > 0, got " + alertThreshold);
        }
        if (!(epsilon >= 0.0)) {
            throw new IllegalArgumentException("epsilon must be >= 0, got " + epsilon);
        }
        if (groups < 0 || groups == 1) {
            throw new IllegalArgumentException("groups must be 0 (no regrouping) or >= 2, got " + groups);
        }
        this.alertThreshold = alertThreshold;
        this.epsilon = epsilon;
        this.groups = groups;
    }

    /** The PSI of {@code window} against {@code reference} with this instance's smoothing and grouping. */
    public double statistic(double[] reference, double[] window) {
        requireSameBins(reference, window);
        if (groups > 0 && groups < reference.length && mass(reference) > 0.0) {
            int[] starts = quantileGroups(reference, groups);
            return psi(regroup(reference, starts), regroup(window, starts), epsilon);
        }
        return psi(reference, window, epsilon);
    }

    /** The PSI graded against the alert threshold. */
    public DriftSignal evaluate(double[] reference, double[] window) {
        return DriftSignal.of(NAME, statistic(reference, window), alertThreshold);
    }

    /** The configured alert threshold. */
    public double alertThreshold() {
        return alertThreshold;
    }

    /**
     * PSI of two histograms on the same bins, Σ (a_i − r_i)·ln(a_i / r_i) over smoothed
     * proportions (see the class comment); NaN when either has no mass.
     */
    public static double psi(double[] reference, double[] window, double epsilon) {
        requireSameBins(reference, window);
        double referenceMass = mass(reference);
        double windowMass = mass(window);
        if (!(referenceMass > 0.0) || !(windowMass > 0.0)) {
            return Double.NaN;
        }
        double norm = 1.0 + reference.length * epsilon;
        double sum = 0.0;
        for (int i = 0; i < reference.length; i++) {
            double r = (reference[i] / referenceMass + epsilon) / norm;
            double a = (window[i] / windowMass + epsilon) / norm;
            if (r > 0.0 && a > 0.0) {
                sum += (a - r) * Math.log(a / r);
            } else if (r != a) {
                return Double.POSITIVE_INFINITY; // only reachable with epsilon = 0
            }
        }
        return sum;
    }

    /**
     * Start indices of at most {@code groups} runs of consecutive bins holding about equal
     * reference mass: a run closes at the first bin where the cumulative reference mass reaches
     * the next multiple of 1/groups. A bin is never split, so a bin holding several groups' worth
     * of mass yields fewer groups; trailing bins with no reference mass join the last group.
     */
    public static int[] quantileGroups(double[] reference, int groups) {
        double total = mass(reference);
        if (!(total > 0.0)) {
            throw new IllegalArgumentException("reference histogram has no mass");
        }
        int[] starts = new int[Math.min(groups, reference.length)];
        int count = 0;
        starts[count++] = 0;
        double cumulative = 0.0;
        int nextTarget = 1;
        for (int i = 0; i < reference.length - 1 && count < starts.length; i++) {
            cumulative += reference[i];
            double remaining = total - cumulative;
            if (cumulative >= nextTarget * total / groups * (1 - 1e-12) && remaining > 1e-12 * total) {
                starts[count++] = i + 1;
                while (nextTarget * total / groups <= cumulative * (1 + 1e-12)) {
                    nextTarget++;
                }
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /** Sums {@code counts} over the runs of bins starting at {@code groupStarts}. */
    public static double[] regroup(double[] counts, int[] groupStarts) {
        double[] grouped = new double[groupStarts.length];
        for (int g = 0; g < groupStarts.length; g++) {
            int end = g + 1 < groupStarts.length ? groupStarts[g + 1] : counts.length;
            for (int i = groupStarts[g]; i < end; i++) {
                grouped[g] += counts[i];
            }
        }
        return grouped;
    }

    static double mass(double[] histogram) {
        double sum = 0.0;
        for (double v : histogram) {
            if (!(v >= 0.0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("histogram entries must be finite and >= 0, got " + v);
            }
            sum += v;
        }
        return sum;
    }

    static void requireSameBins(double[] reference, double[] window) {
        if (reference.length == 0 || reference.length != window.length) {
            throw new IllegalArgumentException("histograms must have the same, non-zero number of bins: "
                    + reference.length + " vs " + window.length);
        }
    }
}
