package io.moderato.udfs.drift;

import java.util.Optional;

/**
 * Page-Hinkley test for a change in the mean of a stream (e.g. the 0/1 error indicator of
 * labelled items): it accumulates deviations from the running mean beyond a tolerated magnitude
 * δ and signals when the accumulation exceeds λ, then restarts on the new regime. Detects
 * increases, and decreases too when enabled. A Flink POJO made of primitive fields.
 *
 * <p>With x̄_t the running mean of the values since the last restart,
 *
 * <pre>
 *   U_t = max(0, α·U_{t−1} + (x_t − x̄_t − δ))     (increase)
 *   L_t = max(0, α·L_{t−1} + (x̄_t − x_t − δ))     (decrease)
 * </pre>
 *
 * which equals the classic m_T − min_t m_t form for α = 1; α &lt; 1 forgets old evidence. An
 * alarm is raised when U_t (or L_t) &gt; λ, but not before {@code minInstances} values.
 *
 * <p>Defaults (δ = 0.02, λ = 50, α = 1, 30 instances) are tuned for 0/1 indicators with rates up to
 * 0.5. Under no change, U is a reflected random walk with drift −δ and variance σ² = p(1 − p) ≤
 * 0.25, whose mean time to exceed λ is about (σ²/2δ²)·(e^{2δλ/σ²} − 1 − 2δλ/σ²) values — ≈ 9·10⁵
 * at p = 0.5, 4·10⁶ at p = 0.3, 10¹¹ at p = 0.1 — i.e. at most ~1% false alarms per 10,000 values
 * per direction (λ = 40 gave 9% two-sided at p = 0.5 over 1,000 seeds, hence 50). A rise of Δ in
 * the rate is detected after about λ / (Δ − δ) values: ≈ 270 for 0.1 → 0.3, ≈ 1,700–2,000 for
 * 0.1 → 0.15. Measured figures are in docs/statistics.md. PH is not scale-free: for other inputs
 * scale δ with the size of change that matters and λ with the variance.
 */
public class PageHinkley {

    /** Tolerated change magnitude δ: smaller changes are never signalled. */
    public static final double DEFAULT_DELTA = 0.02;
    /** Alarm threshold λ. */
    public static final double DEFAULT_LAMBDA = 50.0;
    /** Forgetting factor α (1 = none). */
    public static final double DEFAULT_ALPHA = 1.0;
    /** Values after a (re)start before an alarm may be raised. */
    public static final int DEFAULT_MIN_INSTANCES = 30;
    /** Detector name in {@link DriftSignal}s. */
    public static final String NAME = "PAGE_HINKLEY";

    // configuration
    private double delta;
    private double lambda;
    private double alpha;
    private int minInstances;
    private boolean detectDecreases;

    // state since the last restart
    private long count;
    private double mean;
    private double increaseSum;
    private double decreaseSum;

    // bookkeeping
    private long detections;
    private double lastStatistic = Double.NaN;
    private boolean lastWasIncrease;

    /** Increase-only Page-Hinkley with the defaults; also the POJO constructor. */
    public PageHinkley() {
        this(DEFAULT_DELTA, DEFAULT_LAMBDA, DEFAULT_ALPHA, DEFAULT_MIN_INSTANCES, false);
    }

    /**
     * @param delta tolerated magnitude δ ≥ 0
     * @param lambda alarm threshold λ &gt; 0
     * @param alpha forgetting factor in (0, 1]
     * @param minInstances values after a (re)start before alarms, ≥ 1
     * @param detectDecreases whether decreases of the mean also alarm
     */
    public PageHinkley(double delta, double lambda, double alpha, int minInstances, boolean detectDecreases) {
        if (!(delta >= 0.0) || !(lambda > 0.0) || !(alpha > 0.0 && alpha <= 1.0) || minInstances < 1) {
            throw new IllegalArgumentException("need delta >= 0, lambda > 0, 0 < alpha <= 1, minInstances >= 1; got "
                    + delta + ", " + lambda + ", " + alpha + ", " + minInstances);
        }
        this.delta = delta;
        this.lambda = lambda;
        this.alpha = alpha;
        this.minInstances = minInstances;
        this.detectDecreases = detectDecreases;
    }

