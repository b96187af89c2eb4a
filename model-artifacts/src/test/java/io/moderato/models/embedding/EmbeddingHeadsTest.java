package io.moderato.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.models.ModelArtifacts;
import io.moderato.udfs.model.EmbeddingScorer;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoreBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The committed synthetic heads, loaded from the classpath as a job loads them. */
class EmbeddingHeadsTest {

    static final List<EmbeddingHeadTrainer.Head> HEADS = EmbeddingHeadTrainer.HEADS;
    private static final String VERSION = EmbeddingHeadTrainer.DEFAULT_VERSION;

    private static ModelRegistry registry;

    @BeforeAll
    static void open() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static SyntheticEmbeddingGenerator.Samples batch(EmbeddingHeadTrainer.Head head, int n) {
        return new SyntheticEmbeddingGenerator(new SyntheticEmbeddingGenerator.Spec(
                        head.dimensions(), head.policies(), head.prevalence(), EmbeddingHeadTrainer.SEPARATION, 1234L))
                .generate(n, 5678L);
    }

    @ParameterizedTest
    @FieldSource("HEADS")
    void shouldScoreASyntheticBatchIntoOneProbabilityPerItemAndPolicy(EmbeddingHeadTrainer.Head head) {
        EmbeddingScorer scorer = registry.embeddingScorer(head.name(), VERSION);
        assertThat(scorer.modality()).isEqualTo(head.modality());
        assertThat(scorer.dimensions()).isEqualTo(head.dimensions());

        ScoreBatch scores = scorer.scoreEmbeddings(Arrays.asList(batch(head, 7).embeddings()));
        assertThat(scores.size()).isEqualTo(7);
        assertThat(scores.policies()).containsExactlyElementsOf(head.policies());
        for (int i = 0; i < 7; i++) {
            for (int p = 0; p < head.policies().size(); p++) {
                assertThat(scores.probability(i, p)).isBetween(0f, 1f);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("HEADS")
    void shouldRejectEmbeddingsOfTheWrongDimensionNamingModelAndItem(EmbeddingHeadTrainer.Head head) {
        EmbeddingScorer scorer = registry.embeddingScorer(head.name(), VERSION);
        float[] good = batch(head, 1).embeddings()[0];
        float[] wrong = new float[head.dimensions() + 1];
        assertThatThrownBy(() -> scorer.scoreEmbeddings(List.of(good, wrong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(head.name())
                .hasMessageContaining("dimension " + head.dimensions())
                .hasMessageContaining("item 1")
                .hasMessageContaining("dimension " + (head.dimensions() + 1));
    }

    @ParameterizedTest
    @FieldSource("HEADS")
    void shouldSayPlainlyThatTheHeadIsSyntheticAndClaimsNoQuality(EmbeddingHeadTrainer.Head head) throws IOException {
        ModelManifest manifest = registry.manifest(head.name(), VERSION);
        assertThat(manifest.featurizer()).isNull();
        assertThat(manifest.trainingData().source()).startsWith("SYNTHETIC");
        assertThat(manifest.notes()).contains("SYNTHETIC").contains("no quality");
        assertThat(manifest.validationMetrics().keySet())
                .allSatisfy(k -> assertThat(k).startsWith("synthetic."));
        String card;
        try (InputStream in = getClass()
                .getClassLoader()
                .getResourceAsStream("models/" + head.name() + "/" + VERSION + "/" + ModelArtifacts.MODEL_CARD)) {
            assertThat(in).isNotNull();
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(card)
                .contains("SYNTHETIC PLACEHOLDER")
                .contains("NO QUALITY CLAIM")
                .contains("SyntheticEmbeddingGenerator");
    }

    @ParameterizedTest
    @FieldSource("HEADS")
    void shouldReproduceTheCommittedHeadFromTheTrainerAndSeed(EmbeddingHeadTrainer.Head head) throws IOException {
        EmbeddingHeadTrainer.Result result = EmbeddingHeadTrainer.train(
                head,
                VERSION,
                EmbeddingHeadTrainer.DEFAULT_SEED,
                EmbeddingHeadTrainer.TRAIN_SIZE,
                EmbeddingHeadTrainer.VALIDATION_SIZE,
                m -> {});
        String base = "models/" + head.name() + "/" + VERSION + "/";
        assertThat(result.manifest().toJson() + "\n").isEqualTo(resource(base + ModelArtifacts.MANIFEST));
        assertThat(result.modelCard()).isEqualTo(resource(base + ModelArtifacts.MODEL_CARD));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(base + "model.dense.onnx")) {
            assertThat(in).isNotNull();
            assertThat(ModelArtifacts.graphBytes(result.manifest(), result.head(), InputEncoding.DENSE))
                    .isEqualTo(in.readAllBytes());
        }
    }

    private String resource(String name) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
