package io.moderato.udfs.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inverse-propensity-weighted histogram of labelled scores on fixed, equal-width bins over [0, 1]
 * (100 by default), kept per label with Σw, Σw², item counts, counts of audit samples and
 * Σw·score per bin; from it the confusion counts — and so precision,
 * recall, FPR, prevalence with intervals and the whole PR curve — follow at every bin-edge
 * threshold, as do ECE, Brier and the threshold recommendation ({@link ThresholdRecommender}).
 * Mergeable and a Flink POJO (primitive arrays, public no-arg constructor, getters/setters).
 *
 * <p>Bin i holds scores in [i/B, (i+1)/B); the last bin also holds 1.0. Thresholds are the edges
 * t_k = k/B for k = 0..B and an item is predicted positive at t_k iff its score ≥ t_k; this is
 * exact for every score (bin assignment is aligned to the same floating-point edges), except that
 * at t_B = 1.0 nothing is positive, even a score of exactly 1.0.
 */
public class WeightedScoreHistogram {

    /** Bin count when none is given: thresholds resolved to 0.01. */
    public static final int DEFAULT_BINS = 100;

    /** Reliability bins for {@link #expectedCalibrationError()}: the customary 10. */
    public static final int DEFAULT_RELIABILITY_BINS = 10;

    private double[] positiveWeight;
    private double[] negativeWeight;
    private double[] positiveSquaredWeight;
    private double[] negativeSquaredWeight;
    private long[] positiveCount;
    private long[] negativeCount;
    /** Audit samples per bin, per label: recall's guard, and where more audits would land (recommendations). */
    private long[] positiveAuditedCount;

    private long[] negativeAuditedCount;
    /** Σ w·score per bin, for the mean score of a reliability bin (ECE). */
    private double[] weightedScoreSum;
    /** Σ w (score - label)² over all items, for the Brier score. */
    private double weightedSquaredError;

    /** An empty histogram with {@link #DEFAULT_BINS} bins (also the Flink POJO constructor). */
    public WeightedScoreHistogram() {
        this(DEFAULT_BINS);
    }

    /** An empty histogram with {@code bins} equal-width bins on [0, 1]. */
    public WeightedScoreHistogram(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        positiveWeight = new double[bins];
        negativeWeight = new double[bins];
        positiveSquaredWeight = new double[bins];
        negativeSquaredWeight = new double[bins];
        positiveCount = new long[bins];
        negativeCount = new long[bins];
        positiveAuditedCount = new long[bins];
        negativeAuditedCount = new long[bins];
        weightedScoreSum = new double[bins];
    }

    // ---- bins and edges ---------------------------------------------------------------------

    /** Number of bins. */
    public int bins() {
        return positiveWeight.length;
    }

    /** The k-th bin edge k/bins, k = 0..bins: the thresholds this histogram resolves. */
    public static double edge(int k, int bins) {
        return (double) k / bins;
    }

    /**
     * Index of the bin holding {@code score}, aligned so that {@code score >= edge(k, bins)} iff
     * {@code binOf(score, bins) >= k} for k &lt; bins (a plain floor(score·bins) can be off by one
     * at the edges, e.g. 0.29·100 = 28.999…). Shared with the drift detectors' histograms.
     *
     * @throws IllegalArgumentException if score is outside [0, 1] or NaN
     */
    public static int binOf(double score, int bins) {
        WeightedConfusion.requireScore(score);
        int i = Math.min((int) (score * bins), bins - 1);
        if (i > 0 && score < edge(i, bins)) {
            i--;
        } else if (i + 1 < bins && score >= edge(i + 1, bins)) {
            i++;
        }
        return i;
    }