    /** Default parameters, detecting both increases and decreases (e.g. for the positive rate). */
    public static PageHinkley twoSided() {
        return new PageHinkley(DEFAULT_DELTA, DEFAULT_LAMBDA, DEFAULT_ALPHA, DEFAULT_MIN_INSTANCES, true);
    }

    /**
     * Adds one value.
     *
     * @return true when a change is detected with this value (the test then restarts)
     */
    public boolean add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("value must be finite, got " + x);
        }
        count++;
        mean += (x - mean) / count;
        increaseSum = Math.max(0.0, alpha * increaseSum + (x - mean - delta));
        decreaseSum = Math.max(0.0, alpha * decreaseSum + (mean - x - delta));
        if (count < minInstances) {
            return false;
        }
        boolean increase = increaseSum > lambda;
        boolean decrease = detectDecreases && decreaseSum > lambda;
        if (!increase && !decrease) {
            return false;
        }
        detections++;
        lastWasIncrease = increase;
        lastStatistic = increase ? increaseSum : decreaseSum;
        restart();
        return true;
    }

    /** Forgets the running mean and sums (configuration and detection bookkeeping stay). */
    public void restart() {
        count = 0;
        mean = 0.0;
        increaseSum = 0.0;
        decreaseSum = 0.0;
    }

    /** The current test statistic: max(U, L) if decreases are detected, else U. */
    public double statistic() {
        return detectDecreases ? Math.max(increaseSum, decreaseSum) : increaseSum;
    }

    /** Running mean since the last restart (0 before the first value). */
    public double mean() {
        return mean;
    }

    /** Number of detections so far. */
    public long detections() {
        return detections;
    }

    /** Whether the last detection was an increase (false before any detection or for a decrease). */
    public boolean lastWasIncrease() {
        return lastWasIncrease;
    }

    /** The most recent detection: statistic U (or L) at the alarm against λ; empty before any. */
    public Optional<DriftSignal> lastSignal() {
        if (Double.isNaN(lastStatistic)) {
            return Optional.empty();
        }
        return Optional.of(DriftSignal.of(NAME, lastStatistic, lambda));
    }

    // ---- POJO accessors (Flink state) -------------------------------------------------------

    public double getDelta() {
        return delta;
    }

    public void setDelta(double delta) {
        this.delta = delta;
    }

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = lambda;
    }

    public double getAlpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        this.alpha = alpha;
    }

    public int getMinInstances() {
        return minInstances;
    }

    public void setMinInstances(int minInstances) {
        this.minInstances = minInstances;
    }

    public boolean isDetectDecreases() {
        return detectDecreases;
    }

    public void setDetectDecreases(boolean detectDecreases) {
        this.detectDecreases = detectDecreases;
    }

    public long getCount() {
        return count;
    }

    public void setCount(long count) {
        this.count = count;
    }

    public double getMean() {
        return mean;
    }

    public void setMean(double mean) {
        this.mean = mean;
    }

    public double getIncreaseSum() {
        return increaseSum;
    }

    public void setIncreaseSum(double increaseSum) {
        this.increaseSum = increaseSum;
    }

    public double getDecreaseSum() {
        return decreaseSum;
    }

    public void setDecreaseSum(double decreaseSum) {
        this.decreaseSum = decreaseSum;
    }

    public long getDetections() {
        return detections;
    }

    public void setDetections(long detections) {
        this.detections = detections;
    }

    public double getLastStatistic() {
        return lastStatistic;
    }

    public void setLastStatistic(double lastStatistic) {
        this.lastStatistic = lastStatistic;
    }

    public boolean isLastWasIncrease() {
        return lastWasIncrease;
    }

    public void setLastWasIncrease(boolean lastWasIncrease) {
        this.lastWasIncrease = lastWasIncrease;
    }
}
