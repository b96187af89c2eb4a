package io.moderato.udfs.model;

import java.util.List;

/**
 * A head over fixed-dimension embeddings from an upstream image, audio or video encoder. Rejects
 * vectors of the wrong dimension or with non-finite values, naming the model and the item.
 */
public final class EmbeddingScorer {

    private final OnnxModel model;

    public EmbeddingScorer(OnnxModel model) {
        if (model.manifest().modality() == Modality.TEXT) {
            throw new IllegalArgumentException(
                    "Model " + model.manifest().id() + " is a TEXT model, not an embedding head");
        }
        this.model = model;
    }

    public OnnxModel model() {
        return model;
    }

    public Modality modality() {
        return model.manifest().modality();
    }

    public int dimensions() {
        return model.dimensions();
    }

    public ScoreBatch scoreEmbeddings(List<float[]> embeddings) {
        return model.scoreDense(embeddings);
    }
}
