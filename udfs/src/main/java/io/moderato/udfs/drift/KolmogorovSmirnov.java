package io.moderato.udfs.drift;

/**
 * Kolmogorov–Smirnov distance between a window's binned score distribution and a reference one,
 * D = max_k |F_window(k) − F_reference(k)| over the bin edges, with the asymptotic Kolmogorov
 * p-value and the critical value that D must exceed for an alert at significance α (0.001 by
 * default: the test runs once per window and per policy × model × surface, so α = 0.01 with
 * 1,000-item windows already alarmed on 5% of stationary 10,000-item streams).
 *
 * <p>The p-value uses Stephens' small-sample correction, P(D &gt; d) ≈ Q_KS((√n_e + 0.12 +
 * 0.11/√n_e)·d) with Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}, where n_e = n for a reference
 * that is a known distribution and n·m/(n + m) for a reference that is itself a sample of m
 * items. Evaluating D only at bin edges can only lower it, and the asymptotic law assumes a
 * continuous distribution, so on binned data the test is conservative (fewer false alarms than
 * α). On very large windows any tiny, harmless shift becomes significant; a
 * {@code minimumStatistic} floor on the threshold keeps alerts to shifts that matter.
 */
public final class KolmogorovSmirnov {

    /** Significance level of the alert when none is configured. */
    public static final double DEFAULT_ALPHA = 0.001;

    /** Detector name in {@link DriftSignal}s. */
    public static final String NAME = "KS";

    private final double alpha;
    private final double minimumStatistic;

    /** Alerts at α = 0.001 with no floor on D. */
    public KolmogorovSmirnov() {
        this(DEFAULT_ALPHA, 0.0);
    }

    /**
     * @param alpha significance level in (0, 1)
     * @param minimumStatistic the threshold is never below this D (0 = pure significance test)
     */
    public KolmogorovSmirnov(double alpha, double minimumStatistic) {
        if (!(alpha > 0.0 && alpha < 1.0)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (!(minimumStatistic >= 0.0 && minimumStatistic < 1.0)) {
            throw new IllegalArgumentException("minimumStatistic must be in [0, 1), got " + minimumStatistic);
        }
        this.alpha = alpha;
        this.minimumStatistic = minimumStatistic;
    }

    /**
     * D of the window (raw counts, so that n is known) against a reference taken as the exact
     * distribution (counts or proportions).
     */
    public DriftSignal evaluate(double[] reference, double[] windowCounts) {
        return evaluate(reference, windowCounts, Double.POSITIVE_INFINITY);
    }

    /**
     * D of the window (raw counts) against a reference that is a sample of
     * {@code referenceSampleSize} items (+∞ for an exact distribution). An empty window gives a
     * NaN statistic against threshold 1, which never alerts.
     */
    public DriftSignal evaluate(double[] reference, double[] windowCounts, double referenceSampleSize) {
        double d = statistic(reference, windowCounts);
        double n = PopulationStabilityIndex.mass(windowCounts);
        if (!(n > 0.0) || Double.isNaN(d)) {
            return DriftSignal.of(NAME, Double.NaN, 1.0);
        }
        double threshold =
                Math.max(minimumStatistic, criticalValue(alpha, effectiveSampleSize(n, referenceSampleSize)));
        return DriftSignal.of(NAME, d, threshold);
    }

    /** D between two histograms on the same bins (each normalised to sum 1); NaN if either is empty. */
    public static double statistic(double[] reference, double[] window) {
        PopulationStabilityIndex.requireSameBins(reference, window);
        double referenceMass = PopulationStabilityIndex.mass(reference);
        double windowMass = PopulationStabilityIndex.mass(window);
        if (!(referenceMass > 0.0) || !(windowMass > 0.0)) {
            return Double.NaN;
        }
        double referenceCdf = 0.0;
        double windowCdf = 0.0;
        double d = 0.0;
        // Both CDFs reach 1 at the last edge, so it is left out (it would only add rounding noise).
        for (int i = 0; i < reference.length - 1; i++) {
            referenceCdf += reference[i] / referenceMass;
            windowCdf += window[i] / windowMass;
            d = Math.max(d, Math.abs(windowCdf - referenceCdf));
        }
        return d;
    }

    /** n_e: n against an exact reference (m = +∞ or m ≤ 0), else n·m / (n + m). */
    public static double effectiveSampleSize(double n, double m) {
        if (Double.isInfinite(m) || !(m > 0.0)) {
            return n;
        }
        return n * m / (n + m);
    }

    /** Asymptotic P(D &gt; d) for effective sample size n_e (Stephens-corrected). */
    public static double pValue(double d, double effectiveSampleSize) {
        double sqrtN = Math.sqrt(effectiveSampleSize);
        return kolmogorovSurvival((sqrtN + 0.12 + 0.11 / sqrtN) * d);
    }

    /** The D with {@link #pValue} = alpha for effective sample size n_e. */
    public static double criticalValue(double alpha, double effectiveSampleSize) {
        if (!(effectiveSampleSize > 0.0)) {
            throw new IllegalArgumentException("effective sample size must be > 0, got " + effectiveSampleSize);
        }
        double sqrtN = Math.sqrt(effectiveSampleSize);
        return kolmogorovQuantile(alpha) / (sqrtN + 0.12 + 0.11 / sqrtN);
    }

    /**
     * Q_KS(λ) = P(K &gt; λ) for the Kolmogorov distribution, to ~1e-12: the alternating series for
     * λ ≥ 1, the Jacobi-transformed series 1 − (√(2π)/λ) Σ e^{−(2j−1)²π²/(8λ²)} below (where the
     * first one converges slowly).
     */
    public static double kolmogorovSurvival(double lambda) {
        if (!(lambda > 0.0)) {
            return 1.0;
        }
        if (lambda < 1.0) {
            double sum = 0.0;
            double factor = -Math.PI * Math.PI / (8.0 * lambda * lambda);
            for (int j = 1; j <= 50; j++) {
                double term = Math.exp(factor * (2 * j - 1) * (2 * j - 1));
                sum += term;
                if (term < 1e-16 * sum) {
                    break;
                }
            }
            return Math.max(0.0, Math.min(1.0, 1.0 - Math.sqrt(2.0 * Math.PI) / lambda * sum));
        }
        double sum = 0.0;
        double sign = 1.0;
        for (int j = 1; j <= 100; j++) {
            double term = Math.exp(-2.0 * j * j * lambda * lambda);
            sum += sign * term;
            if (term < 1e-16) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0.0, Math.min(1.0, 2.0 * sum));
    }

    /** λ with Q_KS(λ) = alpha, by bisection (Q_KS is decreasing). */
    static double kolmogorovQuantile(double alpha) {
        double low = 0.0;
        double high = 10.0;
        for (int i = 0; i < 200 && high - low > 1e-14; i++) {
            double mid = 0.5 * (low + high);
            if (kolmogorovSurvival(mid) > alpha) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return 0.5 * (low + high);
    }
}
