package io.moderato.models.train;

import java.util.Objects;

/**
 * One labelled text for a multi-head text model.
 *
 * @param id      stable id (sorting and splits use it)
 * @param text    the text, as the engine will see it
 * @param targets per head, the probability the text belongs to the head's positive class that training fits: a
 *                share of annotator votes (soft label) or 0 / 1
 * @param labels  per head, the hard label that evaluation, calibration and thresholds use
 * @param source  where the text comes from (e.g. {@code email}, {@code comments}): a {@link Recipe} may weight
 *                sources differently
 */
public record TrainingText(String id, String text, double[] targets, boolean[] labels, String source) {

    public TrainingText {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        if (targets.length != labels.length || targets.length == 0) {
            throw new IllegalArgumentException(
                    id + ": " + targets.length + " targets but " + labels.length + " labels");
        }
        for (double t : targets) {
            if (!(t >= 0 && t <= 1)) {
                throw new IllegalArgumentException(id + ": target " + t + " is not in [0, 1]");
            }
        }
    }

    /** A hard-labelled text: targets are the labels as 0 / 1. */
    public static TrainingText hard(String id, String text, String source, boolean... labels) {
        double[] targets = new double[labels.length];
        for (int h = 0; h < labels.length; h++) {
            targets[h] = labels[h] ? 1 : 0;
        }
        return new TrainingText(id, text, targets, labels.clone(), source);
    }
}
