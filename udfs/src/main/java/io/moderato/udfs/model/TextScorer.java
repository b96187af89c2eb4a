package io.moderato.udfs.model;

import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.List;

/**
 * Text model plus the featurizer its manifest prescribes: texts in, per-policy probabilities out.
 * Thread-safe.
 */
public final class TextScorer {

    private final OnnxModel model;
    private final TextFeaturizer featurizer;

    public TextScorer(OnnxModel model) {
        if (model.manifest().modality() != Modality.TEXT) {
            throw new IllegalArgumentException("Model " + model.manifest().id() + " is a "
                    + model.manifest().modality() + " model, not a TEXT model");
        }
        this.model = model;
        this.featurizer = new TextFeaturizer(model.manifest().featurizer());
    }

    public OnnxModel model() {
        return model;
    }

    public TextFeaturizer featurizer() {
        return featurizer;
    }

    public SparseVector featurize(String text) {
        return featurizer.featurize(text);
    }

    public ScoreBatch scoreTexts(List<String> texts) {
        List<SparseVector> features = new ArrayList<>(texts.size());
        for (String text : texts) {
            features.add(featurizer.featurize(text));
        }
        return model.score(features);
    }

    public ScoreBatch scoreFeatures(List<SparseVector> features) {
        return model.score(features);
    }
}
