package io.moderato.models.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores of one binary head on labelled items, sorted once (descending, ties grouped), so that ranking and
 * calibration metrics cost O(n) each — also under bootstrap weights. Every metric takes per-item weights
 * ({@code null} = all 1): a bootstrap resample is the same items weighted by how often they were drawn.
 *
 * <p>Definitions: ROC-AUC is the Mann–Whitney statistic (a positive and a negative with tied scores count one
 * half); average precision is Σ (R_k − R_{k−1}) · P_k over the distinct score thresholds, highest first (the
 * step-wise area under the precision–recall curve, as scikit-learn computes it); ECE is
 * Σ_b (n_b / n) · |mean score_b − positive rate_b| over {@value #ECE_BINS} equal-width score bins [0, 0.1), …,
 * [0.9, 1].
 */
public final class RankedScores {

    public static final int ECE_BINS = 10;

    private final double[] scores; // original order
    private final boolean[] positive;
    private final int[] order; // item indices by descending score
    private final int[] groupEnd; // for position i in order: end (exclusive) of its tie group
    private final int positives;

    public RankedScores(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!(scores[i] >= 0 && scores[i] <= 1)) {
                throw new IllegalArgumentException("score " + i + " is " + scores[i] + ", not a probability in [0, 1]");
            }
        }
        this.scores = scores.clone();
        this.positive = positive.clone();
        this.order = sortDescending(this.scores);
        this.groupEnd = new int[order.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && this.scores[order[j + 1]] == this.scores[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                groupEnd[k] = j + 1;
            }
            i = j + 1;
        }
        int p = 0;
        for (boolean b : positive) {
            p += b ? 1 : 0;
        }
        this.positives = p;
    }

    public int size() {
        return scores.length;
    }

    public int positives() {
        return positives;
    }

    public int negatives() {
        return scores.length - positives;
    }

    public double score(int item) {
        return scores[item];
    }

    public boolean isPositive(int item) {
        return positive[item];
    }

    /** ROC-AUC; NaN when the weighted data lack a class. */
    public double rocAuc(double[] weights) {
        int groups = 0;
        for (int i = 0; i < order.length; i = groupEnd[i]) {
            groups++;
        }
        double[] groupPositive = new double[groups];
        double[] groupNegative = new double[groups];
        double totalNegative = 0;
        double totalPositive = 0;
        int g = 0;
        for (int i = 0; i < order.length; i = groupEnd[i], g++) {
            for (int k = i; k < groupEnd[i]; k++) {
                double w = weight(weights, order[k]);
                if (positive[order[k]]) {
                    groupPositive[g] += w;
                } else {
                    groupNegative[g] += w;
                }
            }
            totalPositive += groupPositive[g];
            totalNegative += groupNegative[g];
        }
        if (totalPositive == 0 || totalNegative == 0) {
            return Double.NaN;
        }
        // groups run from the highest score down: a positive outranks every negative of the groups after its own
        double negativesBelow = totalNegative;
        double sum = 0;
        for (g = 0; g < groups; g++) {
            negativesBelow -= groupNegative[g];
            sum += groupPositive[g] * (negativesBelow + 0.5 * groupNegative[g]);
        }
        return sum / (totalPositive * totalNegative);
    }

    /** Average precision; NaN when the weighted data hold no positive. */
    public double averagePrecision(double[] weights) {
        double totalPositive = 0;
        for (int k = 0; k < order.length; k++) {
            if (positive[order[k]]) {
                totalPositive += weight(weights, order[k]);
            }
        }
        if (totalPositive == 0) {
            return Double.NaN;
        }
        double tp = 0;
        double fp = 0;
        double ap = 0;
        int i = 0;
        while (i < order.length) {
            int end = groupEnd[i];
            double groupTp = 0;
            for (int k = i; k < end; k++) {
                double w = weight(weights, order[k]);
                if (positive[order[k]]) {
                    groupTp += w;
                } else {
                    fp += w;
                }
            }
            tp += groupTp;
            if (groupTp > 0) {
                ap += (groupTp / totalPositive) * (tp / (tp + fp));
            }
            i = end;
        }
        return ap;
    }

    /** Expected calibration error over {@value #ECE_BINS} equal-width bins. */
    public double expectedCalibrationError(double[] weights) {
        double[] count = new double[ECE_BINS];
        double[] scoreSum = new double[ECE_BINS];
        double[] positiveSum = new double[ECE_BINS];
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            double w = weight(weights, i);
            int b = bin(scores[i]);
            count[b] += w;
            scoreSum[b] += w * scores[i];
            positiveSum[b] += positive[i] ? w : 0;
            total += w;
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (count[b] > 0) {
                ece += count[b] / total * Math.abs(scoreSum[b] / count[b] - positiveSum[b] / count[b]);
            }
        }
        return ece;
    }

    /** The reliability diagram behind {@link #expectedCalibrationError}: one entry per non-empty bin. */
    public List<ReliabilityBin> reliability() {
        int[] count = new int[ECE_BINS];
        double[] scoreSum = new double[ECE_BINS];
        int[] positiveCount = new int[ECE_BINS];
        for (int i = 0; i < scores.length; i++) {
            int b = bin(scores[i]);
            count[b]++;
            scoreSum[b] += scores[i];
            positiveCount[b] += positive[i] ? 1 : 0;
        }
        List<ReliabilityBin> bins = new ArrayList<>();
        for (int b = 0; b < ECE_BINS; b++) {
            if (count[b] > 0) {
                bins.add(new ReliabilityBin(
                        (double) b / ECE_BINS,
                        (double) (b + 1) / ECE_BINS,
                        count[b],
                        scoreSum[b] / count[b],
                        positiveCount[b],
                        (double) positiveCount[b] / count[b]));
            }
        }
        return bins;
    }

    /** One bin of the reliability diagram: items with score in [from, to) ([0.9, 1] for the last). */
    public record ReliabilityBin(
            double from, double to, int items, double meanScore, int positives, double positiveRate) {}

    public double logLoss(double[] weights) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            double w = weight(weights, i);
            double p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
            sum -= w * (positive[i] ? Math.log(p) : Math.log(1 - p));
            total += w;
        }
        return sum / total;
    }

    public double brier(double[] weights) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            double w = weight(weights, i);
            double d = scores[i] - (positive[i] ? 1 : 0);
            sum += w * d * d;
            total += w;
        }
        return sum / total;
    }

    /** Confusion counts with flagged = score ≥ threshold, as the decision bands flag. */
    public BinaryMetrics.Confusion at(double threshold) {
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= threshold) {
                if (positive[i]) {
                    tp++;
                } else {
                    fp++;
                }
            }
        }
        return new BinaryMetrics.Confusion(threshold, tp, fp, negatives() - fp, positives - tp);
    }

    /** One point of the precision–recall curve: everything scoring ≥ threshold is flagged. */
    public record CurvePoint(
            double threshold, long truePositives, long falsePositives, double precision, double recall) {}

    /** The precision–recall curve at every distinct score, highest threshold first. */
    public List<CurvePoint> precisionRecallCurve() {
        List<CurvePoint> curve = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            int end = groupEnd[i];
            for (int k = i; k < end; k++) {
                if (positive[order[k]]) {
                    tp++;
                } else {
                    fp++;
                }
            }
            curve.add(new CurvePoint(
                    scores[order[i]], tp, fp, (double) tp / (tp + fp), positives == 0 ? 0 : (double) tp / positives));
            i = end;
        }
        return curve;
    }

    /**
     * The highest recall among thresholds whose precision is at least {@code minimumPrecision} (at the highest
     * such threshold reaching it), or null when no threshold with a flagged positive reaches it.
     */
    public CurvePoint recallAtPrecision(double minimumPrecision) {
        CurvePoint best = null;
        for (CurvePoint p : precisionRecallCurve()) {
            if (p.truePositives() > 0
                    && p.precision() >= minimumPrecision
                    && (best == null || p.recall() > best.recall())) {
                best = p;
            }
        }
        return best;
    }

    static int bin(double score) {
        return Math.min(ECE_BINS - 1, (int) (score * ECE_BINS));
    }

    private static double weight(double[] weights, int item) {
        return weights == null ? 1.0 : weights[item];
    }

    private static int[] sortDescending(double[] scores) {
        // sort (score, index) pairs packed as longs would lose precision; sort boxed indices once instead
        Integer[] boxed = new Integer[scores.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Double.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] order = new int[boxed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
        return order;
    }
}
