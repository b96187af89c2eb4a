package io.moderato.udfs.metrics.simulation;

import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.metrics.WeightedConfusion;
import io.moderato.udfs.metrics.WeightedScoreHistogram;

/**
 * The estimators as they were before issue 11, kept here only as the baseline the simulation
 * compares against: a Wilson interval on the linearised effective sample size (capped at the item
 * count, Kish at p = 0 or 1), recall published from 3 labelled false negatives of any kind, and the
 * recommended threshold as the lowest edge whose one-sided Wilson bound meets p, tested edge by
 * edge without multiplicity control.
 */
final class PreviousEstimators {

    private PreviousEstimators() {}

    static ProportionEstimate precision(WeightedConfusion c, double confidence) {
        return wilson(
                c.getTruePositiveWeight(),
                c.getFalsePositiveWeight(),
                c.getTruePositiveSquaredWeight(),
                c.getFalsePositiveSquaredWeight(),
                c.getTruePositiveCount() + c.getFalsePositiveCount(),
                Intervals.twoSidedZ(confidence));
    }

    /** Published when at least 3 false negatives were labelled, audited or not (the guard that never fired). */
    static ProportionEstimate recall(WeightedConfusion c, double confidence) {
        if (c.getFalseNegativeCount() < 3) {
            return ProportionEstimate.withheld("fewer than 3 labelled false negatives");
        }
        return wilson(
                c.getTruePositiveWeight(),
                c.getFalseNegativeWeight(),
                c.getTruePositiveSquaredWeight(),
                c.getFalseNegativeSquaredWeight(),
                c.getTruePositiveCount() + c.getFalseNegativeCount(),
                Intervals.twoSidedZ(confidence));
    }

    static ProportionEstimate falsePositiveRate(WeightedConfusion c, double confidence) {
        return wilson(
                c.getFalsePositiveWeight(),
                c.getTrueNegativeWeight(),
                c.getFalsePositiveSquaredWeight(),
                c.getTrueNegativeSquaredWeight(),
                c.getFalsePositiveCount() + c.getTrueNegativeCount(),
                Intervals.twoSidedZ(confidence));
    }

    /** The lowest edge whose one-sided Wilson lower bound meets p; -1 when none does. */
    static int recommendedEdge(WeightedScoreHistogram h, double minimumPrecision, double confidence) {
        double z = Intervals.oneSidedZ(confidence);
        for (int k = 0; k < h.bins(); k++) {
            WeightedConfusion c = h.confusionAtEdge(k);
            ProportionEstimate e = wilson(
                    c.getTruePositiveWeight(),
                    c.getFalsePositiveWeight(),
                    c.getTruePositiveSquaredWeight(),
                    c.getFalsePositiveSquaredWeight(),
                    c.getTruePositiveCount() + c.getFalsePositiveCount(),
                    z);
            if (e.isDefined() && e.lower() >= minimumPrecision) {
                return k;
            }
        }
        return -1;
    }

    private static ProportionEstimate wilson(double s, double f, double s2, double f2, long count, double z) {
        double total = s + f;
        if (!(total > 0.0)) {
            return ProportionEstimate.undefined();
        }
        double p = s / total;
        double n = Intervals.linearizedEffectiveSampleSize(s, f, s2, f2, count);
        if (n < 1.0) {
            return new ProportionEstimate(p, 0.0, 1.0, n);
        }
        return Intervals.wilson(p, n, z);
    }
}
