package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The flattened (COO) SPARSE encoding through the udfs scorer: a row's score must not depend on the batch
 * it is scored in (size, neighbours, empty rows), on the thread, or on whether the batch fits the
 * per-thread reusable input buffers.
 */
class SparseScoringTest {

    private static ModelRegistry registry;
    private static OnnxModel sparse;
    private static OnnxModel dense;
    private static List<SparseVector> features;

    @BeforeAll
    static void load() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
        sparse = registry.model(TextSpamTrainer.NAME, TextSpamTrainer.DEFAULT_VERSION, InputEncoding.SPARSE);
        dense = registry.model(TextSpamTrainer.NAME, TextSpamTrainer.DEFAULT_VERSION, InputEncoding.DENSE);
        TextFeaturizer featurizer = new TextFeaturizer(sparse.manifest().featurizer());
        SplittableRandom random = new SplittableRandom(99);
        features = new ArrayList<>();
        String[] words = {"free", "money", "patch", "build", "click", "debian", "offer", "list", "meeting", "viagra"};
        for (int i = 0; i < 150; i++) {
            StringBuilder text = new StringBuilder();
            int length = i % 10 == 0 ? 0 : random.nextInt(1, 400); // every tenth text is empty
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(w % 7 == 0 ? ". " : " ");
            }
            features.add(featurizer.featurize(text.toString()));
        }
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static float[] scores(OnnxModel model, List<SparseVector> batch) {
        ScoreBatch scores = model.score(batch);
        float[] out = new float[batch.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores.probability(i, 0);
        }
        return out;
    }

    private static float[] oneByOne(OnnxModel model, List<SparseVector> items) {
        float[] out = new float[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores(model, List.of(items.get(i)))[0];
        }
        return out;
    }

    @Test
    void shouldGiveEveryRowTheSameScoreWhateverBatchItIsIn() {
        float[] single = oneByOne(sparse, features);
        assertThat(scores(sparse, features)).containsExactly(single);
        for (int size : new int[] {2, 7, 64}) {
            for (int from = 0; from < features.size(); from += size) {
                List<SparseVector> batch = features.subList(from, Math.min(features.size(), from + size));
                float[] got = scores(sparse, batch);
                for (int i = 0; i < got.length; i++) {
                    assertThat(got[i])
                            .as("batch size %d, item %d", size, from + i)
                            .isEqualTo(single[from + i]);
                }
            }
        }
        float[] viaDense = scores(dense, features);
        for (int i = 0; i < single.length; i++) {
            assertThat((double) single[i])
                    .as("item %d, sparse vs dense graph", i)
                    .isCloseTo(viaDense[i], offset(1e-6));
        }
    }

    @Test
    void shouldScoreEmptyRowsAndAnAllEmptyBatchAsTheBias() {
        SparseVector empty = SparseVector.empty(sparse.dimensions());
        float bias = scores(sparse, List.of(empty))[0];
        assertThat((double) bias).isCloseTo(scores(dense, List.of(empty))[0], offset(1e-7));
        assertThat(scores(sparse, List.of(empty, empty, empty))).containsExactly(bias, bias, bias);
        float[] mixed = scores(sparse, List.of(empty, features.get(1), empty));
        assertThat(mixed[0]).isEqualTo(bias);
        assertThat(mixed[2]).isEqualTo(bias);
        assertThat(mixed[1]).isEqualTo(scores(sparse, List.of(features.get(1)))[0]);
        assertThat(sparse.score(List.of()).size()).isZero();
    }

    @Test
    void shouldScoreHugeBatchesInSlicesWithTheScoresOfRowByRowScoring() {
        // 20 rows with every one of the 65,536 features set: 1.3 M non-zeros, ten times what one ONNX call carries
        // (OnnxModel.MAX_NON_ZEROS_PER_RUN), so the batch is scored in slices of rows; then a small batch in one call
        int d = sparse.dimensions();
        List<SparseVector> huge = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            int[] indices = new int[d];
            float[] values = new float[d];
            for (int i = 0; i < d; i++) {
                indices[i] = i;
                values[i] = ((i * 31 + r * 17) % 13) / 64f;
            }
            huge.add(new SparseVector(d, indices, values));
        }
        float[] together = scores(sparse, huge);
        float[] alone = oneByOne(sparse, huge);
        assertThat(together).containsExactly(alone);
        float[] viaDense = scores(dense, huge);
        for (int i = 0; i < together.length; i++) {
            assertThat((double) together[i]).isCloseTo(viaDense[i], offset(1e-5));
        }
        assertThat(scores(sparse, features.subList(0, 5))).containsExactly(oneByOne(sparse, features.subList(0, 5)));
    }

    @Test
    void shouldScoreConcurrentlyFromSeveralThreadsAsFromOne() throws Exception {
        float[] expected = oneByOne(sparse, features);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int size = 1 + t * 21; // 1, 22, 43, 64: each thread grows and reuses its own buffers differently
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int from = 0; from < features.size(); from += size) {
                            List<SparseVector> batch = features.subList(from, Math.min(features.size(), from + size));
                            float[] got = scores(sparse, batch);
                            for (int i = 0; i < got.length; i++) {
                                assertThat(got[i])
                                        .as("thread batch %d, item %d", size, from + i)
                                        .isEqualTo(expected[from + i]);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
