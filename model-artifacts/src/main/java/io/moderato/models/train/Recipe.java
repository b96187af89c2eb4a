package io.moderato.models.train;

import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.text.FeaturizerSettings;

/**
 * One candidate configuration that cross-validation compares: the featurizer settings (they go into the manifest
 * when chosen), the SGD settings of the per-head logistic regressions, and a training weight per text source
 * (a source not listed weighs 1; 0 leaves the source out), e.g. to keep 2,400 long e-mails from outweighing 1,100
 * short comments.
 */
public record Recipe(String name, FeaturizerSettings featurizer, BinaryLogisticRegression.Settings sgd,
                     java.util.Map<String, Double> sourceWeights) {

    public Recipe {
        sourceWeights = java.util.Map.copyOf(sourceWeights);
        sourceWeights.forEach((source, w) -> {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("recipe " + name + ": weight of source " + source + " must be finite and >= 0, got " + w);
            }
        });
    }

    /** Every source weighs 1. */
    public Recipe(String name, FeaturizerSettings featurizer, BinaryLogisticRegression.Settings sgd) {
        this(name, featurizer, sgd, java.util.Map.of());
    }

    public double weightOf(String source) {
        return sourceWeights.getOrDefault(source, 1.0);
    }

    /** A short human-readable description for logs and model cards. */
    public String describe() {
        FeaturizerSettings f = featurizer;
        return "2^" + Integer.numberOfTrailingZeros(f.dimensions()) + " dims, word 1–" + f.wordNgramMax()
                + (f.charNgramMax() == 0 ? ", no char n-grams" : ", char " + f.charNgramMin() + "–" + f.charNgramMax())
                + (f.normalization() == null ? ", no short-text rules" : ", short-text rules")
                + "; AdaGrad lr " + sgd.learningRate() + ", " + sgd.epochs() + " epochs"
                + (sourceWeights.isEmpty() ? "" : "; weights " + new java.util.TreeMap<>(sourceWeights));
    }
}
