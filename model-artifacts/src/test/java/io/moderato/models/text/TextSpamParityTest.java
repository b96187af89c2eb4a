package io.moderato.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import io.moderato.udfs.vector.SparseVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed text-spam model, loaded from the classpath exactly as a job loads it, must reproduce the
 * trainer's (Tribuo's) probabilities on the committed parity sample in both input encodings.
 */
class TextSpamParityTest {

    private static final String VERSION = TextSpamTrainer.DEFAULT_VERSION;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ModelRegistry registry;
    private static List<JsonNode> sample;

    @BeforeAll
    static void load() throws IOException {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
        sample = new ArrayList<>();
        String resource = "parity/" + TextSpamTrainer.NAME + "-" + VERSION + ".jsonl";
        try (InputStream in = TextSpamParityTest.class.getClassLoader().getResourceAsStream(resource)) {
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
        long spam = sample.stream().filter(r -> r.get("label").asText().equals("spam")).count();
        assertThat(spam).isGreaterThan(0).isLessThan(sample.size());
        assertThat(sample.stream().map(r -> r.get("id").asText()).distinct().count()).isEqualTo(sample.size());
    }

    @ParameterizedTest
    @EnumSource(InputEncoding.class)
    void shouldMatchTrainerProbabilitiesOnTheParitySample(InputEncoding encoding) {
        OnnxModel model = registry.model(TextSpamTrainer.NAME, VERSION, encoding);
        TextScorer scorer = new TextScorer(model);
        List<String> policies = model.policies();
        double maxDiff = 0;
        String worst = "";
        for (int from = 0; from < sample.size(); from += 50) {
            List<JsonNode> batch = sample.subList(from, Math.min(sample.size(), from + 50));
            List<SparseVector> features = batch.stream().map(r -> scorer.featurize(r.get("text").asText())).toList();
            ScoreBatch scores = scorer.scoreFeatures(features);
            assertThat(scores.size()).isEqualTo(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                for (int p = 0; p < policies.size(); p++) {
                    double expected = batch.get(i).get("expected").get(policies.get(p)).asDouble();
                    double diff = Math.abs(scores.probability(i, p) - expected);
                    if (diff > maxDiff) {
                        maxDiff = diff;
                        worst = batch.get(i).get("id").asText();
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "text-spam %s parity: max |serving - trainer| = %.3e over %d messages (worst %s)%n",
                encoding, maxDiff, sample.size(), worst);
        assertThat(maxDiff).as("max abs diff (%s, worst %s)", encoding, worst)
                .isLessThanOrEqualTo(TextSpamTrainer.PARITY_TOLERANCE);
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
        assertThat(manifest.validationMetrics()).containsKeys("spam.review.precision", "spam.review.recall",
                "spam.action.precision", "spam.action.recall");
        assertThat(manifest.defaultThresholds()).containsEntry("spam.review", TextSpamTrainer.REVIEW_THRESHOLD)
                .containsEntry("spam.action", TextSpamTrainer.ACTION_THRESHOLD);
        assertThat(manifest.featurizer()).isEqualTo(TextSpamTrainer.featurizerSettings());
        assertThat(manifest.trainingData().groups()).containsExactlyElementsOf(TextSpamTrainer.TRAINING_GROUPS);
        assertThat(manifest.trainingData().packageVersion()).isEqualTo(SpamCorpus.PACKAGE_VERSION);
        int validation = manifest.trainingData().counts().get("validation.ham")
                + manifest.trainingData().counts().get("validation.spam");
        assertThat(manifest.referenceHistograms().get("spam").counts()).hasSize(TextSpamTrainer.HISTOGRAM_BINS);
        assertThat(manifest.referenceHistograms().get("spam").total()).isEqualTo(validation);

        String card;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("models/" + TextSpamTrainer.NAME + "/" + VERSION + "/MODEL_CARD.md")) {
            assertThat(in).isNotNull();
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(card).contains("ROC-AUC").contains(String.format(Locale.ROOT, "%.4f", auc))
                .contains("Known limits").contains("Intended use").contains("PDDL-1.0")
                .contains("easy-ham-2").contains("hard-ham-1").contains("spam-2");
    }
}
