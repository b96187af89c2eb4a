package io.moderato.models.text;

import static io.moderato.models.text.TrainerArgs.arg;

import io.moderato.models.ModelArtifacts;
import io.moderato.models.eval.BinaryMetrics;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.ReferenceHistogram;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains the {@code text-spam} model reproducibly: SpamAssassin groups {@code easy-ham-1} and
 * {@code spam-1} → {@link EmailText} (Subject + decoded body) → seeded stratified 80/20 split →
 * udfs {@link TextFeaturizer} → Tribuo logistic regression → linear head exported as dense and sparse
 * ONNX graphs, manifest (metrics, reference histograms, provenance), {@code MODEL_CARD.md}, and a
 * parity sample of validation messages with Tribuo's probabilities. Before it returns it loads the
 * written model through the udfs {@link ModelRegistry} and checks both encodings against Tribuo.
 *
 * <p>Usage: {@code TextSpamTrainer [corpusDir [outputRoot [version [seed [parityDir]]]]]}, defaults
 * {@code data/spam-assassin}, {@code model-resources/src/main/resources/models}, {@value #DEFAULT_VERSION},
 * {@value #DEFAULT_SEED}, {@code model-artifacts/src/test/resources/parity}. Same corpus, version and
 * seed → byte-identical outputs.
 */
public final class TextSpamTrainer {

    public static final String NAME = "text-spam";
    public static final String POLICY = "spam";
    public static final String DEFAULT_VERSION = "1.0.0";
    public static final long DEFAULT_SEED = 42L;
    public static final List<String> TRAINING_GROUPS = List.of("easy-ham-1", "spam-1");
    public static final List<String> RESERVED_GROUPS = List.of("easy-ham-2", "hard-ham-1", "spam-2");
    public static final double VALIDATION_FRACTION = 0.2;
    public static final double REVIEW_THRESHOLD = 0.5;
    public static final double ACTION_THRESHOLD = 0.9;
    public static final int HISTOGRAM_BINS = 20;
    public static final int PARITY_SAMPLE_SIZE = 240;
    public static final int PARITY_MAX_CHARS = 2_000;
    public static final double PARITY_TOLERANCE = 1e-5;
    static final String FEATURE_PREFIX = "h";

    private TextSpamTrainer() {}

    /**
     * udfs defaults (2^16 hashed dimensions, seed 42, word 1–2-grams, no character n-grams, 1 + ln tf, L2)
     * except that only the first 20,000 characters are read: that covers more than 99% of the training
     * e-mails whole and bounds the featurizing cost of one event at serving time.
     */
    public static FeaturizerSettings featurizerSettings() {
        FeaturizerSettings d = FeaturizerSettings.defaults();
        return new FeaturizerSettings(
                d.dimensions(),
                d.hashSeed(),
                d.wordNgramMax(),
                d.charNgramMin(),
                d.charNgramMax(),
                d.sublinearTf(),
                d.l2Normalize(),
                20_000);
    }

    /** One committed parity message: the (truncated) text and Tribuo's probability per policy. */
    public record ParityRow(String id, String label, String text, Map<String, Double> expected) {}

    /** Everything a training run produces, before anything is written. */
    public record Result(
            ModelManifest manifest,
            String modelCard,
            LinearHeadOnnxExporter head,
            List<ParityRow> parity,
            List<SparseVector> validationFeatures,
            double[] validationScores,
            double trainingSeconds) {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Path corpus = Path.of(arg(args, 0, "data/spam-assassin"));
        Path outputRoot = Path.of(arg(args, 1, "model-resources/src/main/resources/models"));
        String version = arg(args, 2, DEFAULT_VERSION);
        long seed = Long.parseLong(arg(args, 3, Long.toString(DEFAULT_SEED)));
        Path parityDir = Path.of(arg(args, 4, "model-artifacts/src/test/resources/parity"));
        Consumer<String> log = m -> System.out.println("[" + NAME + "] " + m);

        long start = System.nanoTime();
        log.accept("reading corpus " + corpus.toAbsolutePath() + " groups " + TRAINING_GROUPS);
        List<SpamCorpus.Message> messages = SpamCorpus.load(corpus, TRAINING_GROUPS, log);
        Result result = train(messages, version, seed, featurizerSettings(), log);
        Path dir = ModelArtifacts.write(outputRoot, result.manifest(), result.head(), result.modelCard());
        Path parityFile = writeParity(parityDir, version, result.parity());
        log.accept("wrote " + dir.toAbsolutePath());
        for (String file :
                List.of(ModelArtifacts.MANIFEST, "model.dense.onnx", "model.sparse.onnx", ModelArtifacts.MODEL_CARD)) {
            log.accept("  " + file + " (" + ModelArtifacts.size(dir.resolve(file)) + ")");
        }
        log.accept("wrote " + parityFile.toAbsolutePath() + " ("
                + result.parity().size() + " messages, " + ModelArtifacts.size(parityFile) + ")");
        verifyServingParity(outputRoot, result, log);
        log.accept(String.format(
                Locale.ROOT,
                "done in %.1f s (training %.1f s)",
                (System.nanoTime() - start) / 1e9,
                result.trainingSeconds()));
    }

    /** Split, featurize, train, evaluate, export: a pure function of the messages, version, seed and settings. */
    public static Result train(
            List<SpamCorpus.Message> messages,
            String version,
            long seed,
            FeaturizerSettings settings,
            Consumer<String> log) {
        StratifiedSplit.Parts<SpamCorpus.Message> split = StratifiedSplit.split(
                messages, SpamCorpus.Message::spam, SpamCorpus.Message::id, VALIDATION_FRACTION, seed);
        List<SpamCorpus.Message> train = split.first();
        List<SpamCorpus.Message> validation = split.second();
        log.accept(String.format(
                Locale.ROOT,
                "split (seed %d): train %d (%d spam), validation %d (%d spam)",
                seed,
                train.size(),
                countSpam(train),
                validation.size(),
                countSpam(validation)));

        TextFeaturizer featurizer = new TextFeaturizer(settings);
        List<SparseVector> trainFeatures = featurize(featurizer, train, "train", log);
        List<SparseVector> validationFeatures = featurize(featurizer, validation, "validation", log);
        BinaryLogisticRegression.Settings sgd = BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS;
        Fit fit = fit(train, trainFeatures, sgd, seed, log);
        BinaryLogisticRegression lr = fit.model();
        double[] headWithBias = lr.head(settings.dimensions(), lr::indexOf);
        LinearHeadOnnxExporter head = export(headWithBias, settings.dimensions());

        double[] validationScores = score(lr, validationFeatures);
        Evaluation eval = Evaluation.of(
                validationScores, labels(validation), BinaryMetrics.rocAuc(score(lr, trainFeatures), labels(train)));
        log.accept(String.format(
                Locale.ROOT,
                "validation: ROC-AUC %.4f; review@%.2f precision %.4f recall %.4f; action@%.2f precision %.4f recall %.4f",
                eval.rocAuc,
                REVIEW_THRESHOLD,
                eval.review.precision(),
                eval.review.recall(),
                ACTION_THRESHOLD,
                eval.action.precision(),
                eval.action.recall()));

        List<SpamCorpus.Message> paritySample = StratifiedSplit.sample(
                validation, SpamCorpus.Message::spam, SpamCorpus.Message::id, PARITY_SAMPLE_SIZE, seed);
        List<ParityRow> parity = parityRows(paritySample, featurizer, lr);
        Provenance provenance = provenance(train, validation, paritySample, fit, seed);
        ModelManifest manifest = manifest(version, settings, sgd, validationScores, eval, provenance);
        double emptyText = 1.0 / (1.0 + Math.exp(-headWithBias[settings.dimensions()]));
        String card = TextSpamModelCard.render(manifest, eval, sgd, trainingMessageStats(train), emptyText);
        return new Result(manifest, card, head, parity, validationFeatures, validationScores, fit.seconds());
    }

    /** The trained model, its training time and how many training messages had no feature (skipped). */
    private record Fit(BinaryLogisticRegression model, double seconds, int withoutFeatures) {}

    private static Fit fit(
            List<SpamCorpus.Message> train,
            List<SparseVector> trainFeatures,
            BinaryLogisticRegression.Settings sgd,
            long seed,
            Consumer<String> log) {
        List<BinaryLogisticRegression.Row> rows = new ArrayList<>(train.size());
        int empty = 0;
        for (int i = 0; i < train.size(); i++) {
            SparseVector v = trainFeatures.get(i);
            empty += v.nonZeros() == 0 ? 1 : 0;
            rows.add(new BinaryLogisticRegression.Row(
                    v.indices(), toDoubles(v.values()), train.get(i).spam()));
        }
        log.accept("training Tribuo logistic regression " + sgd + ", seed " + seed + " on " + rows.size()
                + " messages (" + empty + " without features skipped)");
        long t0 = System.nanoTime();
        BinaryLogisticRegression lr = BinaryLogisticRegression.train(
                rows,
                FEATURE_PREFIX,
                sgd,
                seed,
                rows.size(),
                NAME + " " + String.join("+", TRAINING_GROUPS) + " train split");
        double trainingSeconds = (System.nanoTime() - t0) / 1e9;
        log.accept(String.format(
                Locale.ROOT,
                "trained in %.1f s; %d distinct hashed features seen in training",
                trainingSeconds,
                lr.knownFeatures()));
        return new Fit(lr, trainingSeconds, empty);
    }

    /** One sigmoid column: weights in rows 0..dimensions-1 of {@code headWithBias}, the bias after them. */
    private static LinearHeadOnnxExporter export(double[] headWithBias, int dimensions) {
        double[][] w = new double[dimensions][1];
        for (int i = 0; i < dimensions; i++) {
            w[i][0] = headWithBias[i];
        }
        return LinearHeadOnnxExporter.fromDoubles(w, new double[] {headWithBias[dimensions]});
    }

    /** The sampled validation messages, truncated, with Tribuo's probability that serving must reproduce. */
    private static List<ParityRow> parityRows(
            List<SpamCorpus.Message> paritySample, TextFeaturizer featurizer, BinaryLogisticRegression lr) {
        List<ParityRow> parity = new ArrayList<>(paritySample.size());
        for (SpamCorpus.Message m : paritySample) {
            String text = truncate(m.text(), PARITY_MAX_CHARS);
            SparseVector v = featurizer.featurize(text);
            double p = lr.probability(v.indices(), toDoubles(v.values()));
            parity.add(new ParityRow(m.id(), m.spam() ? "spam" : "ham", text, Map.of(POLICY, p)));
        }
        return parity;
    }

    private static Provenance provenance(
            List<SpamCorpus.Message> train,
            List<SpamCorpus.Message> validation,
            List<SpamCorpus.Message> paritySample,
            Fit fit,
            long seed) {
        Map<String, Integer> counts = new TreeMap<>();
        counts.put("train.ham", train.size() - countSpam(train));
        counts.put("train.spam", countSpam(train));
        counts.put("train.without_features", fit.withoutFeatures());
        counts.put("validation.ham", validation.size() - countSpam(validation));
        counts.put("validation.spam", countSpam(validation));
        counts.put(
                "parity.ham", (int) paritySample.stream().filter(m -> !m.spam()).count());
        counts.put("parity.spam", (int)
                paritySample.stream().filter(SpamCorpus.Message::spam).count());
        counts.put("features.seen_in_training", fit.model().knownFeatures());
        return new Provenance(
                "SpamAssassin public corpus (raw e-mails), via the npm package " + SpamCorpus.PACKAGE,
                SpamCorpus.PACKAGE,
                SpamCorpus.PACKAGE_VERSION,
                SpamCorpus.LICENSE,
                TRAINING_GROUPS,
                "stratified by class: " + Math.round(VALIDATION_FRACTION * 100) + "% validation, rest train;"
                        + " java.util.Random(seed) shuffle of ids sorted per class (seed + 1 for spam)",
                seed,
                counts);
    }

    private static ModelManifest manifest(
            String version,
            FeaturizerSettings settings,
            BinaryLogisticRegression.Settings sgd,
            double[] validationScores,
            Evaluation eval,
            Provenance provenance) {
        Map<InputEncoding, String> graphs = new EnumMap<>(InputEncoding.class);
        graphs.put(InputEncoding.DENSE, ModelArtifacts.GRAPH_FILES.get(InputEncoding.DENSE));
        graphs.put(InputEncoding.SPARSE, ModelArtifacts.GRAPH_FILES.get(InputEncoding.SPARSE));
        return new ModelManifest(
                NAME,
                version,
                Modality.TEXT,
                settings.dimensions(),
                graphs,
                InputEncoding.SPARSE,
                List.of(POLICY),
                settings,
                Map.of(POLICY, Calibration.IDENTITY),
                Map.of(POLICY, ReferenceHistogram.of(validationScores, HISTOGRAM_BINS)),
                Map.of(POLICY + ".review", REVIEW_THRESHOLD, POLICY + ".action", ACTION_THRESHOLD),
                provenance,
                eval.metrics(),
                "Tribuo logistic regression (LinearSGDTrainer + LogMulticlass, " + sgd + ") on udfs TextFeaturizer"
                        + " features of Subject + decoded body of e-mails; validation metrics on the held-out "
                        + Math.round(VALIDATION_FRACTION * 100)
                        + "% split. E-mail spam, not comment spam: see MODEL_CARD.md.");
    }

    /** Validation metrics of the spam policy. */
    record Evaluation(
            double rocAuc,
            double trainRocAuc,
            BinaryMetrics.Confusion review,
            BinaryMetrics.Confusion action,
            double logLoss,
            double brier,
            long positives,
            long negatives) {
        static Evaluation of(double[] scores, boolean[] labels, double trainRocAuc) {
            long positives = 0;
            for (boolean b : labels) {
                positives += b ? 1 : 0;
            }
            return new Evaluation(
                    BinaryMetrics.rocAuc(scores, labels),
                    trainRocAuc,
                    BinaryMetrics.at(scores, labels, REVIEW_THRESHOLD),
                    BinaryMetrics.at(scores, labels, ACTION_THRESHOLD),
                    BinaryMetrics.logLoss(scores, labels),
                    BinaryMetrics.brier(scores, labels),
                    positives,
                    labels.length - positives);
        }

        Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(POLICY + ".roc_auc", rocAuc);
            m.put(POLICY + ".review.precision", review.precision());
            m.put(POLICY + ".review.recall", review.recall());
            m.put(POLICY + ".review.false_positive_rate", review.falsePositiveRate());
            m.put(POLICY + ".action.precision", action.precision());
            m.put(POLICY + ".action.recall", action.recall());
            m.put(POLICY + ".action.false_positive_rate", action.falsePositiveRate());
            m.put(POLICY + ".log_loss", logLoss);
            m.put(POLICY + ".brier", brier);
            return m;
        }
    }

    /** Median and 90th percentile of the model-text length in characters, per class (for the model card). */
    static Map<String, int[]> trainingMessageStats(List<SpamCorpus.Message> train) {
        Map<String, int[]> stats = new LinkedHashMap<>();
        for (boolean spam : new boolean[] {false, true}) {
            int[] lengths = train.stream()
                    .filter(m -> m.spam() == spam)
                    .mapToInt(m -> m.text().length())
                    .sorted()
                    .toArray();
            if (lengths.length > 0) {
                stats.put(
                        spam ? "spam" : "ham",
                        new int[] {lengths[lengths.length / 2], lengths[(int) (lengths.length * 0.9)]});
            }
        }
        return stats;
    }

    /**
     * Loads the written model through the udfs registry (the serving path) in both encodings and checks
     * every validation message against Tribuo's probability.
     */
    static void verifyServingParity(Path outputRoot, Result result, Consumer<String> log) {
        ModelManifest manifest = result.manifest();
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(outputRoot))) {
            for (InputEncoding encoding : manifest.graphs().keySet()) {
                OnnxModel model = registry.model(manifest.name(), manifest.version(), encoding);
                double maxDiff = 0;
                List<SparseVector> features = result.validationFeatures();
                for (int from = 0; from < features.size(); from += 64) {
                    List<SparseVector> batch = features.subList(from, Math.min(features.size(), from + 64));
                    ScoreBatch scores = model.score(batch);
                    for (int i = 0; i < batch.size(); i++) {
                        maxDiff = Math.max(
                                maxDiff, Math.abs(scores.probability(i, 0) - result.validationScores()[from + i]));
                    }
                }
                log.accept(String.format(
                        Locale.ROOT,
                        "serving check %s: max |ORT - Tribuo| = %.2e over %d validation messages",
                        encoding,
                        maxDiff,
                        features.size()));
                if (!(maxDiff <= PARITY_TOLERANCE)) {
                    throw new IllegalStateException(
                            "serving path differs from Tribuo by " + maxDiff + " (" + encoding + ")");
                }
            }
        }
    }

    static Path writeParity(Path dir, String version, List<ParityRow> rows) throws IOException {
        return io.moderato.models.train.TextModelRelease.writeParity(
                dir,
                NAME,
                version,
                rows.stream()
                        .map(r -> new io.moderato.models.train.TextModelRelease.ParityRow(
                                r.id(), r.label(), r.text(), r.expected()))
                        .toList());
    }

    /** First {@code maxChars} UTF-16 units, never splitting a surrogate pair (as the featurizer truncates). */
    static String truncate(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        return text.substring(0, end);
    }

    private static List<SparseVector> featurize(
            TextFeaturizer featurizer, List<SpamCorpus.Message> messages, String what, Consumer<String> log) {
        List<SparseVector> out = new ArrayList<>(messages.size());
        for (SpamCorpus.Message m : messages) {
            out.add(featurizer.featurize(m.text()));
            if (out.size() % 1000 == 0 || out.size() == messages.size()) {
                log.accept("featurized " + what + ": " + out.size() + "/" + messages.size());
            }
        }
        return out;
    }

    private static double[] score(BinaryLogisticRegression lr, List<SparseVector> features) {
        double[] scores = new double[features.size()];
        for (int i = 0; i < scores.length; i++) {
            SparseVector v = features.get(i);
            scores[i] = lr.probability(v.indices(), toDoubles(v.values()));
        }
        return scores;
    }

    private static boolean[] labels(List<SpamCorpus.Message> messages) {
        boolean[] labels = new boolean[messages.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = messages.get(i).spam();
        }
        return labels;
    }

    private static int countSpam(List<SpamCorpus.Message> messages) {
        return (int) messages.stream().filter(SpamCorpus.Message::spam).count();
    }

    static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
