package io.moderato.udfs.metrics;

/**
 * Inverse-propensity-weighted confusion counts at one decision threshold, with the per-cell sums
 * of squared weights and item counts that the confidence intervals need and the weighted squared
 * error behind the Brier score. Mergeable (windows, parallel subtasks) and a Flink POJO: public
 * no-arg constructor, primitive fields with getters/setters, no Java serialization.
 *
 * <p>Each observation is one labelled item: its calibrated score, whether it was predicted positive
 * at the threshold, its adjudicated label, and its weight 1/propensity (the inverse of the
 * probability that this item got a label at all). With those weights every sum here is an unbiased
 * (Horvitz–Thompson) estimate of the same sum over all scored items, labelled or not.
 *
 * <p>Which weights enter which proportion (the population in the denominator decides):
 * precision = TP / (TP + FP) over predicted positives, recall = TP / (TP + FN) over actual
 * positives, false-positive rate = FP / (FP + TN) over actual negatives, prevalence =
 * (TP + FN) / all. Every cell keeps Σw, Σw² and a count so that each interval is computed on the
 * items of its own denominator only, plus how many of its items were audit samples (the random
 * AUDIT_ALLOW / AUDIT_ACTION draws): the missed violations below the threshold are only ever seen
 * through the audit sample, so recall's guard counts those.
 */
public class WeightedConfusion {

    private double truePositiveWeight;
    private double falsePositiveWeight;
    private double trueNegativeWeight;
    private double falseNegativeWeight;

    private double truePositiveSquaredWeight;
    private double falsePositiveSquaredWeight;
    private double trueNegativeSquaredWeight;
    private double falseNegativeSquaredWeight;

    private long truePositiveCount;
    private long falsePositiveCount;
    private long trueNegativeCount;
    private long falseNegativeCount;

    /** Items per cell that reached review as audit samples (PolicyDecision.auditSampled). */
    private long truePositiveAuditedCount;

    private long falsePositiveAuditedCount;
    private long trueNegativeAuditedCount;
    private long falseNegativeAuditedCount;

    /** Σ w (score - label)², numerator of the weighted Brier score. */
    private double weightedSquaredError;

    /** An empty accumulator. */
    public WeightedConfusion() {}

    /**
     * Adds one labelled item that was not an audit sample (routed to review, or reviewed for another reason).
     *
     * @see #add(double, boolean, boolean, double, boolean)
     */
    public WeightedConfusion add(double score, boolean predictedPositive, boolean actualPositive, double weight) {
        return add(score, predictedPositive, actualPositive, weight, false);
    }

    /**
     * Adds one labelled item.
     *
     * @param score the calibrated score in [0, 1] (used for the Brier score only)
     * @param predictedPositive whether the item was on the positive side of the threshold
     * @param actualPositive the adjudicated label
     * @param weight 1 / propensity, finite and &gt; 0
     * @param auditSample whether the item reached review as a random audit sample
     * @return this
     * @throws IllegalArgumentException for a score outside [0, 1] or a non-positive/non-finite weight
     */
    public WeightedConfusion add(
            double score, boolean predictedPositive, boolean actualPositive, double weight, boolean auditSample) {
        requireScore(score);
        requireWeight(weight);
        double w2 = weight * weight;
        int audited = auditSample ? 1 : 0;
        if (predictedPositive) {
            if (actualPositive) {
                truePositiveWeight += weight;
                truePositiveSquaredWeight += w2;
                truePositiveCount++;
                truePositiveAuditedCount += audited;
            } else {
                falsePositiveWeight += weight;
                falsePositiveSquaredWeight += w2;
                falsePositiveCount++;
                falsePositiveAuditedCount += audited;
            }
        } else {
            if (actualPositive) {
                falseNegativeWeight += weight;
                falseNegativeSquaredWeight += w2;
                falseNegativeCount++;
                falseNegativeAuditedCount += audited;
            } else {
                trueNegativeWeight += weight;
                trueNegativeSquaredWeight += w2;
                trueNegativeCount++;
                trueNegativeAuditedCount += audited;
            }
        }
        double error = score - (actualPositive ? 1.0 : 0.0);
        weightedSquaredError += weight * error * error;
        return this;
    }

