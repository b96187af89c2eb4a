package io.moderato.models.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Metrics of one binary scorer on labelled data: ROC-AUC (tied scores share their average rank, so
 * a tie between a positive and a negative counts one half) and confusion counts at a threshold
 * (flagged when {@code score >= threshold}, as the decision bands do).
 */
public final class BinaryMetrics {

    private BinaryMetrics() {}

    /** Area under the ROC curve via the Mann–Whitney U statistic with mid-ranks for ties. */
    public static double rocAuc(double[] scores, boolean[] positive) {
        check(scores, positive);
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double positiveRankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1.0; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException(
                    "ROC-AUC needs both classes, got " + positives + " positives and " + negatives + " negatives");
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    public static Confusion at(double[] scores, boolean[] positive, double threshold) {
        check(scores, positive);
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean flagged = scores[i] >= threshold;
            if (positive[i]) {
                if (flagged) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (flagged) {
                fp++;
            } else {
                tn++;
            }
        }
        return new Confusion(threshold, tp, fp, tn, fn);
    }

    /** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]. */
    public static double logLoss(double[] scores, boolean[] positive) {
        check(scores, positive);
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
            sum -= positive[i] ? Math.log(p) : Math.log(1 - p);
        }
        return sum / scores.length;
    }

    /** Mean squared error of the probabilities against the 0/1 labels. */
    public static double brier(double[] scores, boolean[] positive) {
        check(scores, positive);
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double d = scores[i] - (positive[i] ? 1 : 0);
            sum += d * d;
        }
        return sum / scores.length;
    }

    private static void check(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores");
        }
    }

    /** Confusion counts at one threshold. Precision is 1 when nothing is flagged (no false positives). */
    public record Confusion(
            double threshold, long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {

        public double precision() {
            long flagged = truePositives + falsePositives;
            return flagged == 0 ? 1.0 : (double) truePositives / flagged;
        }

        public double recall() {
            long positives = truePositives + falseNegatives;
            return positives == 0 ? 0.0 : (double) truePositives / positives;
        }

        public double falsePositiveRate() {
            long negatives = falsePositives + trueNegatives;
            return negatives == 0 ? 0.0 : (double) falsePositives / negatives;
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
        }
    }
}
