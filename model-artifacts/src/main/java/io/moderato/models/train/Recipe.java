package io.moderato.models.train;

import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.text.FeaturizerSettings;

/**
 * One candidate configuration that cross-validation compares: the featurizer settings (they go into the manifest
 * when chosen), the SGD settings of the per-head logistic regressions, and a training weight per text source
 * (a source not listed weighs 1; 0 leaves the source out), e.g. to keep 2,400 long e-mails from outweighing 1,100
 * short comments. {@code classBalance} in [0, 1] re-weighs each head's positive examples by
 * (negative weight / positive weight)^classBalance: 0 leaves the data as it is, 1 makes both classes weigh alike —
 * so a rare class (hate speech is 6% of the tweets) is not drowned in a few SGD epochs; Platt calibration on
 * out-of-fold scores then maps the shifted scores back to probabilities.
 */
public record Recipe(
        String name,
        FeaturizerSettings featurizer,
        BinaryLogisticRegression.Settings sgd,
        java.util.Map<String, Double> sourceWeights,
        double classBalance) {

    public Recipe {
        if (!(classBalance >= 0 && classBalance <= 1)) {
            throw new IllegalArgumentException(
                    "recipe " + name + ": classBalance must be in [0, 1], got " + classBalance);
        }
        sourceWeights = java.util.Map.copyOf(sourceWeights);
        sourceWeights.forEach((source, w) -> {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(
                        "recipe " + name + ": weight of source " + source + " must be finite and >= 0, got " + w);
            }
        });
    }

    /** Source weights, no class balancing. */
    public Recipe(
            String name,
            FeaturizerSettings featurizer,
            BinaryLogisticRegression.Settings sgd,
            java.util.Map<String, Double> sourceWeights) {
        this(name, featurizer, sgd, sourceWeights, 0);
    }

    /** Every source weighs 1, no class balancing. */
    public Recipe(String name, FeaturizerSettings featurizer, BinaryLogisticRegression.Settings sgd) {
        this(name, featurizer, sgd, java.util.Map.of());
    }

    /** This recipe with positive examples re-weighed by (negative / positive weight)^{@code balance}. */
    public Recipe withClassBalance(String newName, double balance) {
        return new Recipe(newName, featurizer, sgd, sourceWeights, balance);
    }

    /** This recipe with other SGD settings. */
    public Recipe withSgd(String newName, BinaryLogisticRegression.Settings settings) {
        return new Recipe(newName, featurizer, settings, sourceWeights, classBalance);
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
                + (sourceWeights.isEmpty() ? "" : "; weights " + new java.util.TreeMap<>(sourceWeights))
                + (classBalance == 0 ? "" : "; positives ×(neg/pos)^" + classBalance);
    }
}
