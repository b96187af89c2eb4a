package io.moderato.udfs.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded labelled decisions as the FeedbackJob would emit them: every review-band item, audit samples of the rest. */
final class TuningExamples {

    private TuningExamples() {}

    /**
     * {@code decisions} decisions over {@code hours}, 10 % violating; scores of violating items lean high, of the
     * rest low. Items in [review, action) are all labelled (weight 1); allowed items are audited at 2 %
     * (weight 50), actioned ones at 10 % (weight 10).
     */
    static List<ThresholdTuning.Example> draw(int decisions, double review, double action, double hours, long seed) {
        Random rnd = new Random(seed);
        List<ThresholdTuning.Example> examples = new ArrayList<>();
        long t0 = 1_767_225_600_000L;
        for (int i = 0; i < decisions; i++) {
            boolean violating = rnd.nextDouble() < 0.10;
            double z = violating ? 1.6 + rnd.nextGaussian() : -1.6 + rnd.nextGaussian();
            double score = 1 / (1 + Math.exp(-z));
            double propensity = score >= action ? 0.10 : score >= review ? 1.0 : 0.02;
            if (rnd.nextDouble() < propensity) {
                long time = t0 + (long) (hours * 3_600_000.0 * i / decisions);
                examples.add(new ThresholdTuning.Example(score, violating, 1 / propensity, propensity < 1, time));
            }
        }
        return examples;
    }
}
