package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * text-spam 1.0.0 stays as it was shipped (decisions recorded with it must stay reproducible): its parity sample,
 * manifest and card. Its trainer/serving parity is checked with every other text model in {@link TextModelParityTest}.
 */
class TextSpamV1ModelTest {

    private static final String VERSION = TextSpamTrainer.DEFAULT_VERSION;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ModelRegistry registry;
    private static List<JsonNode> sample;

    @BeforeAll
    static void load() throws IOException {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
        sample = new ArrayList<>();
        String resource = "parity/" + TextSpamTrainer.NAME + "-" + VERSION + ".jsonl";
        try (InputStream in = TextSpamV1ModelTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    sample.add(JSON.readTree(line));
                }
            }
        }
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    @Test
    void shouldCommitAStratifiedSampleOfAtLeast200ShortMessages() {
        assertThat(sample).hasSizeGreaterThanOrEqualTo(200);
        assertThat(sample).allSatisfy(row -> {
            assertThat(row.get("text").asText().length()).isLessThanOrEqualTo(TextSpamTrainer.PARITY_MAX_CHARS);
            assertThat(row.get("expected").has(TextSpamTrainer.POLICY)).isTrue();
        });
        long spam = sample.stream()
                .filter(r -> r.get("label").asText().equals("spam"))
                .count();
        assertThat(spam).isGreaterThan(0).isLessThan(sample.size());
        assertThat(sample.stream().map(r -> r.get("id").asText()).distinct().count())
                .isEqualTo(sample.size());
    }

    @Test
    void shouldScoreRawTextsThroughThePreferredEncoding() {
        TextScorer scorer = registry.textScorer(TextSpamTrainer.NAME, VERSION);
        assertThat(scorer.model().encoding()).isEqualTo(InputEncoding.SPARSE);
        ScoreBatch scores = scorer.scoreTexts(List.of(
                "Make money fast! Click here to earn $5000 a week from home, guaranteed",
                "I think the patch breaks the build on debian, can you check the config?"));
        assertThat(scores.probability(0, TextSpamTrainer.POLICY)).isGreaterThan(0.9f);
        assertThat(scores.probability(1, TextSpamTrainer.POLICY)).isLessThan(0.1f);
    }

    @Test
    void shouldCommitAManifestWithValidationRocAucAtLeast097ReportedInTheCard() throws IOException {
        ModelManifest manifest = registry.manifest(TextSpamTrainer.NAME, VERSION);
        double auc = manifest.validationMetrics().get("spam.roc_auc");
        assertThat(auc).isGreaterThanOrEqualTo(0.97);
        assertThat(manifest.validationMetrics())
                .containsKeys(
                        "spam.review.precision", "spam.review.recall", "spam.action.precision", "spam.action.recall");
        assertThat(manifest.defaultThresholds())
                .containsEntry("spam.review", TextSpamTrainer.REVIEW_THRESHOLD)
                .containsEntry("spam.action", TextSpamTrainer.ACTION_THRESHOLD);
        assertThat(manifest.featurizer()).isEqualTo(TextSpamTrainer.featurizerSettings());
        assertThat(manifest.trainingData().groups()).containsExactlyElementsOf(TextSpamTrainer.TRAINING_GROUPS);
        assertThat(manifest.trainingData().packageVersion()).isEqualTo(SpamCorpus.PACKAGE_VERSION);
        int validation = manifest.trainingData().counts().get("validation.ham")
                + manifest.trainingData().counts().get("validation.spam");
        assertThat(manifest.referenceHistograms().get("spam").counts()).hasSize(TextSpamTrainer.HISTOGRAM_BINS);
        assertThat(manifest.referenceHistograms().get("spam").total()).isEqualTo(validation);

        String card;
        try (InputStream in = getClass()
                .getClassLoader()
                .getResourceAsStream("models/" + TextSpamTrainer.NAME + "/" + VERSION + "/MODEL_CARD.md")) {
            assertThat(in).isNotNull();
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(card)
                .contains("ROC-AUC")
                .contains(String.format(Locale.ROOT, "%.4f", auc))
                .contains("Known limits")
                .contains("Intended use")
                .contains("PDDL-1.0")
                .contains("easy-ham-2")
                .contains("hard-ham-1")
                .contains("spam-2");
    }
}
