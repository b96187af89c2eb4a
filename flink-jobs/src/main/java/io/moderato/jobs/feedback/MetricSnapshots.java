package io.moderato.jobs.feedback;

import io.moderato.schemas.Estimate;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.ScoreHistogram;
import io.moderato.udfs.metrics.PrecisionObligation;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.WeightedScoreHistogram;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a closed {@link MetricWindow} into a {@link MetricSnapshot} through the udfs'
 * {@link QualityReport}: confusion of the decisions actually taken, precision / recall / FPR /
 * prevalence with Wilson intervals on the effective sample size, ECE and Brier from the histogram,
 * and the lowest threshold meeting the policy's precision obligation.
 *
 * <p>Thin windows: recall's interval rests on the few audited items below the threshold that
 * turned out violating (udfs/docs/statistics.md, "Limitation"); with fewer than
 * {@code minFalseNegatives} of them recall is published as null rather than as a number whose
 * interval cannot be trusted.
 */
public final class MetricSnapshots {

    /** {@code MetricSnapshot.modality} of the fused risk. */
    public static final String FUSED = "fused";

    private MetricSnapshots() {}

    /**
     * @param threshold  the live action threshold (config at window end), reported as the snapshot's threshold
     * @param obligation the policy's precision obligation the recommendation targets
     */
    public static MetricSnapshot of(String policyId, String modelVersion, String surface, MetricWindow window,
                                    double threshold, PrecisionObligation obligation, double confidence,
                                    int minFalseNegatives) {
        QualityReport report = QualityReport.of(threshold, window.confusion, window.histogram, confidence, obligation);
        boolean recallTrusted = window.confusion.getFalseNegativeCount() >= minFalseNegatives;
        return MetricSnapshot.newBuilder()
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
                .setIntervalConfidence(confidence)
                .setPrecision(estimate(report.precision()))
                .setRecall(recallTrusted ? estimate(report.recall()) : null)
                .setFalsePositiveRate(estimate(report.falsePositiveRate()))
                .setPrevalence(estimate(report.prevalence()))
                .setExpectedCalibrationError(finiteOrNull(report.expectedCalibrationError()))
                .setBrierScore(finiteOrNull(report.brierScore()))
                .setHistogram(histogram(window.histogram))
                .setPrecisionObligation(obligation.minimumPrecision())
                .setRecommendedThreshold(report.recommendedThreshold().isPresent()
                        ? report.recommendedThreshold().getAsDouble() : null)
                .build();
    }

    static Estimate estimate(io.moderato.udfs.metrics.Estimate e) {
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
