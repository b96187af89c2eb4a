package io.moderato.models.retrain;

import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.metrics.WeightedConfusion;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Quality of one binary scorer on weighted labelled data, every quantity weighted by the examples'
 * 1/propensity so that it estimates the quality on all scored items rather than on the reviewed ones:
 * ROC-AUC (weighted Mann–Whitney: a positive–negative pair counts w⁺·w⁻, a tied pair half),
 * log loss, Brier score, and at each named threshold precision, recall and false-positive rate with
 * the udfs {@link WeightedConfusion}'s intervals (flagged when {@code score >= threshold}). Recall is
 * not guarded by audited misses here: the examples are a held-out evaluation set, not a window of
 * review-sampled labels.
 *
 * @param thresholds per name (e.g. {@code review}, {@code action}), in the order given
 */
public record WeightedEvaluation(
        double rocAuc,
        double logLoss,
        double brier,
        double effectiveSampleSize,
        long positives,
        long negatives,
        double positiveWeight,
        double negativeWeight,
        Map<String, AtThreshold> thresholds) {

    /** Confidence level of the intervals. */
    public static final double CONFIDENCE = 0.95;

    /** Precision, recall and false-positive rate at one threshold, each with its 95% interval. */
    public record AtThreshold(
            double threshold,
            ProportionEstimate precision,
            ProportionEstimate recall,
            ProportionEstimate falsePositiveRate) {}

    /**
     * Evaluates {@code scores} against {@code labels} with {@code weights}.
     *
     * @throws IllegalArgumentException when the arrays differ in length, a weight is not finite and &gt; 0, or
     *                                  one class has no weight (ROC-AUC needs both)
     */
    public static WeightedEvaluation of(
            double[] scores, boolean[] labels, double[] weights, Map<String, Double> thresholds) {
        Objects.requireNonNull(thresholds, "thresholds");
        if (scores.length != labels.length || scores.length != weights.length) {
            throw new IllegalArgumentException(
                    scores.length + " scores, " + labels.length + " labels, " + weights.length + " weights");
        }
        double logLoss = 0;
        double total = 0;
        long positives = 0;
        double positiveWeight = 0;
        WeightedConfusion all = new WeightedConfusion();
        for (int i = 0; i < scores.length; i++) {
            double p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
            logLoss -= weights[i] * (labels[i] ? Math.log(p) : Math.log(1 - p));
            total += weights[i];
            positives += labels[i] ? 1 : 0;
            positiveWeight += labels[i] ? weights[i] : 0;
            all.add(Math.min(1, Math.max(0, scores[i])), false, labels[i], weights[i]);
        }
        Map<String, AtThreshold> at = new LinkedHashMap<>();
        for (Map.Entry<String, Double> t : thresholds.entrySet()) {
            WeightedConfusion c = new WeightedConfusion();
            for (int i = 0; i < scores.length; i++) {
                c.add(Math.min(1, Math.max(0, scores[i])), scores[i] >= t.getValue(), labels[i], weights[i]);
            }
            at.put(
                    t.getKey(),
                    new AtThreshold(
                            t.getValue(),
                            c.precision(CONFIDENCE),
                            c.recall(CONFIDENCE, 0),
                            c.falsePositiveRate(CONFIDENCE)));
        }
        return new WeightedEvaluation(
                rocAuc(scores, labels, weights),
                logLoss / total,
                all.brierScore(),
                all.effectiveSampleSize(),
                positives,
                scores.length - positives,
                positiveWeight,
                total - positiveWeight,
                at);
    }

    /** Weighted ROC-AUC: Σ over positive–negative pairs of w⁺w⁻·(1[s⁺ &gt; s⁻] + ½·1[s⁺ = s⁻]) / (W⁺W⁻). */
    public static double rocAuc(double[] scores, boolean[] labels, double[] weights) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            if (!(weights[i] > 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight " + i + " must be finite and > 0, got " + weights[i]);
            }
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double negativeBelow = 0;
        double pairs = 0;
        double positiveTotal = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            double pos = 0;
            double neg = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (labels[order[j]]) {
                    pos += weights[order[j]];
                } else {
                    neg += weights[order[j]];
                }
                j++;
            }
            pairs += pos * negativeBelow + 0.5 * pos * neg;
            negativeBelow += neg;
            positiveTotal += pos;
            i = j;
        }
        if (positiveTotal == 0 || negativeBelow == 0) {
            throw new IllegalArgumentException("ROC-AUC needs weight on both classes, got " + positiveTotal
                    + " positive and " + negativeBelow + " negative");
        }
        return pairs / (positiveTotal * negativeBelow);
    }
}
