package io.moderato.models.text;

import io.moderato.models.train.ThresholdChoice;
import java.util.Map;

/**
 * The review and action thresholds of one head, both chosen on the out-of-fold calibrated scores of the training
 * data (never the validation split): review at the best F1, action where the precision obligation holds. The
 * published action threshold is never below the review one.
 */
record HeadThresholds(ThresholdChoice.Choice review, ThresholdChoice.Choice action) {

    static HeadThresholds choose(
            double[] oofCalibrated,
            boolean[] labels,
            double actionPrecision,
            double actionConfidence,
            double actionFloor) {
        return new HeadThresholds(
                ThresholdChoice.bestF1(oofCalibrated, labels),
                ThresholdChoice.precisionObligation(
                        oofCalibrated, labels, actionPrecision, actionConfidence, actionFloor));
    }

    /** Adds {@code policy.review} and {@code policy.action} as the manifest's default thresholds hold them. */
    void putInto(Map<String, Double> thresholds, String policy) {
        thresholds.put(policy + ".review", review.threshold());
        thresholds.put(policy + ".action", Math.max(review.threshold(), action.threshold()));
    }

    String describe() {
        return "review " + review.describe() + "; action " + action.describe();
    }
}