    /** Adds all of {@code other} into this (sums are additive, so merge order does not matter). */
    public WeightedConfusion merge(WeightedConfusion other) {
        truePositiveWeight += other.truePositiveWeight;
        falsePositiveWeight += other.falsePositiveWeight;
        trueNegativeWeight += other.trueNegativeWeight;
        falseNegativeWeight += other.falseNegativeWeight;
        truePositiveSquaredWeight += other.truePositiveSquaredWeight;
        falsePositiveSquaredWeight += other.falsePositiveSquaredWeight;
        trueNegativeSquaredWeight += other.trueNegativeSquaredWeight;
        falseNegativeSquaredWeight += other.falseNegativeSquaredWeight;
        truePositiveCount += other.truePositiveCount;
        falsePositiveCount += other.falsePositiveCount;
        trueNegativeCount += other.trueNegativeCount;
        falseNegativeCount += other.falseNegativeCount;
        truePositiveAuditedCount += other.truePositiveAuditedCount;
        falsePositiveAuditedCount += other.falsePositiveAuditedCount;
        trueNegativeAuditedCount += other.trueNegativeAuditedCount;
        falseNegativeAuditedCount += other.falseNegativeAuditedCount;
        weightedSquaredError += other.weightedSquaredError;
        return this;
    }

    /** A deep copy. */
    public WeightedConfusion copy() {
        return new WeightedConfusion().merge(this);
    }

    // ---- derived metrics --------------------------------------------------------------------

    /** Precision TP / (TP + FP) with a two-sided interval at {@code confidence}. */
    public ProportionEstimate precision(double confidence) {
        return published(Intervals.weightedProportion(
                truePositiveWeight,
                falsePositiveWeight,
                truePositiveSquaredWeight,
                falsePositiveSquaredWeight,
                truePositiveCount + falsePositiveCount,
                confidence));
    }

    /**
     * Recall TP / (TP + FN) with a two-sided interval at {@code confidence}, or withheld when the
     * labels cannot support it. Recall's uncertainty sits in the audit sample: the violations below
     * the threshold are seen only through it, each audited miss standing for 1/rate of them. So
     * recall is withheld with fewer than {@code minimumAuditedLabels} audited misses (false
     * negatives that were audit samples); likewise when the labels at or above the threshold come
     * from the audit sample (auto-actions are only audited) but fewer than that many audited hits
     * back them, and when no violating item at or above the threshold was labelled at all (recall 0
     * would then only mean the audit missed them). Without the hits side, coverage fell to 41–89 %
     * in windows whose ACTION items were audited at 1 % (udfs/docs/statistics.md).
     *
     * @param minimumAuditedLabels the guard, ≥ 0 (0 publishes every defined recall)
     */
    public ProportionEstimate recall(double confidence, int minimumAuditedLabels) {
        if (minimumAuditedLabels < 0) {
            throw new IllegalArgumentException("minimumAuditedLabels must be >= 0, got " + minimumAuditedLabels);
        }
        if (truePositiveCount + falseNegativeCount == 0) {
            return ProportionEstimate.undefined();
        }
        if (falseNegativeAuditedCount < minimumAuditedLabels) {
            return ProportionEstimate.withheld(
                    "only " + falseNegativeAuditedCount + " audited misses (violating audit samples"
                            + " below the threshold); recall needs >= " + minimumAuditedLabels);
        }
        if (minimumAuditedLabels > 0 && truePositiveCount == 0) {
            return ProportionEstimate.withheld("no labelled violating item at or above the threshold");
        }
        if (truePositiveAuditedCount + falsePositiveAuditedCount > 0
                && truePositiveAuditedCount < minimumAuditedLabels) {
            return ProportionEstimate.withheld(
                    "only " + truePositiveAuditedCount + " audited hits (violating audit samples"
                            + " at or above the threshold); recall needs >= " + minimumAuditedLabels);
        }
        return published(Intervals.weightedProportion(
                truePositiveWeight,
                falseNegativeWeight,
                truePositiveSquaredWeight,
                falseNegativeSquaredWeight,
                truePositiveCount + falseNegativeCount,
                confidence));
    }

