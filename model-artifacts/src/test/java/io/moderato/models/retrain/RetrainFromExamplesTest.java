package io.moderato.models.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.models.ModelArtifacts;
import io.moderato.models.eval.BinaryMetrics;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.WindowedUserRisk;
import io.moderato.udfs.io.TrainingExampleFiles;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrains text-spam from TrainingExample Avro files built from the committed parity sample: each text is
 * featurized with the text-spam 1.0.0 manifest's featurizer (as the DetectionJob would have captured it),
 * labelled with its true label, and given a seeded propensity (1 or 0.1) and weight 1/propensity. A quarter of
 * the sample is held out from the examples altogether and scored through the registry at the end.
 */
class RetrainFromExamplesTest {

    private static final String NAME = "text-spam";
    private static final String PARENT = "1.0.0";
    private static final Path PARENT_DIR = Path.of("../model-resources/src/main/resources/models", NAME, PARENT);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parity message: id, true label, text. */
    record Message(String id, boolean spam, String text) {}

    private static ModelManifest parent;
    private static List<Message> examplesPart;
    private static List<Message> heldOut;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadParitySample() throws IOException {
        try (InputStream in = Files.newInputStream(PARENT_DIR.resolve(ModelArtifacts.MANIFEST))) {
            parent = ModelManifest.read(in, "text-spam 1.0.0");
        }
        List<Message> all = new ArrayList<>();
        try (InputStream in = RetrainFromExamplesTest.class
                .getClassLoader()
                .getResourceAsStream("parity/" + NAME + "-" + PARENT + ".jsonl")) {
            assertThat(in).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    JsonNode row = JSON.readTree(line);
                    all.add(new Message(
                            row.get("id").asText(),
                            row.get("label").asText().equals("spam"),
                            row.get("text").asText()));
                }
            }
        }
        StratifiedSplit.Parts<Message> parts = StratifiedSplit.split(all, Message::spam, Message::id, 0.25, 2024L);
        examplesPart = parts.first();
        heldOut = parts.second();
    }

    /** A models folder holding a copy of the committed parent, as a deployment would. */
    private Path modelsWithParent() throws IOException {
        return modelsWithParent("models");
    }

    private Path modelsWithParent(String folder) throws IOException {
        Path models = tmp.resolve(folder);
        Path dir = Files.createDirectories(models.resolve(NAME).resolve(PARENT));
        try (var files = Files.list(PARENT_DIR)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return models;
    }

    static FeatureVector features(String text, ModelManifest model, int dimensions) {
        SparseVector v = new TextFeaturizer(model.featurizer()).featurize(text);
        List<Integer> indices = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < v.nonZeros(); i++) {
            indices.add(v.indices()[i]);
            values.add(v.values()[i]);
        }
        return FeatureVector.newBuilder()
                .setModality("text")
                .setModel(new ModelVersion("text", model.name(), model.version()))
                .setDimensions(dimensions)
                .setIndices(indices)
                .setValues(values)
                .build();
    }

    static TrainingExample example(
            Message m, boolean violating, double propensity, FeatureVector features, long labelledAt) {
        return TrainingExample.newBuilder()
                .setContentId(m.id())
                .setPolicyId("spam")
                .setUserId("u-" + Math.abs(m.id().hashCode() % 97))
                .setSurface("comments")
                .setLocale("en")
                .setViolating(violating)
                .setSeverity(violating ? 1.0 : null)
                .setLabelSource(propensity < 1 ? "AUDIT" : "REVIEW")
                .setLabelCount(1)
                .setConflicting(false)
                .setPropensity(propensity)
                .setWeight(1.0 / propensity)
                .setAuditSampled(propensity < 1)
                .setBand(propensity < 1 ? "ALLOW" : "REVIEW")
                .setFusedRisk(0.5)
                .setModalityScores(Map.of("text", 0.5))
                .setContextFeatures(Map.of())
                .setFeatures(List.of(features))
                .setUserRisk(WindowedUserRisk.newBuilder()
                        .setMaxRisk(0.5)
                        .setMeanRisk(0.5)
                        .setBorderlineCount(0)
                        .setItemCount(1)
                        .build())
                .setModelVersions(List.of(new ModelVersion("text", NAME, PARENT)))
                .setConfigVersion(3L)
                .setEventTimeMillis(1_750_000_000_000L)
                .setDecidedAtMillis(1_750_000_000_850L)
                .setLabelledAtMillis(labelledAt)
                .build();
    }

    /** Examples of the sample part with seeded propensities: half 1.0, half 0.1. */
    private static List<TrainingExample> examples(Function<Message, Double> propensity) {
        List<TrainingExample> out = new ArrayList<>();
        for (Message m : examplesPart) {
            out.add(example(
                    m,
                    m.spam(),
                    propensity.apply(m),
                    features(m.text(), parent, parent.inputDimensions()),
                    1_750_000_600_000L));
        }
        return out;
    }

    private static Function<Message, Double> seededPropensities(long seed) {
        Random random = new Random(seed);
        Map<String, Double> p = new java.util.HashMap<>();
        for (Message m : examplesPart) {
            p.put(m.id(), random.nextBoolean() ? 1.0 : 0.1);
        }
        return m -> p.get(m.id());
    }

    /** Writes the examples as two part files of a file-sink-like folder (one bucket, one in-progress file). */
    private Path writeExamples(String folder, List<TrainingExample> examples) throws IOException {
        Path dir = tmp.resolve(folder).resolve("2025-06-15--12");
        int half = examples.size() / 2;
        TrainingExampleFiles.write(dir.resolve("part-0-0"), examples.subList(0, half));
        TrainingExampleFiles.write(dir.resolve("part-1-0.avro"), examples.subList(half, examples.size()));
        Files.writeString(dir.resolve(".part-1-1.inprogress.8f0c"), "half-written");
        return tmp.resolve(folder);
    }

    private static double[] scoreHeldOut(Path models, String version) {
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(models))) {
            TextScorer scorer = registry.textScorer(NAME, version);
            ScoreBatch batch =
                    scorer.scoreTexts(heldOut.stream().map(Message::text).toList());
            double[] scores = new double[heldOut.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = batch.probability(i, "spam");
            }
            return scores;
        }
    }

    private static boolean[] heldOutLabels() {
        boolean[] labels = new boolean[heldOut.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = heldOut.get(i).spam();
        }
        return labels;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    @Test
    void shouldTrainANewVersionBesideItsParentThatServesWell() throws IOException {
        Path models = modelsWithParent();
        Path examples = writeExamples("examples", examples(seededPropensities(11)));
        List<String> log = new ArrayList<>();

        RetrainFromExamples.Result result = RetrainFromExamples.retrain(
                RetrainFromExamples.Options.of(List.of(examples), models, "1.1.0-test"), log::add);

        Path dir = models.resolve(NAME).resolve("1.1.0-test");
        assertThat(result.modelDir()).isEqualTo(dir);
        assertThat(dir.resolve("manifest.json")).isRegularFile();
        assertThat(dir.resolve("model.sparse.onnx")).isRegularFile();
        assertThat(dir.resolve("model.dense.onnx")).isRegularFile();
        assertThat(dir.resolve("MODEL_CARD.md")).isRegularFile();
        try (var siblings = Files.list(models.resolve(NAME))) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(PARENT, "1.1.0-test");
        }

        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(models))) {
            ModelManifest m = registry.manifest(NAME, "1.1.0-test");
            assertThat(m.featurizer()).isEqualTo(parent.featurizer());
            assertThat(m.inputDimensions()).isEqualTo(parent.inputDimensions());
            assertThat(m.modality()).isEqualTo(parent.modality());
            assertThat(m.graphs()).isEqualTo(parent.graphs());
            assertThat(m.policies()).containsExactly("spam");
            assertThat(m.calibration()).containsEntry("spam", Calibration.IDENTITY);
            assertThat(m.defaultThresholds()).isEqualTo(parent.defaultThresholds());
            assertThat(m.notes()).contains("parent version 1.0.0");
            assertThat(m.trainingData().seed()).isEqualTo(RetrainFromExamples.DEFAULT_SEED);
            assertThat(m.trainingData().groups()).hasSize(2).allMatch(f -> f.contains("part-"));
            assertThat(m.trainingData().counts())
                    .containsEntry("examples.used", examplesPart.size())
                    .containsEntry("examples.read", examplesPart.size());
            assertThat(m.validationMetrics())
                    .containsKeys("spam.roc_auc", "spam.action.precision", "spam.review.recall", "spam.parent.roc_auc");
            assertThat(registry.versions(NAME)).containsExactly(PARENT, "1.1.0-test");
        }

        double[] scores = scoreHeldOut(models, "1.1.0-test");
        double auc = BinaryMetrics.rocAuc(scores, heldOutLabels());
        System.out.printf(
                Locale.ROOT,
                "retrain text-spam 1.1.0-test from %d parity examples: holdout weighted ROC-AUC %.4f"
                        + " (parent %.4f); %d fresh held-out parity texts ROC-AUC %.4f; parity %.1e%n",
                examplesPart.size(),
                result.validation().rocAuc(),
                result.parentValidation().rocAuc(),
                heldOut.size(),
                auc,
                result.maxParityDifference());
        result.validation()
                .thresholds()
                .forEach((k, v) -> System.out.printf(
                        Locale.ROOT,
                        "  %s @ %.2f: precision %s, recall %s%n",
                        k,
                        v.threshold(),
                        RetrainFromExamples.fmt(v.precision()),
                        RetrainFromExamples.fmt(v.recall())));
        assertThat(auc).isGreaterThan(0.9);
        assertThat(result.validation().rocAuc()).isGreaterThan(0.9);
        assertThat(result.maxParityDifference()).isLessThanOrEqualTo(RetrainFromExamples.PARITY_TOLERANCE);
        assertThat(result.activation())
                .contains(
                        "\"shadowModels\"",
                        "\"activeModels\"",
                        "{\"modality\": \"text\", \"name\": \"text-spam\", \"version\": \"1.1.0-test\"}");
        assertThat(Files.readString(dir.resolve("MODEL_CARD.md")))
                .contains("text-spam:1.0.0", "ROC-AUC (weighted)", "1/propensity", "shadowModels");
        assertThat(log)
                .as("the in-progress part file is hidden, hence never read")
                .noneMatch(l -> l.contains("inprogress"))
                .anyMatch(l -> l.startsWith("read ") && l.contains("part-0-0"));
    }

    @Test
    void shouldHonourTheExampleWeights() throws IOException {
        Path models = modelsWithParent();
        // same examples; only the weights differ: every positive stood for 10 items (audit-sampled at 0.1) or for 1
        Path even = writeExamples("even", examples(m -> 1.0));
        Path positivesHeavy = writeExamples("heavy", examples(m -> m.spam() ? 0.1 : 1.0));

        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(even), models, "even"), m -> {});
        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(positivesHeavy), models, "heavy"), m -> {});

        byte[] evenGraph =
                Files.readAllBytes(models.resolve(NAME).resolve("even").resolve("model.sparse.onnx"));
        byte[] heavyGraph =
                Files.readAllBytes(models.resolve(NAME).resolve("heavy").resolve("model.sparse.onnx"));
        assertThat(heavyGraph).isNotEqualTo(evenGraph);
        double evenMean = mean(scoreHeldOut(models, "even"));
        double heavyMean = mean(scoreHeldOut(models, "heavy"));
        System.out.printf(
                Locale.ROOT,
                "weights honoured: mean held-out score %.4f (all weights 1) vs %.4f (positives x10)%n",
                evenMean,
                heavyMean);
        assertThat(heavyMean).isGreaterThan(evenMean);
    }

    @Test
    void shouldWriteIdenticalFilesForTheSameExamplesAndSeed() throws IOException {
        Path first = modelsWithParent("first");
        Path second = modelsWithParent("second");
        Path examples = writeExamples("examples", examples(seededPropensities(11)));

        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(examples), first, "1.1.0"), m -> {});
        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(examples), second, "1.1.0"), m -> {});
        RetrainFromExamples.retrain(
                RetrainFromExamples.Options.of(List.of(examples), second, "1.1.1")
                        .withSeed(43),
                m -> {});

        for (String file : List.of("model.sparse.onnx", "model.dense.onnx", "manifest.json")) {
            assertThat(second.resolve(NAME).resolve("1.1.0").resolve(file))
                    .hasSameBinaryContentAs(first.resolve(NAME).resolve("1.1.0").resolve(file));
        }
        assertThat(scoreHeldOut(second, "1.1.1"))
                .as("another seed, another split and SGD order")
                .isNotEqualTo(scoreHeldOut(second, "1.1.0"));
    }

    @Test
    void shouldKeepOnlyTheLatestExampleOfEachItem() throws IOException {
        Path models = modelsWithParent();
        List<TrainingExample> examples = new ArrayList<>(examples(m -> 1.0));
        // an earlier, contradicting version of every spam example: superseded by the later label
        for (Message m : examplesPart) {
            if (m.spam()) {
                examples.add(example(
                        m, false, 1.0, features(m.text(), parent, parent.inputDimensions()), 1_750_000_000_900L));
            }
        }
        Path dir = tmp.resolve("with-updates");
        TrainingExampleFiles.write(dir.resolve("part-0-0"), examples);

        RetrainFromExamples.Result result =
                RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(dir), models, "latest"), m -> {});

        long spam = examplesPart.stream().filter(Message::spam).count();
        assertThat(result.selection().superseded()).isEqualTo((int) spam);
        assertThat(result.selection().used()).isEqualTo(examplesPart.size());
        assertThat(result.validation().positives()).isPositive();
    }

    @Test
    void shouldRefuseToOverwriteAnExistingVersion() throws IOException {
        Path models = modelsWithParent();
        Path examples = writeExamples("examples", examples(m -> 1.0));

        assertThatThrownBy(() -> RetrainFromExamples.retrain(
                        RetrainFromExamples.Options.of(List.of(examples), models, PARENT), m -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refusing to overwrite")
                .hasMessageContaining(PARENT);
        assertThat(Files.readAllBytes(models.resolve(NAME).resolve(PARENT).resolve("model.sparse.onnx")))
                .isEqualTo(Files.readAllBytes(PARENT_DIR.resolve("model.sparse.onnx")));
    }

    @Test
    void shouldRejectFeaturesOfAnotherDimensionNamingThem() throws IOException {
        Path models = modelsWithParent();
        List<TrainingExample> examples = new ArrayList<>();
        for (Message m : examplesPart) {
            // indices of a 1,024-dimension featurizer claiming to be text-spam 1.0.0
            examples.add(
                    example(m, m.spam(), 1.0, features(m.text(), withFeaturizerDimensions(parent, 1024), 1024), 1L));
        }
        Path dir = tmp.resolve("small");
        TrainingExampleFiles.write(dir.resolve("part-0-0"), examples);

        assertThatThrownBy(() ->
                        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(dir), models, "x"), m -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024 dimensions")
                .hasMessageContaining("text-spam:1.0.0")
                .hasMessageContaining("65536");
        assertThat(models.resolve(NAME).resolve("x")).doesNotExist();
    }

    @Test
    void shouldRejectExamplesWithoutFeaturesOfTheModelNamingWhatWasFound() throws IOException {
        Path models = modelsWithParent();
        List<TrainingExample> examples = new ArrayList<>();
        for (Message m : examplesPart) {
            FeatureVector other = FeatureVector.newBuilder(features(m.text(), parent, parent.inputDimensions()))
                    .setModel(new ModelVersion("text", "text-harassment", "3"))
                    .build();
            examples.add(example(m, m.spam(), 1.0, other, 1L));
        }
        Path dir = tmp.resolve("other");
        TrainingExampleFiles.write(dir.resolve("part-0-0"), examples);

        assertThatThrownBy(() ->
                        RetrainFromExamples.retrain(RetrainFromExamples.Options.of(List.of(dir), models, "x"), m -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text-spam")
                .hasMessageContaining("text/text-harassment:3");
    }

    @Test
    void shouldRejectAnUnknownPolicyAndAParentMissingFromTheModelsFolder() throws IOException {
        Path models = modelsWithParent();
        Path examples = writeExamples("examples", examples(m -> 1.0));
        RetrainFromExamples.Options hate =
                new RetrainFromExamples.Options(List.of(examples), models, "hate", "text", NAME, null, "x", 1L, 0.2);

        assertThatThrownBy(() -> RetrainFromExamples.retrain(hate, m -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no training examples of policy 'hate'")
                .hasMessageContaining("spam=" + examplesPart.size());
        assertThatThrownBy(() -> RetrainFromExamples.retrain(
                        RetrainFromExamples.Options.of(List.of(examples), tmp.resolve("empty-models"), "x"), m -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text-spam:1.0.0 not found");
    }

    @Test
    void shouldParseTheCommandLine() {
        RetrainFromExamples.Options o = RetrainFromExamples.parse(new String[] {
            "--examples",
            "a",
            "--examples",
            "b",
            "--version",
            "1.1.0",
            "--policy",
            "spam",
            "--seed",
            "7",
            "--models",
            "m"
        });

        assertThat(o.examples()).containsExactly(Path.of("a"), Path.of("b"));
        assertThat(o.newVersion()).isEqualTo("1.1.0");
        assertThat(o.seed()).isEqualTo(7L);
        assertThat(o.modelsRoot()).isEqualTo(Path.of("m"));
        assertThat(o.modelName()).isEqualTo("text-spam");
        assertThat(RetrainFromExamples.parse(new String[] {"--help"})).isNull();
        assertThatThrownBy(() -> RetrainFromExamples.parse(new String[] {"--examples", "a"}))
                .hasMessageContaining("--version");
        assertThatThrownBy(() -> RetrainFromExamples.parse(new String[] {"--examples", "a", "--version", "../x"}))
                .hasMessageContaining("folder name");
    }

    private static ModelManifest withFeaturizerDimensions(ModelManifest m, int dims) {
        return new ModelManifest(
                m.name(),
                m.version(),
                m.modality(),
                dims,
                m.graphs(),
                m.preferredEncoding(),
                m.policies(),
                m.featurizer().withDimensions(dims),
                m.calibration(),
                m.referenceHistograms(),
                m.defaultThresholds(),
                m.trainingData(),
                m.validationMetrics(),
                m.notes());
    }
}
