package io.moderato.models.train;

import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.text.FeaturizerSettings;

/**
 * One candidate configuration that cross-validation compares: the featurizer settings (they go into the manifest
 * when chosen) and the SGD settings of the per-head logistic regressions.
 */
public record Recipe(String name, FeaturizerSettings featurizer, BinaryLogisticRegression.Settings sgd) {

    /** A short human-readable description for logs and model cards. */
    public String describe() {
        FeaturizerSettings f = featurizer;
        return "2^" + Integer.numberOfTrailingZeros(f.dimensions()) + " dims, word 1–" + f.wordNgramMax()
                + (f.charNgramMax() == 0 ? ", no char n-grams" : ", char " + f.charNgramMin() + "–" + f.charNgramMax())
                + (f.normalization() == null ? ", no short-text rules" : ", short-text rules")
                + "; AdaGrad lr " + sgd.learningRate() + ", " + sgd.epochs() + " epochs";
    }
}