    /** False-positive rate FP / (FP + TN) with a two-sided interval at {@code confidence}. */
    public ProportionEstimate falsePositiveRate(double confidence) {
        return published(Intervals.weightedProportion(
                falsePositiveWeight,
                trueNegativeWeight,
                falsePositiveSquaredWeight,
                trueNegativeSquaredWeight,
                falsePositiveCount + trueNegativeCount,
                confidence));
    }

    /** Prevalence (TP + FN) / all with a two-sided interval at {@code confidence}. */
    public ProportionEstimate prevalence(double confidence) {
        return published(Intervals.weightedProportion(
                truePositiveWeight + falseNegativeWeight,
                falsePositiveWeight + trueNegativeWeight,
                truePositiveSquaredWeight + falseNegativeSquaredWeight,
                falsePositiveSquaredWeight + trueNegativeSquaredWeight,
                labelCount(),
                confidence));
    }

    /** An estimate on less than one effective labelled item says nothing: withhold it instead. */
    private static ProportionEstimate published(ProportionEstimate e) {
        if (e.isDefined() && e.effectiveSampleSize() < 1.0) {
            return ProportionEstimate.withheld(String.format(
                    java.util.Locale.ROOT,
                    "%.2f effective labelled items: less than one observation's worth",
                    e.effectiveSampleSize()));
        }
        return e;
    }

    /**
     * One-sided lower confidence bound of precision at {@code confidence} (z = Φ⁻¹(confidence)),
     * the quantity a precision obligation is checked against; NaN with no predicted positives.
     */
    public double precisionLowerBound(double confidence) {
        return Intervals.weightedProportionLowerBound(
                truePositiveWeight,
                falsePositiveWeight,
                truePositiveSquaredWeight,
                falsePositiveSquaredWeight,
                truePositiveCount + falsePositiveCount,
                confidence);
    }

    /** Weighted Brier score Σw(s - y)² / Σw; NaN when empty. */
    public double brierScore() {
        double total = totalWeight();
        return total > 0.0 ? weightedSquaredError / total : Double.NaN;
    }

    /** Σw over all labelled items: the estimated number of items the labels stand for. */
    public double totalWeight() {
        return truePositiveWeight + falsePositiveWeight + trueNegativeWeight + falseNegativeWeight;
    }

    /** Σw² over all labelled items. */
    public double totalSquaredWeight() {
        return truePositiveSquaredWeight
                + falsePositiveSquaredWeight
                + trueNegativeSquaredWeight
                + falseNegativeSquaredWeight;
    }

    /** Kish effective sample size of all labelled items, (Σw)² / Σw². */
    public double effectiveSampleSize() {
        return Intervals.kishEffectiveSampleSize(totalWeight(), totalSquaredWeight());
    }

    /** Audited misses: false negatives that were audit samples (recall's guard counts these). */
    public long auditedMisses() {
        return falseNegativeAuditedCount;
    }

    /** Number of labelled items accumulated. */
    public long labelCount() {
        return truePositiveCount + falsePositiveCount + trueNegativeCount + falseNegativeCount;
    }

    /**
     * A report at this confusion's threshold without calibration or recommendation (those need
     * the score histogram: see {@link QualityReport#of}).
     */
    public QualityReport report(double threshold, QualityReport.Settings settings) {
        return QualityReport.of(threshold, this, null, settings);
    }

