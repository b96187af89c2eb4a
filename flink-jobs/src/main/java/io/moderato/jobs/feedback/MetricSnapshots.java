package io.moderato.jobs.feedback;

import io.moderato.schemas.Estimate;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.ScoreHistogram;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.ThresholdRecommendation;
import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a closed {@link MetricWindow} into a {@link MetricSnapshot} through the udfs'
 * {@link QualityReport}: confusion of the decisions actually taken, precision / recall / FPR /
 * prevalence with Clopper–Pearson intervals on a conservative effective sample size, ECE and
 * Brier from the histogram, and the threshold recommendation for the policy's precision
 * obligation (Learn-then-Test, udfs {@link io.moderato.udfs.metrics.ThresholdRecommender}).
 *
 * <p>A number whose interval cannot keep its confidence is withheld, not published: its field is
 * null and {@code withheld} says why — recall without enough audited misses
 * (udfs/docs/statistics.md), any estimate on less than one effective label. Without a certified
 * threshold, {@code recommendationNote} says how many more audited items are needed.
 */
public final class MetricSnapshots {

    /** {@code MetricSnapshot.modality} of the fused risk. */
    public static final String FUSED = "fused";

    private MetricSnapshots() {}

    /**
     * @param threshold the live action threshold (config at window end), reported as the snapshot's threshold
     * @param settings  interval confidence, recall's guard, the policy's obligation and review threshold
     */
    public static MetricSnapshot of(
            String policyId,
            String modelVersion,
            String surface,
            MetricWindow window,
            double threshold,
            QualityReport.Settings settings) {
        QualityReport report = QualityReport.of(threshold, window.confusion, window.histogram, settings);
        ThresholdRecommendation recommendation = report.recommendation();
        Map<String, String> withheld = new TreeMap<>();
        MetricSnapshot.Builder snapshot = MetricSnapshot.newBuilder()
                .setPolicyId(policyId)
                .setModelVersion(modelVersion)
                .setModality(FUSED)
                .setSurface(surface)
                .setWindowKind(window.kind)
                .setWindowStartMillis(window.start)
                .setWindowEndMillis(window.end)
                .setThreshold(threshold)
                .setTruePositives(report.truePositiveWeight())
                .setFalsePositives(report.falsePositiveWeight())
                .setTrueNegatives(report.trueNegativeWeight())
                .setFalseNegatives(report.falseNegativeWeight())
                .setLabelCount(report.labelCount())
                .setEffectiveSampleSize(finiteOr(report.effectiveSampleSize(), 0.0))
                .setIntervalConfidence(settings.confidence())
                .setPrecision(estimate("precision", report.precision(), withheld))
                .setRecall(estimate("recall", report.recall(), withheld))
                .setFalsePositiveRate(estimate("falsePositiveRate", report.falsePositiveRate(), withheld))
                .setPrevalence(estimate("prevalence", report.prevalence(), withheld))
                .setExpectedCalibrationError(finiteOrNull(report.expectedCalibrationError()))
                .setBrierScore(finiteOrNull(report.brierScore()))
                .setHistogram(histogram(window.histogram))
                .setPrecisionObligation(settings.obligation().minimumPrecision());
        if (recommendation.isRecommended()) {
            snapshot.setRecommendedThreshold(recommendation.threshold().getAsDouble())
                    .setRecommendedPrecision(estimate("recommendedPrecision", recommendation.precision(), withheld))
                    .setRecommendedRecall(estimate("recommendedRecall", recommendation.recall(), withheld))
                    .setRecommendedActionVolume(finiteOrNull(recommendation.actionVolume()))
                    .setRecommendedReviewVolume(finiteOrNull(recommendation.reviewVolume()));
        } else {
            snapshot.setRecommendationNote(recommendation.insufficientReason())
                    .setAdditionalAuditedItemsNeeded(
                            recommendation.additionalAuditedItems() >= 0
                                    ? recommendation.additionalAuditedItems()
                                    : null);
        }
        return snapshot.setWithheld(withheld).build();
    }

    /** The schema's Estimate, or null (with the reason in {@code withheld} when it was withheld). */
    static Estimate estimate(String field, ProportionEstimate e, Map<String, String> withheld) {
        if (e.isWithheld()) {
            withheld.put(field, e.withheldReason());
        }
        if (!e.isDefined()) {
            return null;
        }
        return new Estimate(e.value(), e.lower(), e.upper());
    }

    static ScoreHistogram histogram(WeightedScoreHistogram h) {
        int bins = h.bins();
        List<Double> edges = new ArrayList<>(bins + 1);
        for (int k = 0; k <= bins; k++) {
            edges.add(WeightedScoreHistogram.edge(k, bins));
        }
        return new ScoreHistogram(edges, boxed(h.getPositiveWeight()), boxed(h.getNegativeWeight()));
    }

    private static List<Double> boxed(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return list;
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static double finiteOr(double value, double fallback) {
        return Double.isFinite(value) ? value : fallback;
    }
}
