package io.moderato.udfs.drift;

import java.util.Arrays;
import java.util.Optional;

/**
 * ADWIN2 change detector (Bifet &amp; Gavaldà, "Learning from time-changing data with adaptive
 * windowing", SDM 2007): keeps a window of recent values of a bounded stream (e.g. the 0/1 error
 * indicator or the positive indicator of labelled items) and drops its older part whenever the
 * means of an older and a newer sub-window differ by more than ε_cut; {@link #add} returns true
 * when that happens. A Flink POJO: its whole state is primitive fields and fixed-size arrays.
 *
 * <p>The window is compressed into an exponential histogram: level l holds up to
 * {@code maxBuckets} (M, default 5) buckets of 2^l values each, storing their sum and their
 * within-bucket sum of squared deviations; when a level overflows its two oldest buckets merge
 * into one of the next level. Memory is O(M·log W) and a check costs O(M·log W). Every
 * {@code clock} (32) values, every bucket boundary splits the window into W0 (older, n0 items)
 * and W1 (newer, n1 items) and the oldest bucket is dropped while, for some split,
 *
 * <pre>
 *   |μ0 − μ1| &gt; ε_cut = √(2·σ²·m·ln(2·ln W / δ)) + (2/3)·m·ln(2·ln W / δ),
 *   m = 1/(n0 − L + 1) + 1/(n1 − L + 1),   n0, n1 &gt; L + 1,
 * </pre>
 *
 * with σ² the variance of the whole window, δ the confidence (default 0.002), and L the minimum
 * sub-window length (5). This is the paper's variance-based bound as implemented in MOA's
 * reference ADWIN (including its {@code L − 1} length correction, which makes splits near the
 * window ends more conservative). On stationary Bernoulli streams the defaults gave no false alarm
 * in 100 × 10,000 items at p = 0.1 and p = 0.3 (see docs/statistics.md).
 *
 * <p>Checkpointing: buckets live in {@code bucketTotals}/{@code bucketVariances}, flattened as
 * {@code [level · (maxBuckets + 1) + slot]} with slot 0 the oldest bucket of the level, and
 * {@code bucketCounts[level]}; together with the scalar fields they are the complete state, so a
 * copy through the getters and setters (what Flink's PojoSerializer does) resumes exactly. The
 * arrays have {@value #MAX_LEVELS} levels (windows up to M·2^32 values); should the top level
 * ever overflow, its oldest bucket is dropped instead.
 */
public class Adwin {

    /** Confidence parameter δ of the cut test. */
    public static final double DEFAULT_DELTA = 0.002;
    /** Buckets per level M. */
    public static final int DEFAULT_MAX_BUCKETS = 5;
    /** Values between two cut checks. */
    public static final int DEFAULT_CLOCK = 32;
    /** Minimum sub-window length L. */
    public static final int DEFAULT_MIN_SUB_WINDOW_LENGTH = 5;
    /** Levels of the exponential histogram kept in the state arrays. */
    public static final int MAX_LEVELS = 32;
    /** Detector name in {@link DriftSignal}s. */
    public static final String NAME = "ADWIN";

    // configuration
    private double delta;
    private int maxBuckets;
    private int clock;
    private int minSubWindowLength;

    // the window
    private long width;
    private double total;
    /** Σ (x − mean)² over the window. */
    private double variance;

    private int levels;
    private int[] bucketCounts;
    private double[] bucketTotals;
    private double[] bucketVariances;

    // bookkeeping
    private long time;
    private long detections;
    private double lastStatistic = Double.NaN;
    private double lastThreshold = Double.NaN;
    private double lastMeanBefore = Double.NaN;
    private double lastMeanAfter = Double.NaN;

    /** ADWIN with the defaults (δ = 0.002, M = 5, clock 32, L = 5); also the POJO constructor. */
    public Adwin() {
        this(DEFAULT_DELTA);
    }

    /** ADWIN with confidence {@code delta} and the other defaults. */
    public Adwin(double delta) {
        this(delta, DEFAULT_MAX_BUCKETS, DEFAULT_CLOCK, DEFAULT_MIN_SUB_WINDOW_LENGTH);
    }

