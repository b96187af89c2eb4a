package io.moderato.udfs.metrics;

import java.util.Objects;

/**
 * Immutable snapshot of a model's quality at one threshold: IPW confusion weights, precision,
 * recall, false-positive rate and prevalence with two-sided intervals (each may be withheld, with
 * the reason, when the labels cannot support it), calibration (ECE, Brier), and the threshold
 * recommendation for the policy's precision obligation.
 *
 * @param threshold the decision threshold the confusion counts are for
 * @param confidence two-sided confidence level of the four intervals
 * @param truePositiveWeight Σw over true positives
 * @param falsePositiveWeight Σw over false positives
 * @param trueNegativeWeight Σw over true negatives
 * @param falseNegativeWeight Σw over false negatives
 * @param precision TP / (TP + FP)
 * @param recall TP / (TP + FN), withheld by the audited-label guard
 * @param falsePositiveRate FP / (FP + TN)
 * @param prevalence (TP + FN) / all
 * @param expectedCalibrationError weighted ECE over reliability bins; NaN without a histogram
 * @param brierScore weighted mean of (score - label)²; NaN when empty
 * @param effectiveSampleSize Kish n_eff of all labelled items, (Σw)² / Σw²
 * @param labelCount number of labelled items behind the snapshot
 * @param auditedMisses labelled false negatives that were audit samples (recall's guard)
 * @param recommendation the threshold recommendation, or why there is none
 */
public record QualityReport(
        double threshold,
        double confidence,
        double truePositiveWeight,
        double falsePositiveWeight,
        double trueNegativeWeight,
        double falseNegativeWeight,
        ProportionEstimate precision,
        ProportionEstimate recall,
        ProportionEstimate falsePositiveRate,
        ProportionEstimate prevalence,
        double expectedCalibrationError,
        double brierScore,
        double effectiveSampleSize,
        long labelCount,
        long auditedMisses,
        ThresholdRecommendation recommendation) {

    /** Default of recall's guard: at least this many audited misses (and audited hits, when sampled). */
    public static final int DEFAULT_MINIMUM_AUDITED_LABELS = 3;

    public QualityReport {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(recall, "recall");
        Objects.requireNonNull(falsePositiveRate, "falsePositiveRate");
        Objects.requireNonNull(prevalence, "prevalence");
        Objects.requireNonNull(recommendation, "recommendation");
    }

    /**
     * How a report is computed.
     *
     * @param confidence two-sided confidence of the intervals, in (0, 1)
     * @param minimumAuditedLabels recall's guard, ≥ 0 ({@link WeightedConfusion#recall(double, int)})
     * @param obligation the policy's precision obligation, or null for no recommendation
     * @param reviewThreshold the policy's review threshold (review volume of a recommendation), NaN when unknown
     */
    public record Settings(
            double confidence, int minimumAuditedLabels, PrecisionObligation obligation, double reviewThreshold) {

        public Settings {
            if (!(confidence > 0.0 && confidence < 1.0)) {
                throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
            }
            if (minimumAuditedLabels < 0) {
                throw new IllegalArgumentException("minimumAuditedLabels must be >= 0, got " + minimumAuditedLabels);
            }
        }

        /** Intervals at {@code confidence}, the default guard, no recommendation. */
        public static Settings of(double confidence) {
            return new Settings(confidence, DEFAULT_MINIMUM_AUDITED_LABELS, null, Double.NaN);
        }

        /** The same settings with a precision obligation (and the review threshold for volumes). */
        public Settings withObligation(PrecisionObligation newObligation, double newReviewThreshold) {
            return new Settings(confidence, minimumAuditedLabels, newObligation, newReviewThreshold);
        }
    }

    /**
     * Builds a report from the confusion counts of the decisions actually taken at the live
     * {@code threshold} (exact even when the threshold is not on a histogram bin edge), taking
     * calibration and the recommendation from {@code histogram}.
     *
     * @param histogram labelled score histogram of the same items, or null (ECE NaN, no recommendation)
     */
    public static QualityReport of(
            double threshold, WeightedConfusion confusion, WeightedScoreHistogram histogram, Settings settings) {
        Objects.requireNonNull(confusion, "confusion");
        Objects.requireNonNull(settings, "settings");
        double confidence = settings.confidence();
        double ece = histogram == null ? Double.NaN : histogram.expectedCalibrationError();
        ThresholdRecommendation recommendation = histogram == null || settings.obligation() == null
                ? ThresholdRecommendation.notRequested()
                : new ThresholdRecommender(
                                settings.obligation(),
                                confidence,
                                settings.minimumAuditedLabels(),
                                settings.reviewThreshold())
                        .recommend(histogram);
        return new QualityReport(
                threshold,
                confidence,
                confusion.getTruePositiveWeight(),
                confusion.getFalsePositiveWeight(),
                confusion.getTrueNegativeWeight(),
                confusion.getFalseNegativeWeight(),
                confusion.precision(confidence),
                confusion.recall(confidence, settings.minimumAuditedLabels()),
                confusion.falsePositiveRate(confidence),
                confusion.prevalence(confidence),
                ece,
                confusion.brierScore(),
                confusion.effectiveSampleSize(),
                confusion.labelCount(),
                confusion.auditedMisses(),
                recommendation);
    }
}
