package io.moderato.udfs.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Immutable snapshot of a model's quality at one threshold: IPW confusion weights, precision,
 * recall, false-positive rate and prevalence with two-sided intervals, calibration (ECE, Brier),
 * and the lowest threshold that meets the policy's precision obligation.
 *
 * @param threshold the decision threshold the confusion counts are for
 * @param confidence two-sided confidence level of the four intervals
 * @param truePositiveWeight Σw over true positives
 * @param falsePositiveWeight Σw over false positives
 * @param trueNegativeWeight Σw over true negatives
 * @param falseNegativeWeight Σw over false negatives
 * @param precision TP / (TP + FP)
 * @param recall TP / (TP + FN)
 * @param falsePositiveRate FP / (FP + TN)
 * @param prevalence (TP + FN) / all
 * @param expectedCalibrationError weighted ECE over reliability bins; NaN without a histogram
 * @param brierScore weighted mean of (score - label)²; NaN when empty
 * @param effectiveSampleSize Kish n_eff of all labelled items, (Σw)² / Σw²
 * @param labelCount number of labelled items behind the snapshot
 * @param recommendedThreshold lowest bin-edge threshold meeting the precision obligation; empty
 *     when none does or no obligation/histogram was given
 */
public record QualityReport(
        double threshold,
        double confidence,
        double truePositiveWeight,
        double falsePositiveWeight,
        double trueNegativeWeight,
        double falseNegativeWeight,
        Estimate precision,
        Estimate recall,
        Estimate falsePositiveRate,
        Estimate prevalence,
        double expectedCalibrationError,
        double brierScore,
        double effectiveSampleSize,
        long labelCount,
        OptionalDouble recommendedThreshold) {

    public QualityReport {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(recall, "recall");
        Objects.requireNonNull(falsePositiveRate, "falsePositiveRate");
        Objects.requireNonNull(prevalence, "prevalence");
        Objects.requireNonNull(recommendedThreshold, "recommendedThreshold");
    }

    /**
     * Builds a report from the confusion counts of the decisions actually taken at the live
     * {@code threshold} (exact even when the threshold is not on a histogram bin edge), taking
     * calibration and the recommended threshold from {@code histogram}.
     *
     * @param histogram labelled score histogram of the same items, or null (ECE NaN, no recommendation)
     * @param obligation the policy's precision obligation, or null (no recommendation)
     */
    public static QualityReport of(
            double threshold,
            WeightedConfusion confusion,
            WeightedScoreHistogram histogram,
            double confidence,
            PrecisionObligation obligation) {
        Objects.requireNonNull(confusion, "confusion");
        double ece = histogram == null ? Double.NaN : histogram.expectedCalibrationError();
        OptionalDouble recommended = histogram == null || obligation == null
                ? OptionalDouble.empty()
                : histogram.recommendedThreshold(obligation);
        return new QualityReport(
                threshold,
                confidence,
                confusion.getTruePositiveWeight(),
                confusion.getFalsePositiveWeight(),
                confusion.getTrueNegativeWeight(),
                confusion.getFalseNegativeWeight(),
                confusion.precision(confidence),
                confusion.recall(confidence),
                confusion.falsePositiveRate(confidence),
                confusion.prevalence(confidence),
                ece,
                confusion.brierScore(),
                confusion.effectiveSampleSize(),
                confusion.labelCount(),
                recommended);
    }
}
