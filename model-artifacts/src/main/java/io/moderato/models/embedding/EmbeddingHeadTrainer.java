package io.moderato.models.embedding;

import io.moderato.models.ModelArtifacts;
import io.moderato.models.eval.BinaryMetrics;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.ReferenceHistogram;
import io.moderato.udfs.model.ScoreBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains the multi-label embedding heads {@code image-safety}, {@code audio-safety} and
 * {@code video-safety} on {@link SyntheticEmbeddingGenerator} data: one Tribuo logistic regression per
 * policy, stacked into one linear head (one sigmoid column per policy) and exported as a DENSE ONNX
 * graph (embeddings are dense, so no sparse graph is written). They exist to exercise the multimodal
 * scoring path end to end; their model cards say plainly that they claim no quality.
 *
 * <p>Usage: {@code EmbeddingHeadTrainer [outputRoot [version [seed]]]}, defaults
 * {@code model-resources/src/main/resources/models}, {@value #DEFAULT_VERSION}, {@value #DEFAULT_SEED}.
 */
public final class EmbeddingHeadTrainer {

    public static final String DEFAULT_VERSION = "1.0.0";
    public static final long DEFAULT_SEED = 42L;
    public static final int TRAIN_SIZE = 4_000;
    public static final int VALIDATION_SIZE = 1_000;
    public static final double SEPARATION = 2.5;
    public static final double REVIEW_THRESHOLD = 0.5;
    public static final double ACTION_THRESHOLD = 0.9;
    public static final int HISTOGRAM_BINS = 20;
    static final String FEATURE_PREFIX = "e";

    /** One head: name, modality, embedding dimension, policies and their synthetic prevalence. */
    public record Head(
            String name,
            Modality modality,
            int dimensions,
            List<String> policies,
            double[] prevalence,
            String encoderNote) {}

    public static final List<Head> HEADS = List.of(
            new Head(
                    "image-safety",
                    Modality.IMAGE,
                    512,
                    List.of("nudity", "violence"),
                    new double[] {0.08, 0.05},
                    "image embeddings of dimension 512 (the size of e.g. CLIP ViT-B image embeddings)"),
            new Head(
                    "audio-safety",
                    Modality.AUDIO,
                    128,
                    List.of("hate_speech", "violence"),
                    new double[] {0.06, 0.05},
                    "audio embeddings of dimension 128 (the size of e.g. VGGish embeddings)"),
            new Head(
                    "video-safety",
                    Modality.VIDEO,
                    256,
                    List.of("nudity", "violence"),
                    new double[] {0.08, 0.05},
                    "video embeddings of dimension 256 (e.g. pooled frame embeddings projected to 256)"));

    /** Everything one head's training produced. */
    public record Result(
            ModelManifest manifest,
            String modelCard,
            LinearHeadOnnxExporter head,
            SyntheticEmbeddingGenerator.Samples validation,
            double[][] validationScores) {}

    private EmbeddingHeadTrainer() {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Path outputRoot = Path.of(args.length > 0 ? args[0] : "model-resources/src/main/resources/models");
        String version = args.length > 1 ? args[1] : DEFAULT_VERSION;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
        long start = System.nanoTime();
        for (Head head : HEADS) {
            Consumer<String> log = m -> System.out.println("[" + head.name() + "] " + m);
            Result result = train(head, version, seed, TRAIN_SIZE, VALIDATION_SIZE, log);
            Path dir = ModelArtifacts.write(outputRoot, result.manifest(), result.head(), result.modelCard());
            log.accept("wrote " + dir.toAbsolutePath());
            for (String file : List.of(
                    ModelArtifacts.MANIFEST,
                    ModelArtifacts.GRAPH_FILES.get(InputEncoding.DENSE),
                    ModelArtifacts.MODEL_CARD)) {
                log.accept("  " + file + " (" + ModelArtifacts.size(dir.resolve(file)) + ")");
            }
            verifyServingParity(outputRoot, result, log);
        }
        System.out.printf(Locale.ROOT, "[embedding-heads] done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /**
     * The generative model {@code head} was trained on with {@code seed} (the manifest's
     * {@code trainingData.seed}): the local stack's traffic draws fresh embeddings from it, so the head
     * scores them as it scored its validation data.
     */
    public static SyntheticEmbeddingGenerator generatorFor(Head head, long seed) {
        return new SyntheticEmbeddingGenerator(new SyntheticEmbeddingGenerator.Spec(
                head.dimensions(), head.policies(), head.prevalence(), SEPARATION, headSeed(head, seed)));
    }

    private static long headSeed(Head head, long seed) {
        return seed ^ (head.name().hashCode() * 0x9E3779B97F4A7C15L);
    }

    /** Generates data, trains one LR per policy, evaluates on a fresh synthetic draw. Pure in (head, version, seed, sizes). */
    public static Result train(
            Head head, String version, long seed, int trainSize, int validationSize, Consumer<String> log) {
        long headSeed = headSeed(head, seed);
        SyntheticEmbeddingGenerator generator = generatorFor(head, seed);
        SyntheticEmbeddingGenerator.Samples train = generator.generate(trainSize, headSeed + 1);
        SyntheticEmbeddingGenerator.Samples validation = generator.generate(validationSize, headSeed + 2);
        log.accept("generated " + trainSize + " train / " + validationSize + " validation synthetic embeddings of dim "
                + head.dimensions() + " (seed " + seed + ")");

        int[] allIndices = new int[head.dimensions()];
        Arrays.setAll(allIndices, i -> i);
        int policies = head.policies().size();
        double[][] w = new double[head.dimensions()][policies];
        double[] b = new double[policies];
        double[][] validationScores = new double[policies][];
        BinaryLogisticRegression.Settings sgd = BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS;
        Outputs out = new Outputs();
        out.counts.put("train", trainSize);
        out.counts.put("validation", validationSize);
        for (int p = 0; p < policies; p++) {
            String policy = head.policies().get(p);
            List<BinaryLogisticRegression.Row> rows = new ArrayList<>(trainSize);
            for (int i = 0; i < trainSize; i++) {
                rows.add(new BinaryLogisticRegression.Row(
                        allIndices, toDoubles(train.embeddings()[i]), train.labels()[i][p]));
            }
            BinaryLogisticRegression lr = BinaryLogisticRegression.train(
                    rows, FEATURE_PREFIX, sgd, seed + p, trainSize, head.name() + " synthetic " + policy);
            double[] hw = lr.head(head.dimensions(), lr::indexOf);
            for (int d = 0; d < head.dimensions(); d++) {
                w[d][p] = hw[d];
            }
            b[p] = hw[head.dimensions()];

            double[] scores = new double[validationSize];
            for (int i = 0; i < validationSize; i++) {
                scores[i] = lr.probability(allIndices, toDoubles(validation.embeddings()[i]));
            }
            validationScores[p] = scores;
            evaluate(head, p, scores, train, validation, out, log);
        }

        ModelManifest manifest = manifest(head, version, seed, trainSize, validationSize, out);
        LinearHeadOnnxExporter exporter = LinearHeadOnnxExporter.fromDoubles(w, b);
        String card = card(head, manifest, sgd, out.cardRows);
        return new Result(manifest, card, exporter, validation, validationScores);
    }

    private static ModelManifest manifest(
            Head head, String version, long seed, int trainSize, int validationSize, Outputs out) {
        Provenance provenance = new Provenance(
                "SYNTHETIC: io.moderato.models.embedding.SyntheticEmbeddingGenerator (no real data, no third-party content)",
                null,
                null,
                "n/a (generated)",
                List.of(),
                "independent generated draws: " + trainSize + " train, " + validationSize + " validation",
                seed,
                out.counts);
        return new ModelManifest(
                head.name(),
                version,
                head.modality(),
                head.dimensions(),
                Map.of(InputEncoding.DENSE, ModelArtifacts.GRAPH_FILES.get(InputEncoding.DENSE)),
                InputEncoding.DENSE,
                head.policies(),
                null,
                out.calibration,
                out.histograms,
                out.thresholds,
                provenance,
                out.metrics,
                "SYNTHETIC placeholder head: trained on generated embeddings to exercise the " + head.modality()
                        + " scoring path; it claims no quality on real content. See MODEL_CARD.md.");
    }

    /** What the per-policy loop collects for the manifest and the card. */
    private static final class Outputs {
        final Map<String, Double> metrics = new LinkedHashMap<>();
        final Map<String, ReferenceHistogram> histograms = new TreeMap<>();
        final Map<String, Double> thresholds = new TreeMap<>();
        final Map<String, Calibration> calibration = new TreeMap<>();
        final Map<String, Integer> counts = new TreeMap<>();
        final List<String> cardRows = new ArrayList<>();
    }

    /** Policy {@code p}'s validation metrics (prefixed "synthetic."), reference histogram, thresholds and card row. */
    private static void evaluate(
            Head head,
            int p,
            double[] scores,
            SyntheticEmbeddingGenerator.Samples train,
            SyntheticEmbeddingGenerator.Samples validation,
            Outputs out,
            Consumer<String> log) {
        String policy = head.policies().get(p);
        boolean[] labels = validation.labelsOf(p);
        double auc = BinaryMetrics.rocAuc(scores, labels);
        BinaryMetrics.Confusion review = BinaryMetrics.at(scores, labels, REVIEW_THRESHOLD);
        BinaryMetrics.Confusion action = BinaryMetrics.at(scores, labels, ACTION_THRESHOLD);
        // prefixed "synthetic." so no dashboard or gate mistakes them for quality on real content
        out.metrics.put("synthetic." + policy + ".roc_auc", auc);
        out.metrics.put("synthetic." + policy + ".review.precision", review.precision());
        out.metrics.put("synthetic." + policy + ".review.recall", review.recall());
        out.metrics.put("synthetic." + policy + ".action.precision", action.precision());
        out.metrics.put("synthetic." + policy + ".action.recall", action.recall());
        out.histograms.put(policy, ReferenceHistogram.of(scores, HISTOGRAM_BINS));
        out.thresholds.put(policy + ".review", REVIEW_THRESHOLD);
        out.thresholds.put(policy + ".action", ACTION_THRESHOLD);
        out.calibration.put(policy, Calibration.IDENTITY);
        out.counts.put("train." + policy + ".positive", train.positives(p));
        out.counts.put("validation." + policy + ".positive", validation.positives(p));
        log.accept(String.format(
                Locale.ROOT,
                "policy %s: synthetic validation ROC-AUC %.4f (planted signal ≈ %.3f)",
                policy,
                auc,
                idealAuc()));
        out.cardRows.add(String.format(
                Locale.ROOT,
                "| `%s` | %.2f | %d / %d | %.4f | %.4f / %.4f | %.4f / %.4f |",
                policy,
                head.prevalence()[p],
                train.positives(p),
                validation.positives(p),
                auc,
                review.precision(),
                review.recall(),
                action.precision(),
                action.recall()));
    }

    /** Φ(separation / √2): the ROC-AUC of the ideal scorer along one policy direction. */
    static double idealAuc() {
        return 0.5 * (1 + erf(SEPARATION / 2.0));
    }

    /** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a model-card figure. */
    private static double erf(double x) {
        double t = 1.0 / (1.0 + 0.3275911 * Math.abs(x));
        double y = 1
                - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                        * t
                        * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    static void verifyServingParity(Path outputRoot, Result result, Consumer<String> log) {
        ModelManifest m = result.manifest();
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(outputRoot))) {
            ScoreBatch scores = registry.embeddingScorer(m.name(), m.version())
                    .scoreEmbeddings(Arrays.asList(result.validation().embeddings()));
            double maxDiff = 0;
            for (int i = 0; i < scores.size(); i++) {
                for (int p = 0; p < m.policies().size(); p++) {
                    maxDiff = Math.max(maxDiff, Math.abs(scores.probability(i, p) - result.validationScores()[p][i]));
                }
            }
            log.accept(String.format(
                    Locale.ROOT,
                    "serving check DENSE: max |ORT - Tribuo| = %.2e over %d x %d scores",
                    maxDiff,
                    scores.size(),
                    m.policies().size()));
            if (!(maxDiff <= 1e-5)) {
                throw new IllegalStateException(m.id() + ": serving path differs from Tribuo by " + maxDiff);
            }
        }
    }

    private static String card(Head head, ModelManifest m, BinaryLogisticRegression.Settings sgd, List<String> rows) {
        StringBuilder s = new StringBuilder();
        appendCardHeader(s, head, m);
        appendWhatItIsAndWhySynthetic(s, head, m);
        appendDataGenerator(s, m);
        appendTraining(s, m, sgd);
        appendSanityMetrics(s, rows);
        appendKnownLimits(s, m);
        s.append("## Reproduce\n\n```\nscripts/train-models.sh\n```\n");
        return s.toString();
    }

    private static void appendCardHeader(StringBuilder s, Head head, ModelManifest m) {
        s.append("# Model card: ")
                .append(m.name())
                .append(' ')
                .append(m.version())
                .append("\n\n");
        s.append(
                        "> **SYNTHETIC PLACEHOLDER — NO QUALITY CLAIM.** This head was trained on generated vectors, not on any\n")
                .append("> real ")
                .append(head.modality().name().toLowerCase(Locale.ROOT))
                .append(" content. Its scores say nothing about real content. It exists so the ")
                .append(head.modality())
                .append(" scoring path\n")
                .append(
                        "> (embedding in, per-policy probabilities out) can be built, tested and operated end to end.\n\n");
        s.append(
                "This file is generated by `io.moderato.models.embedding.EmbeddingHeadTrainer`; edit the trainer, not this file.\n\n");
    }

    private static void appendWhatItIsAndWhySynthetic(StringBuilder s, Head head, ModelManifest m) {
        s.append("## What it is\n\n")
                .append("A multi-label linear head over ")
                .append(head.encoderNote())
                .append(" from an upstream encoder:\n")
                .append("`probabilities = sigmoid(x·W + b)` with one independent column per policy, in this order: `")
                .append(String.join("`, `", m.policies()))
                .append("`. Graph: `model.dense.onnx`, input `input` float32 [N, ")
                .append(m.inputDimensions())
                .append("], output `probabilities` float32 [N, ")
                .append(m.policies().size())
                .append("] (ONNX opset 13). No sparse graph: embeddings are dense.\n\n");
        s.append("## Why synthetic\n\n")
                .append("No labelled ")
                .append(head.modality().name().toLowerCase(Locale.ROOT))
                .append(
                        " (or embedding) safety data set is available to this project. Rather than ship an untrained graph,\n")
                .append(
                        "the head is trained on data with a known, planted signal, which proves that training, export, manifest,\n")
                .append(
                        "registry loading and scoring work together. Replace it with a head trained on real encoder embeddings of\n")
                .append("reviewed content (`training.examples`) before relying on it for anything.\n\n");
    }

    private static void appendDataGenerator(StringBuilder s, ModelManifest m) {
        s.append("## Data generator (`SyntheticEmbeddingGenerator`)\n\n")
                .append(
                        "1. Each policy p has a fixed random unit direction u_p (standard normal vector, normalised).\n")
                .append(
                        "2. Each item draws its labels independently: y_p ~ Bernoulli(prevalence_p); items can violate several policies.\n")
                .append("3. Raw vector = g + (separation / √D) · Σ_p y_p u_p, with g ~ N(0, I/D) and separation = ")
                .append(SEPARATION)
                .append(".\n")
                .append("4. The embedding is the raw vector scaled to unit length.\n\n")
                .append("Along u_p positives sit ")
                .append(SEPARATION)
                .append(" noise standard deviations away from negatives, so the best\n")
                .append("possible ROC-AUC per policy is about ")
                .append(String.format(Locale.ROOT, "%.3f", idealAuc()))
                .append(". Train and validation are independent draws (")
                .append(m.trainingData().counts().get("train"))
                .append(" train, ")
                .append(m.trainingData().counts().get("validation"))
                .append(" validation items); seed ")
                .append(m.trainingData().seed())
                .append(", `java.util.Random` streams (identical on every JVM).\n\n");
    }

    private static void appendTraining(StringBuilder s, ModelManifest m, BinaryLogisticRegression.Settings sgd) {
        s.append("## Training\n\n")
                .append(
                        "Per policy, Tribuo 4.3.2 `LinearSGDTrainer` with `LogMulticlass` (= `LogisticRegressionTrainer`'s settings:\n")
                .append("AdaGrad ")
                .append(sgd.learningRate())
                .append(" / ")
                .append(sgd.epsilon())
                .append(", ")
                .append(sgd.epochs())
                .append(" epochs, minibatch ")
                .append(sgd.minibatchSize())
                .append("), seeded; the per-policy weight differences\n")
                .append("w_pos − w_neg are stacked into W[")
                .append(m.inputDimensions())
                .append(", ")
                .append(m.policies().size())
                .append(
                        "]. The trainer reloads the graph through the udfs `ModelRegistry` and checks it against Tribuo (1e-5).\n\n");
    }

    private static void appendSanityMetrics(StringBuilder s, List<String> rows) {
        s.append("## Sanity metrics on synthetic validation data (not quality)\n\n")
                .append(
                        "These only show that the head recovered the planted signal. They are stored in `manifest.json` under\n")
                .append("`synthetic.*` keys so nothing mistakes them for quality on real content.\n\n")
                .append(
                        "| policy | prevalence | positives train / validation | ROC-AUC | review ≥ 0.5 precision / recall | action ≥ 0.9 precision / recall |\n")
                .append("|---|---|---|---|---|---|\n");
        rows.forEach(r -> s.append(r).append('\n'));
    }

    private static void appendKnownLimits(StringBuilder s, ModelManifest m) {
        s.append("\n## Known limits\n\n")
                .append(
                        "- No quality on real content: real embeddings do not separate policies along one random direction.\n")
                .append(
                        "- Default thresholds (review 0.5, action 0.9) are placeholders; do not enable auto-action from this head.\n")
                .append(
                        "- The reference histograms in the manifest describe scores on synthetic data: score-drift alarms against real\n")
                .append("  traffic are expected and say nothing about the traffic.\n")
                .append("- The input dimension is fixed at ")
                .append(m.inputDimensions())
                .append("; embeddings of any other size are rejected by the scorer.\n\n");
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