    /** The edge index nearest to {@code threshold} (thresholds between edges are rounded). */
    public int nearestEdge(double threshold) {
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("threshold is NaN");
        }
        long k = Math.round(threshold * bins());
        return (int) Math.max(0, Math.min(bins(), k));
    }

    // ---- accumulation -----------------------------------------------------------------------

    /** Adds one labelled item that was not an audit sample; see {@link #add(double, boolean, double, boolean)}. */
    public WeightedScoreHistogram add(double score, boolean actualPositive, double weight) {
        return add(score, actualPositive, weight, false);
    }

    /**
     * Adds one labelled item.
     *
     * @param score calibrated score in [0, 1]
     * @param actualPositive the adjudicated label
     * @param weight 1 / propensity, finite and &gt; 0
     * @param auditSample whether the item reached review as a random audit sample
     * @return this
     */
    public WeightedScoreHistogram add(double score, boolean actualPositive, double weight, boolean auditSample) {
        WeightedConfusion.requireWeight(weight);
        int i = binOf(score, bins());
        double w2 = weight * weight;
        int audited = auditSample ? 1 : 0;
        if (actualPositive) {
            positiveWeight[i] += weight;
            positiveSquaredWeight[i] += w2;
            positiveCount[i]++;
            getPositiveAuditedCount()[i] += audited;
        } else {
            negativeWeight[i] += weight;
            negativeSquaredWeight[i] += w2;
            negativeCount[i]++;
            getNegativeAuditedCount()[i] += audited;
        }
        weightedScoreSum[i] += weight * score;
        double error = score - (actualPositive ? 1.0 : 0.0);
        weightedSquaredError += weight * error * error;
        return this;
    }

    /**
     * Adds all of {@code other} into this.
     *
     * @throws IllegalArgumentException if the bin counts differ
     */
    public WeightedScoreHistogram merge(WeightedScoreHistogram other) {
        if (other.bins() != bins()) {
            throw new IllegalArgumentException(
                    "cannot merge histograms with " + bins() + " and " + other.bins() + " bins");
        }
        for (int i = 0; i < bins(); i++) {
            positiveWeight[i] += other.positiveWeight[i];
            negativeWeight[i] += other.negativeWeight[i];
            positiveSquaredWeight[i] += other.positiveSquaredWeight[i];
            negativeSquaredWeight[i] += other.negativeSquaredWeight[i];
            positiveCount[i] += other.positiveCount[i];
            negativeCount[i] += other.negativeCount[i];
            getPositiveAuditedCount()[i] += other.getPositiveAuditedCount()[i];
            getNegativeAuditedCount()[i] += other.getNegativeAuditedCount()[i];
            weightedScoreSum[i] += other.weightedScoreSum[i];
        }
        weightedSquaredError += other.weightedSquaredError;
        return this;
    }

    /** A deep copy. */
    public WeightedScoreHistogram copy() {
        return new WeightedScoreHistogram(bins()).merge(this);
    }

    // ---- confusion at any edge --------------------------------------------------------------

    /** Confusion counts at edge threshold k/bins (k = 0..bins): positive iff score ≥ k/bins. */
    public WeightedConfusion confusionAtEdge(int k) {
        if (k < 0 || k > bins()) {
            throw new IllegalArgumentException("edge index must be in [0, " + bins() + "], got " + k);
        }
        WeightedConfusion c = new WeightedConfusion();
        for (int i = 0; i < bins(); i++) {
            if (i >= k) {
                c.setTruePositiveWeight(c.getTruePositiveWeight() + positiveWeight[i]);
                c.setTruePositiveSquaredWeight(c.getTruePositiveSquaredWeight() + positiveSquaredWeight[i]);
                c.setTruePositiveCount(c.getTruePositiveCount() + positiveCount[i]);
                c.setFalsePositiveWeight(c.getFalsePositiveWeight() + negativeWeight[i]);
                c.setFalsePositiveSquaredWeight(c.getFalsePositiveSquaredWeight() + negativeSquaredWeight[i]);
                c.setFalsePositiveCount(c.getFalsePositiveCount() + negativeCount[i]);
                c.setTruePositiveAuditedCount(c.getTruePositiveAuditedCount() + getPositiveAuditedCount()[i]);
                c.setFalsePositiveAuditedCount(c.getFalsePositiveAuditedCount() + getNegativeAuditedCount()[i]);
            } else {
                c.setFalseNegativeWeight(c.getFalseNegativeWeight() + positiveWeight[i]);
                c.setFalseNegativeSquaredWeight(c.getFalseNegativeSquaredWeight() + positiveSquaredWeight[i]);
                c.setFalseNegativeCount(c.getFalseNegativeCount() + positiveCount[i]);
                c.setTrueNegativeWeight(c.getTrueNegativeWeight() + negativeWeight[i]);
                c.setTrueNegativeSquaredWeight(c.getTrueNegativeSquaredWeight() + negativeSquaredWeight[i]);
                c.setTrueNegativeCount(c.getTrueNegativeCount() + negativeCount[i]);
                c.setFalseNegativeAuditedCount(c.getFalseNegativeAuditedCount() + getPositiveAuditedCount()[i]);
                c.setTrueNegativeAuditedCount(c.getTrueNegativeAuditedCount() + getNegativeAuditedCount()[i]);
            }
        }
        c.setWeightedSquaredError(weightedSquaredError);
        return c;
    }

    /** Confusion counts at the bin edge nearest to {@code threshold}. */
    public WeightedConfusion confusionAt(double threshold) {
        return confusionAtEdge(nearestEdge(threshold));
    }

    /** One point of the threshold sweep; rates are NaN where their denominator has no weight. */
    public record CurvePoint(
            double threshold,
            double truePositiveWeight,
            double falsePositiveWeight,
            double trueNegativeWeight,
            double falseNegativeWeight,
            double precision,
            double recall,
            double falsePositiveRate) {}

    /**
     * The full threshold sweep, one point per edge k = 0..bins in increasing threshold order: the
     * (IPW-estimated) PR and ROC curves.
     */
    public List<CurvePoint> curve() {
        int b = bins();
        double[] tp = suffixSum(positiveWeight);
        double[] fp = suffixSum(negativeWeight);
        double positives = tp[0];
        double negatives = fp[0];
        List<CurvePoint> points = new ArrayList<>(b + 1);
        for (int k = 0; k <= b; k++) {
            double fn = positives - tp[k];
            double tn = negatives - fp[k];
            points.add(new CurvePoint(
                    edge(k, b),
                    tp[k],
                    fp[k],
                    tn,
                    fn,
                    ratio(tp[k], tp[k] + fp[k]),
                    ratio(tp[k], positives),
                    ratio(fp[k], negatives)));
        }
        return points;
    }

    // ---- calibration ------------------------------------------------------------------------

    /**
     * Weighted expected calibration error over {@code reliabilityBins} groups of consecutive
     * histogram bins: Σ_g (W_g / W)·|mean score_g − positive rate_g| = Σ_g |Σ_g w·s − Σ_g w·y| / W.
     * Group g takes histogram bins i with ⌊i·R/B⌋ = g, so groups are equal-width when R divides B.
     * Few, wide reliability bins keep the estimate's upward small-sample bias low.
     *
     * @return the ECE, or NaN when empty
     */
    public double expectedCalibrationError(int reliabilityBins) {
        int b = bins();
        if (reliabilityBins < 1 || reliabilityBins > b) {
            throw new IllegalArgumentException("reliabilityBins must be in [1, " + b + "], got " + reliabilityBins);
        }
        double total = totalWeight();
        if (!(total > 0.0)) {
            return Double.NaN;
        }
        double[] scoreSum = new double[reliabilityBins];
        double[] labelSum = new double[reliabilityBins];
        for (int i = 0; i < b; i++) {
            int g = (int) ((long) i * reliabilityBins / b);
            scoreSum[g] += weightedScoreSum[i];
            labelSum[g] += positiveWeight[i];
        }
        double gap = 0.0;
        for (int g = 0; g < reliabilityBins; g++) {
            gap += Math.abs(scoreSum[g] - labelSum[g]);
        }
        return gap / total;
    }

    /** ECE over {@link #DEFAULT_RELIABILITY_BINS} (or all bins if there are fewer). */
    public double expectedCalibrationError() {
        return expectedCalibrationError(Math.min(DEFAULT_RELIABILITY_BINS, bins()));
    }

    /** Weighted Brier score Σw(s - y)² / Σw; NaN when empty. */
    public double brierScore() {
        double total = totalWeight();
        return total > 0.0 ? weightedSquaredError / total : Double.NaN;
    }

    /** Σw over all items. */
    public double totalWeight() {
        double total = 0.0;
        for (int i = 0; i < bins(); i++) {
            total += positiveWeight[i] + negativeWeight[i];
        }
        return total;
    }

    /** Number of labelled items accumulated. */
    public long labelCount() {
        long n = 0;
        for (int i = 0; i < bins(); i++) {
            n += positiveCount[i] + negativeCount[i];
        }
        return n;
    }

    /**
     * A full report at the bin edge nearest to {@code threshold} (the report's threshold is that
     * edge). For the exact confusion of live decisions off the edges use {@link QualityReport#of}.
     */
    public QualityReport report(double threshold, QualityReport.Settings settings) {
        int k = nearestEdge(threshold);
        return QualityReport.of(edge(k, bins()), confusionAtEdge(k), this, settings);
    }

    private static double ratio(double numerator, double denominator) {
        return denominator > 0.0 ? numerator / denominator : Double.NaN;
    }

    /** s[k] = Σ_{i ≥ k} a[i], with s[length] = 0. */
    static double[] suffixSum(double[] a) {
        double[] s = new double[a.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            s[i] = s[i + 1] + a[i];
        }
        return s;
    }

    static long[] suffixSum(long[] a) {
        long[] s = new long[a.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            s[i] = s[i + 1] + a[i];
        }
        return s;
    }

    // ---- POJO accessors (Flink state) -------------------------------------------------------

    public double[] getPositiveWeight() {
        return positiveWeight;
    }

    public void setPositiveWeight(double[] positiveWeight) {
        this.positiveWeight = positiveWeight;
    }

    public double[] getNegativeWeight() {
        return negativeWeight;
    }

    public void setNegativeWeight(double[] negativeWeight) {
        this.negativeWeight = negativeWeight;
    }

    public double[] getPositiveSquaredWeight() {
        return positiveSquaredWeight;
    }

    public void setPositiveSquaredWeight(double[] positiveSquaredWeight) {
        this.positiveSquaredWeight = positiveSquaredWeight;
    }

    public double[] getNegativeSquaredWeight() {
        return negativeSquaredWeight;
    }

    public void setNegativeSquaredWeight(double[] negativeSquaredWeight) {
        this.negativeSquaredWeight = negativeSquaredWeight;
    }

    public long[] getPositiveCount() {
        return positiveCount;
    }

    public void setPositiveCount(long[] positiveCount) {
        this.positiveCount = positiveCount;
    }

    public long[] getNegativeCount() {
        return negativeCount;
    }

    public void setNegativeCount(long[] negativeCount) {
        this.negativeCount = negativeCount;
    }

    /**
     * Never null: state written before these counts existed restores without them; its labels then
     * count as not audited, which can only make recall's guard withhold more.
     */
    public long[] getPositiveAuditedCount() {
        if (positiveAuditedCount == null) {
            positiveAuditedCount = new long[bins()];
        }
        return positiveAuditedCount;
    }

    public void setPositiveAuditedCount(long[] positiveAuditedCount) {
        this.positiveAuditedCount = positiveAuditedCount;
    }

    /** Never null (see {@link #getPositiveAuditedCount()}). */
    public long[] getNegativeAuditedCount() {
        if (negativeAuditedCount == null) {
            negativeAuditedCount = new long[bins()];
        }
        return negativeAuditedCount;
    }

    public void setNegativeAuditedCount(long[] negativeAuditedCount) {
        this.negativeAuditedCount = negativeAuditedCount;
    }

    public double[] getWeightedScoreSum() {
        return weightedScoreSum;
    }

    public void setWeightedScoreSum(double[] weightedScoreSum) {
        this.weightedScoreSum = weightedScoreSum;
    }

    public double getWeightedSquaredError() {
        return weightedSquaredError;
    }

    public void setWeightedSquaredError(double weightedSquaredError) {
        this.weightedSquaredError = weightedSquaredError;
    }

    @Override
    public String toString() {
        return "WeightedScoreHistogram{bins=" + bins() + ", labels=" + labelCount()
                + ", positiveWeight=" + Arrays.stream(positiveWeight).sum()
                + ", negativeWeight=" + Arrays.stream(negativeWeight).sum() + '}';
    }
}