    static void requireScore(double score) {
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("score must be in [0, 1], got " + score);
        }
    }

    static void requireWeight(double weight) {
        if (!(weight > 0.0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight (1/propensity) must be finite and > 0, got " + weight);
        }
    }

    // ---- POJO accessors (Flink state) -------------------------------------------------------

    public double getTruePositiveWeight() {
        return truePositiveWeight;
    }

    public void setTruePositiveWeight(double truePositiveWeight) {
        this.truePositiveWeight = truePositiveWeight;
    }

    public double getFalsePositiveWeight() {
        return falsePositiveWeight;
    }

    public void setFalsePositiveWeight(double falsePositiveWeight) {
        this.falsePositiveWeight = falsePositiveWeight;
    }

    public double getTrueNegativeWeight() {
        return trueNegativeWeight;
    }

    public void setTrueNegativeWeight(double trueNegativeWeight) {
        this.trueNegativeWeight = trueNegativeWeight;
    }

    public double getFalseNegativeWeight() {
        return falseNegativeWeight;
    }

    public void setFalseNegativeWeight(double falseNegativeWeight) {
        this.falseNegativeWeight = falseNegativeWeight;
    }

    public double getTruePositiveSquaredWeight() {
        return truePositiveSquaredWeight;
    }

    public void setTruePositiveSquaredWeight(double truePositiveSquaredWeight) {
        this.truePositiveSquaredWeight = truePositiveSquaredWeight;
    }

    public double getFalsePositiveSquaredWeight() {
        return falsePositiveSquaredWeight;
    }

    public void setFalsePositiveSquaredWeight(double falsePositiveSquaredWeight) {
        this.falsePositiveSquaredWeight = falsePositiveSquaredWeight;
    }

    public double getTrueNegativeSquaredWeight() {
        return trueNegativeSquaredWeight;
    }

    public void setTrueNegativeSquaredWeight(double trueNegativeSquaredWeight) {
        this.trueNegativeSquaredWeight = trueNegativeSquaredWeight;
    }

    public double getFalseNegativeSquaredWeight() {
        return falseNegativeSquaredWeight;
    }

    public void setFalseNegativeSquaredWeight(double falseNegativeSquaredWeight) {
        this.falseNegativeSquaredWeight = falseNegativeSquaredWeight;
    }

    public long getTruePositiveCount() {
        return truePositiveCount;
    }

    public void setTruePositiveCount(long truePositiveCount) {
        this.truePositiveCount = truePositiveCount;
    }

    public long getFalsePositiveCount() {
        return falsePositiveCount;
    }

    public void setFalsePositiveCount(long falsePositiveCount) {
        this.falsePositiveCount = falsePositiveCount;
    }

    public long getTrueNegativeCount() {
        return trueNegativeCount;
    }

    public void setTrueNegativeCount(long trueNegativeCount) {
        this.trueNegativeCount = trueNegativeCount;
    }

    public long getFalseNegativeCount() {
        return falseNegativeCount;
    }

    public void setFalseNegativeCount(long falseNegativeCount) {
        this.falseNegativeCount = falseNegativeCount;
    }

    public long getTruePositiveAuditedCount() {
        return truePositiveAuditedCount;
    }

    public void setTruePositiveAuditedCount(long truePositiveAuditedCount) {
        this.truePositiveAuditedCount = truePositiveAuditedCount;
    }

    public long getFalsePositiveAuditedCount() {
        return falsePositiveAuditedCount;
    }

    public void setFalsePositiveAuditedCount(long falsePositiveAuditedCount) {
        this.falsePositiveAuditedCount = falsePositiveAuditedCount;
    }

    public long getTrueNegativeAuditedCount() {
        return trueNegativeAuditedCount;
    }

    public void setTrueNegativeAuditedCount(long trueNegativeAuditedCount) {
        this.trueNegativeAuditedCount = trueNegativeAuditedCount;
    }

    public long getFalseNegativeAuditedCount() {
        return falseNegativeAuditedCount;
    }

    public void setFalseNegativeAuditedCount(long falseNegativeAuditedCount) {
        this.falseNegativeAuditedCount = falseNegativeAuditedCount;
    }

    public double getWeightedSquaredError() {
        return weightedSquaredError;
    }

    public void setWeightedSquaredError(double weightedSquaredError) {
        this.weightedSquaredError = weightedSquaredError;
    }

    @Override
    public String toString() {
        return "WeightedConfusion{tp=" + truePositiveWeight + ", fp=" + falsePositiveWeight
                + ", tn=" + trueNegativeWeight + ", fn=" + falseNegativeWeight
                + ", labels=" + labelCount() + '}';
    }
}
