package io.moderato.models.eval;

import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.ProportionEstimate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Everything Moderato reports about one binary head (one policy column of a model) on labelled data: ranking
 * (ROC-AUC, average precision), calibration (ECE, log loss, Brier, reliability bins), per-class precision / recall
 * / F1 with confusion counts at the policy thresholds, recall at fixed precision targets, and optionally how each
 * original label value falls into the bands. Both {@code scripts/evaluate.sh} and the trainers' model cards build
 * it with {@link #of} and print it with {@link EvaluationMarkdown}, so a card's figures and the CLI's are the same
 * computation.
 *
 * <p>Uncertainty: ROC-AUC, average precision and ECE carry a 95% percentile-bootstrap interval
 * ({@value #BOOTSTRAP_RESAMPLES} resamples of the items, seed {@value #BOOTSTRAP_SEED}, so it is reproducible);
 * precision and recall carry 95% Wilson intervals. A recall-at-precision point whose precision is met only as a
 * point estimate — its Wilson lower bound is below the target — is marked as not supported at 95% confidence.
 */
public record HeadEvaluation(
        String policy,
        String positives,
        int items,
        int positiveItems,
        Interval rocAuc,
        Interval averagePrecision,
        Interval expectedCalibrationError,
        double logLoss,
        double brier,
        List<AtThreshold> thresholds,
        List<AtPrecision> recallAtPrecision,
        List<RankedScores.ReliabilityBin> reliability,
        List<RankedScores.CurvePoint> precisionRecallCurve,
        Map<String, long[]> labelBands) {

    public static final int BOOTSTRAP_RESAMPLES = 1000;
    public static final long BOOTSTRAP_SEED = 42L;
    public static final double CONFIDENCE = 0.95;
    public static final List<Double> PRECISION_TARGETS = List.of(0.90, 0.95);

    /** A point estimate with its 95% interval (NaN bounds when undefined). */
    public record Interval(double value, double lower, double upper) {}

    /** One named policy threshold: confusion counts, and precision / recall / F1 of each class. */
    public record AtThreshold(
            String name,
            double threshold,
            BinaryMetrics.Confusion confusion,
            ProportionEstimate precision,
            ProportionEstimate recall,
            double f1,
            ProportionEstimate negativePrecision,
            ProportionEstimate negativeRecall,
            double negativeF1) {}

    /** Recall at a precision target: the curve point (null when never reached) and its precision's Wilson bounds. */
    public record AtPrecision(double target, RankedScores.CurvePoint point, ProportionEstimate precision) {

        /** True when the precision target holds at 95% confidence (Wilson lower bound ≥ target). */
        public boolean supported() {
            return point != null && precision.lower() >= target;
        }
    }

    /**
     * Evaluates one head.
     *
     * @param policy     the policy (output column) evaluated
     * @param positives  how the positive class was defined, e.g. {@code class ∈ {0}} (for the report)
     * @param scores     the head's probabilities, one per item
     * @param positive   the true label per item
     * @param thresholds named thresholds to report at, e.g. review → 0.5, action → 0.9 (in this order)
     * @param labels     the original label value per item for the label × band table, or null to skip it
     */
    public static HeadEvaluation of(
            String policy,
            String positives,
            double[] scores,
            boolean[] positive,
            Map<String, Double> thresholds,
            String[] labels) {
        RankedScores ranked = new RankedScores(scores, positive);
        if (ranked.positives() == 0 || ranked.negatives() == 0) {
            throw new IllegalArgumentException("policy " + policy + ": the labelled data hold " + ranked.positives()
                    + " positive and " + ranked.negatives() + " negative items; every metric here needs both classes");
        }
        double z = Intervals.twoSidedZ(CONFIDENCE);
        List<AtThreshold> at = new ArrayList<>();
        thresholds.forEach((name, threshold) -> {
            BinaryMetrics.Confusion c = ranked.at(threshold);
            long flagged = c.truePositives() + c.falsePositives();
            long cleared = c.trueNegatives() + c.falseNegatives();
            ProportionEstimate precision = Intervals.wilson(flagged == 0 ? Double.NaN : c.precision(), flagged, z);
            ProportionEstimate recall = Intervals.wilson(c.recall(), ranked.positives(), z);
            ProportionEstimate negativePrecision =
                    Intervals.wilson(cleared == 0 ? Double.NaN : (double) c.trueNegatives() / cleared, cleared, z);
            ProportionEstimate negativeRecall =
                    Intervals.wilson((double) c.trueNegatives() / ranked.negatives(), ranked.negatives(), z);
            at.add(new AtThreshold(
                    name,
                    threshold,
                    c,
                    precision,
                    recall,
                    f1(precision.value(), recall.value()),
                    negativePrecision,
                    negativeRecall,
                    f1(negativePrecision.value(), negativeRecall.value())));
        });
        List<AtPrecision> atPrecision = new ArrayList<>();
        for (double target : PRECISION_TARGETS) {
            RankedScores.CurvePoint point = ranked.recallAtPrecision(target);
            ProportionEstimate precision = point == null
                    ? ProportionEstimate.undefined()
                    : Intervals.wilson(point.precision(), point.truePositives() + point.falsePositives(), z);
            atPrecision.add(new AtPrecision(target, point, precision));
        }
        return new HeadEvaluation(
                policy,
                positives,
                ranked.size(),
                ranked.positives(),
                bootstrap(ranked, ranked::rocAuc),
                bootstrap(ranked, ranked::averagePrecision),
                bootstrap(ranked, ranked::expectedCalibrationError),
                ranked.logLoss(null),
                ranked.brier(null),
                List.copyOf(at),
                List.copyOf(atPrecision),
                ranked.reliability(),
                ranked.precisionRecallCurve(),
                labels == null ? Map.of() : labelBands(scores, labels, thresholds));
    }

    /** Prevalence of the positive class in the evaluated data. */
    public double prevalence() {
        return (double) positiveItems / items;
    }

    /**
     * The headline figures as {@code <prefix>.<metric>} → value (prefix: usually the policy, or policy + data set),
     * the keys a manifest's {@code validationMetrics} holds and the model-card test re-computes. Precision at a
     * threshold that flags nothing is undefined and left out.
     */
    public Map<String, Double> figures(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + ".roc_auc", rocAuc.value());
        m.put(prefix + ".average_precision", averagePrecision.value());
        m.put(prefix + ".ece", expectedCalibrationError.value());
        m.put(prefix + ".log_loss", logLoss);
        m.put(prefix + ".brier", brier);
        for (AtThreshold t : thresholds) {
            if (t.precision().isDefined()) { // nothing flagged: precision is undefined, so it is left out, not 1
                m.put(prefix + "." + t.name() + ".precision", t.confusion().precision());
            }
            m.put(prefix + "." + t.name() + ".recall", t.confusion().recall());
            m.put(prefix + "." + t.name() + ".f1", t.confusion().f1());
            m.put(
                    prefix + "." + t.name() + ".false_positive_rate",
                    t.confusion().falsePositiveRate());
        }
        for (AtPrecision p : recallAtPrecision) {
            m.put(
                    prefix + ".recall_at_precision_" + Math.round(p.target() * 100),
                    p.point() == null ? 0.0 : p.point().recall());
        }
        return m;
    }

    private static double f1(double precision, double recall) {
        if (Double.isNaN(precision) || Double.isNaN(recall) || precision + recall == 0) {
            return 0.0;
        }
        return 2 * precision * recall / (precision + recall);
    }

    /** Label value → items below the first threshold, between consecutive thresholds, at or above the last. */
    private static Map<String, long[]> labelBands(double[] scores, String[] labels, Map<String, Double> thresholds) {
        double[] cuts = thresholds.values().stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        Map<String, long[]> bands = new java.util.TreeMap<>();
        for (int i = 0; i < scores.length; i++) {
            int band = 0;
            while (band < cuts.length && scores[i] >= cuts[band]) {
                band++;
            }
            bands.computeIfAbsent(labels[i], l -> new long[cuts.length + 1])[band]++;
        }
        return bands;
    }

    private static Interval bootstrap(RankedScores ranked, ToDoubleFunction<double[]> statistic) {
        double value = statistic.applyAsDouble(null);
        int n = ranked.size();
        SplittableRandom random = new SplittableRandom(BOOTSTRAP_SEED);
        double[] draws = new double[BOOTSTRAP_RESAMPLES];
        double[] weights = new double[n];
        int kept = 0;
        for (int r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
            java.util.Arrays.fill(weights, 0);
            for (int i = 0; i < n; i++) {
                weights[random.nextInt(n)]++;
            }
            double d = statistic.applyAsDouble(weights);
            if (!Double.isNaN(d)) {
                draws[kept++] = d; // a resample without one of the classes has no AUC: leave it out
            }
        }
        if (kept < BOOTSTRAP_RESAMPLES / 2) {
            return new Interval(value, Double.NaN, Double.NaN);
        }
        double[] sorted = java.util.Arrays.copyOf(draws, kept);
        java.util.Arrays.sort(sorted);
        double alpha = (1 - CONFIDENCE) / 2;
        return new Interval(
                value, sorted[(int) Math.floor(alpha * (kept - 1))], sorted[(int) Math.ceil((1 - alpha) * (kept - 1))]);
    }
}
