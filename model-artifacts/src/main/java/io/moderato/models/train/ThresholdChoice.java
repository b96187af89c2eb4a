package io.moderato.models.train;

import io.moderato.models.eval.BinaryMetrics;
import io.moderato.models.eval.RankedScores;
import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.ProportionEstimate;
import java.util.Locale;

/**
 * Policy thresholds read off calibrated out-of-fold scores of the training split (never the validation split),
 * on a grid of 0.01 so that a policy team reads them as plain probabilities:
 * <ul>
 *   <li>review: the threshold with the highest F1 (ties: the higher threshold);</li>
 *   <li>action: the lowest threshold, not below a floor, at which precision meets an obligation at a confidence
 *       level — its one-sided Wilson lower bound is at least the required precision, the same rule the FeedbackJob
 *       uses for a policy's {@code precisionObligation} — or {@link #NEVER} (1.0: no automatic action) when no
 *       threshold does. The floor keeps automatic action for items the model itself is sure about: where the
 *       training data are mostly positive (83% of the Davidson tweets are offensive) precision is high at any
 *       threshold, and that says nothing about traffic where abuse is rare.</li>
 * </ul>
 */
public final class ThresholdChoice {

    /** An action threshold no calibrated score reaches: every flagged item goes to review instead. */
    public static final double NEVER = 1.0;

    static final double STEP = 0.01;

    private ThresholdChoice() {}

    /** A chosen threshold and how it was chosen, for the model card. */
    public record Choice(double threshold, String rule, BinaryMetrics.Confusion atTraining) {

        public String describe() {
            if (atTraining.truePositives() + atTraining.falsePositives() == 0) {
                return String.format(Locale.ROOT, "%.2f (%s; flags nothing out of fold)", threshold, rule);
            }
            return String.format(
                    Locale.ROOT,
                    "%.2f (%s; out-of-fold precision %.4f, recall %.4f)",
                    threshold,
                    rule,
                    atTraining.precision(),
                    atTraining.recall());
        }
    }

    public static Choice bestF1(double[] calibrated, boolean[] labels) {
        RankedScores ranked = new RankedScores(calibrated, labels);
        BinaryMetrics.Confusion best = null;
        for (int step = 1; step < 100; step++) {
            BinaryMetrics.Confusion c = ranked.at(step * STEP);
            if (best == null || c.f1() >= best.f1()) {
                best = c;
            }
        }
        return new Choice(
                round(best.threshold()),
                "highest out-of-fold F1 " + String.format(Locale.ROOT, "%.4f", best.f1()),
                best);
    }

    public static Choice precisionObligation(
            double[] calibrated, boolean[] labels, double minimumPrecision, double confidence, double floor) {
        RankedScores ranked = new RankedScores(calibrated, labels);
        double z = Intervals.oneSidedZ(confidence);
        String rule = String.format(
                Locale.ROOT,
                "lowest threshold ≥ %.2f whose precision is ≥ %.2f at %.0f%% one-sided confidence",
                floor,
                minimumPrecision,
                confidence * 100);
        for (int step = Math.max(1, (int) Math.round(floor / STEP)); step < 100; step++) {
            BinaryMetrics.Confusion c = ranked.at(step * STEP);
            long flagged = c.truePositives() + c.falsePositives();
            if (flagged == 0) {
                break;
            }
            ProportionEstimate precision = Intervals.wilson(c.precision(), flagged, z);
            if (precision.lower() >= minimumPrecision) {
                return new Choice(round(c.threshold()), rule, c);
            }
        }
        return new Choice(NEVER, rule + ": no threshold meets it, so no automatic action", ranked.at(NEVER));
    }

    private static double round(double threshold) {
        return Math.round(threshold * 100) / 100.0;
    }
}