    /**
     * @param delta confidence of the cut test in (0, 1): smaller means fewer false alarms and later detection
     * @param maxBuckets buckets per level M ≥ 2: larger means finer cut points and more memory
     * @param clock values between cut checks ≥ 1: larger means cheaper and up to clock − 1 values later
     * @param minSubWindowLength L ≥ 1, see the class comment
     */
    public Adwin(double delta, int maxBuckets, int clock, int minSubWindowLength) {
        if (!(delta > 0.0 && delta < 1.0)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (maxBuckets < 2) {
            throw new IllegalArgumentException("maxBuckets must be >= 2, got " + maxBuckets);
        }
        if (clock < 1 || minSubWindowLength < 1) {
            throw new IllegalArgumentException("clock and minSubWindowLength must be >= 1");
        }
        this.delta = delta;
        this.maxBuckets = maxBuckets;
        this.clock = clock;
        this.minSubWindowLength = minSubWindowLength;
        this.bucketCounts = new int[MAX_LEVELS];
        this.bucketTotals = new double[MAX_LEVELS * (maxBuckets + 1)];
        this.bucketVariances = new double[MAX_LEVELS * (maxBuckets + 1)];
    }

    /**
     * Adds one value and, every {@code clock} values, shrinks the window while a cut is found.
     *
     * @param x the next value, finite (for the bound to hold, within a fixed range such as [0, 1])
     * @return true when the window was cut, i.e. a change was detected with this value
     */
    public boolean add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("value must be finite, got " + x);
        }
        time++;
        insert(x);
        boolean change = false;
        if (time % clock == 0 && width > minSubWindowLength) {
            change = shrinkWhileCut();
        }
        if (change) {
            detections++;
        }
        return change;
    }

    private void insert(double x) {
        width++;
        if (width > 1) {
            double deviation = x - total / (width - 1);
            variance += (width - 1) * deviation * deviation / width;
        }
        total += x;
        appendBucket(0, x, 0.0);
        for (int level = 0; level < levels && bucketCounts[level] > maxBuckets; level++) {
            if (level == MAX_LEVELS - 1) {
                removeOldestBucket();
                break;
            }
            mergeTwoOldest(level);
        }
    }

    private int stride() {
        return maxBuckets + 1;
    }

    private void appendBucket(int level, double sum, double sumSquaredDeviations) {
        int slot = level * stride() + bucketCounts[level];
        bucketTotals[slot] = sum;
        bucketVariances[slot] = sumSquaredDeviations;
        bucketCounts[level]++;
        levels = Math.max(levels, level + 1);
    }

    private void mergeTwoOldest(int level) {
        int base = level * stride();
        double size = Math.scalb(1.0, level);
        double s0 = bucketTotals[base];
        double s1 = bucketTotals[base + 1];
        double meanGap = (s0 - s1) / size;
        // Chan et al.'s pairwise update with n0 = n1 = size: n0·n1/(n0 + n1) = size / 2.
        double merged = bucketVariances[base] + bucketVariances[base + 1] + size / 2.0 * meanGap * meanGap;
        removeFromLevel(level, 2);
        appendBucket(level + 1, s0 + s1, merged);
    }

    private void removeFromLevel(int level, int count) {
        int base = level * stride();
        int remaining = bucketCounts[level] - count;
        System.arraycopy(bucketTotals, base + count, bucketTotals, base, remaining);
        System.arraycopy(bucketVariances, base + count, bucketVariances, base, remaining);
        for (int i = remaining; i < bucketCounts[level]; i++) {
            bucketTotals[base + i] = 0.0;
            bucketVariances[base + i] = 0.0;
        }
        bucketCounts[level] = remaining;
        while (levels > 0 && bucketCounts[levels - 1] == 0) {
            levels--;
        }
    }

    /** Drops the oldest bucket (slot 0 of the top level) and updates width, total and variance. */
    private void removeOldestBucket() {
        int top = levels - 1;
        double size = Math.scalb(1.0, top);
        double sum = bucketTotals[top * stride()];
        double within = bucketVariances[top * stride()];
        width -= (long) size;
        total -= sum;
        if (width == 0) {
            total = 0.0;
            variance = 0.0;
        } else {
            double gap = sum / size - total / width;
            variance = Math.max(0.0, variance - within - size * width * gap * gap / (size + width));
        }
        removeFromLevel(top, 1);
    }

    private boolean shrinkWhileCut() {
        boolean change = false;
        boolean cut = true;
        while (cut) {
            cut = false;
            double n = width;
            double windowVariance = variance / n;
            double logTerm = Math.log(2.0 * Math.log(n) / delta);
            double n0 = 0.0;
            double n1 = n;
            double s0 = 0.0;
            double s1 = total;
            scan:
            for (int level = levels - 1; level >= 0; level--) {
                double size = Math.scalb(1.0, level);
                for (int slot = 0; slot < bucketCounts[level]; slot++) {
                    double sum = bucketTotals[level * stride() + slot];
                    n0 += size;
                    n1 -= size;
                    s0 += sum;
                    s1 -= sum;
                    if (level == 0 && slot == bucketCounts[0] - 1) {
                        break scan; // the newest bucket: no split after it
                    }
                    if (n0 > minSubWindowLength + 1 && n1 > minSubWindowLength + 1) {
                        double gap = Math.abs(s0 / n0 - s1 / n1);
                        double m = 1.0 / (n0 - minSubWindowLength + 1) + 1.0 / (n1 - minSubWindowLength + 1);
                        double epsilon = Math.sqrt(2.0 * m * windowVariance * logTerm) + 2.0 / 3.0 * m * logTerm;
                        if (gap > epsilon) {
                            if (!change) {
                                // Report the first (strongest-evidence) cut of this check.
                                lastStatistic = gap;
                                lastThreshold = epsilon;
                                lastMeanBefore = s0 / n0;
                                lastMeanAfter = s1 / n1;
                            }
                            change = true;
                            cut = true;
                            removeOldestBucket();
                            break scan;
                        }
                    }
                }
            }
        }
        return change;
    }

    /** Forgets the window and the last detection (the configuration and detection count stay). */
    public void reset() {
        width = 0;
        total = 0.0;
        variance = 0.0;
        levels = 0;
        Arrays.fill(bucketCounts, 0);
        Arrays.fill(bucketTotals, 0.0);
        Arrays.fill(bucketVariances, 0.0);
        lastStatistic = Double.NaN;
        lastThreshold = Double.NaN;
        lastMeanBefore = Double.NaN;
        lastMeanAfter = Double.NaN;
    }

    /** Number of values in the current window. */
    public long width() {
        return width;
    }

    /** Mean of the current window (NaN when empty): the current estimate of the stream's mean. */
    public double mean() {
        return width > 0 ? total / width : Double.NaN;
    }

    /** Variance of the current window (population form, NaN when empty). */
    public double windowVariance() {
        return width > 0 ? variance / width : Double.NaN;
    }

    /** Number of {@link #add} calls that detected a change. */
    public long detections() {
        return detections;
    }

    /**
     * The most recent detection as a signal: statistic |μ0 − μ1| of the first cut, threshold its
     * ε_cut; empty before the first detection.
     */
    public Optional<DriftSignal> lastSignal() {
        if (Double.isNaN(lastThreshold)) {
            return Optional.empty();
        }
        return Optional.of(DriftSignal.of(NAME, lastStatistic, lastThreshold));
    }

    // ---- POJO accessors (Flink state) -------------------------------------------------------

    public double getDelta() {
        return delta;
    }

    public void setDelta(double delta) {
        this.delta = delta;
    }

    public int getMaxBuckets() {
        return maxBuckets;
    }

    public void setMaxBuckets(int maxBuckets) {
        this.maxBuckets = maxBuckets;
    }

    public int getClock() {
        return clock;
    }

    public void setClock(int clock) {
        this.clock = clock;
    }

    public int getMinSubWindowLength() {
        return minSubWindowLength;
    }

    public void setMinSubWindowLength(int minSubWindowLength) {
        this.minSubWindowLength = minSubWindowLength;
    }

    public long getWidth() {
        return width;
    }

    public void setWidth(long width) {
        this.width = width;
    }

    public double getTotal() {
        return total;
    }

    public void setTotal(double total) {
        this.total = total;
    }

    public double getVariance() {
        return variance;
    }

    public void setVariance(double variance) {
        this.variance = variance;
    }

    public int getLevels() {
        return levels;
    }

    public void setLevels(int levels) {
        this.levels = levels;
    }

    public int[] getBucketCounts() {
        return bucketCounts;
    }

    public void setBucketCounts(int[] bucketCounts) {
        this.bucketCounts = bucketCounts;
    }

    public double[] getBucketTotals() {
        return bucketTotals;
    }

    public void setBucketTotals(double[] bucketTotals) {
        this.bucketTotals = bucketTotals;
    }

    public double[] getBucketVariances() {
        return bucketVariances;
    }

    public void setBucketVariances(double[] bucketVariances) {
        this.bucketVariances = bucketVariances;
    }

    public long getTime() {
        return time;
    }

    public void setTime(long time) {
        this.time = time;
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

    public double getLastThreshold() {
        return lastThreshold;
    }

    public void setLastThreshold(double lastThreshold) {
        this.lastThreshold = lastThreshold;
    }

    public double getLastMeanBefore() {
        return lastMeanBefore;
    }

    public void setLastMeanBefore(double lastMeanBefore) {
        this.lastMeanBefore = lastMeanBefore;
    }

    public double getLastMeanAfter() {
        return lastMeanAfter;
    }

    public void setLastMeanAfter(double lastMeanAfter) {
        this.lastMeanAfter = lastMeanAfter;
    }
}
