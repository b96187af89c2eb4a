package io.moderato.models.text;

import io.moderato.models.train.LinearTextTrainer;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.text.TextFeaturizer;
import java.util.List;

/** The trainer's own calibrated probabilities of texts: what the served graph must reproduce (parity check, parity files). */
final class CalibratedScores {

    private CalibratedScores() {}

    /** Probabilities indexed [head][text], head {@code h} calibrated by {@code calibrations[h]}. */
    static double[][] of(
            LinearTextTrainer.Heads heads, TextFeaturizer featurizer, Calibration[] calibrations, List<String> texts) {
        double[][] scores = new double[calibrations.length][texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            double[] raw = heads.probabilities(featurizer.featurize(texts.get(i)));
            for (int h = 0; h < calibrations.length; h++) {
                scores[h][i] = calibrations[h].apply((float) raw[h]);
            }
        }
        return scores;
    }
}
