package io.moderato.models.text;

import static io.moderato.models.text.TrainerArgs.arg;

import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.eval.HeadEvaluation;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.models.eval.MulticlassEvaluation;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.train.LinearTextTrainer;
import io.moderato.models.train.Recipe;
import io.moderato.models.train.TextModelRelease;
import io.moderato.models.train.ThresholdChoice;
import io.moderato.models.train.TrainingText;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.text.TextNormalization;
import io.moderato.udfs.vector.SparseVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains {@code text-abuse}: two calibrated heads on the Davidson et al. (2017) tweets committed under
 * {@code model-artifacts/data} — {@code hate_speech} = P(the annotators' majority says hate speech) and
 * {@code harassment} = P(the majority says hate speech or offensive language, i.e. not "neither").
 *
 * <p>Protocol (recorded in the manifest and the model card): a seeded 80/20 split stratified by the majority class;
 * inside the 80%, {@value #FOLDS}-fold stratified cross-validation chooses the recipe (featurizer settings and SGD
 * settings), fits Platt calibration per head on the out-of-fold scores and chooses the policy thresholds
 * ({@link ThresholdChoice}); the final model is trained on the whole 80% with vote shares as soft targets, exported,
 * loaded back through the udfs registry and evaluated on the untouched 20%.
 *
 * <p>Usage: {@code TextAbuseTrainer [dataDir [outputRoot [version [seed [parityDir]]]]]}, defaults
 * {@code model-artifacts/data}, {@code model-resources/src/main/resources/models}, {@value #DEFAULT_VERSION},
 * {@value #DEFAULT_SEED}, {@code model-artifacts/src/test/resources/parity}.
 */
public final class TextAbuseTrainer {

    public static final String NAME = "text-abuse";
    public static final String DEFAULT_VERSION = "1.0.0";
    public static final long DEFAULT_SEED = 42L;
    public static final String HATE = "hate_speech";
    public static final String HARASSMENT = "harassment";
    public static final List<String> POLICIES = List.of(HATE, HARASSMENT);
    public static final double VALIDATION_FRACTION = 0.2;
    public static final int FOLDS = 5;
    /** Precision an automatic action must keep, and the confidence it must keep it at (the policies' obligation). */
    public static final double ACTION_PRECISION = 0.95;

    public static final double ACTION_CONFIDENCE = 0.95;
    /** Automatic action also needs the calibrated probability itself to reach this (see {@link ThresholdChoice}). */
    public static final double ACTION_FLOOR = 0.90;

    public static final int PARITY_SAMPLE_SIZE = 300;
    public static final int MAX_CHARS = 4_000;

    private TextAbuseTrainer() {}

    /** The candidates cross-validation compares (chosen before any validation data was looked at). */
    public static List<Recipe> recipes() {
        BinaryLogisticRegression.Settings sgd = new BinaryLogisticRegression.Settings(5, 0.1, 0.1, 1);
        FeaturizerSettings words =
                new FeaturizerSettings(1 << 18, 42, 2, 0, 0, true, true, MAX_CHARS, TextNormalization.SHORT_TEXT);
        return List.of(
                new Recipe("words", words, sgd),
                new Recipe("words+chars", words.withCharNgrams(2, 5), sgd),
                new Recipe(
                        "words+chars, no short-text rules",
                        words.withCharNgrams(2, 5).withNormalization(null),
                        sgd));
    }

    /** Soft targets (vote shares) and majority labels of the two heads. */
    static TrainingText trainingText(DavidsonTweets.Tweet t) {
        return new TrainingText(
                t.id(),
                t.text(),
                new double[] {t.share(DavidsonTweets.HATE), 1 - t.share(DavidsonTweets.NEITHER)},
                new boolean[] {t.hate(), t.abusive()},
                DavidsonTweets.FOLDER);
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Path data = Path.of(arg(args, 0, "model-artifacts/data"));
        Path outputRoot = Path.of(arg(args, 1, "model-resources/src/main/resources/models"));
        String version = arg(args, 2, DEFAULT_VERSION);
        long seed = Long.parseLong(arg(args, 3, Long.toString(DEFAULT_SEED)));
        Path parityDir = Path.of(arg(args, 4, "model-artifacts/src/test/resources/parity"));
        Consumer<String> log = m -> System.out.println("[" + NAME + "] " + m);
        long start = System.nanoTime();
        TextModelRelease.Trained result = train(data, version, seed, recipes(), log);
        TextModelRelease.write(result, outputRoot, parityDir, log);
        log.accept(String.format(Locale.ROOT, "done in %.0f s", (System.nanoTime() - start) / 1e9));
    }

    public static TextModelRelease.Trained train(
            Path data, String version, long seed, List<Recipe> recipes, Consumer<String> log) throws IOException {
        StratifiedSplit.Parts<DavidsonTweets.Tweet> split = split(data, seed, log);
        List<DavidsonTweets.Tweet> train = split.first();
        List<DavidsonTweets.Tweet> validation = split.second();

        List<TrainingText> trainTexts =
                train.stream().map(TextAbuseTrainer::trainingText).toList();
        int[] folds =
                StratifiedSplit.folds(train, DavidsonTweets.Tweet::majority, DavidsonTweets.Tweet::id, FOLDS, seed);
        LinearTextTrainer.Selection selection = LinearTextTrainer.select(trainTexts, folds, recipes, seed, log);
        Recipe recipe = selection.recipe();
        Map<String, HeadThresholds> chosen = chooseThresholds(selection, log);

        TextFeaturizer featurizer = new TextFeaturizer(recipe.featurizer());
        LinearTextTrainer.Heads heads = fitFinal(featurizer, trainTexts, recipe, seed, log);
        Calibration[] calibrations = selection.calibrations();
        List<String> validationTexts =
                validation.stream().map(DavidsonTweets.Tweet::text).toList();
        double[][] expected = CalibratedScores.of(heads, featurizer, calibrations, validationTexts);

        Map<String, Double> thresholds = new TreeMap<>();
        chosen.forEach((policy, t) -> t.putInto(thresholds, policy));
        Provenance provenance = provenance(data, train, validation, seed, heads.knownFeatures());
        TextModelRelease.Spec spec = new TextModelRelease.Spec(
                NAME,
                version,
                POLICIES,
                recipe.featurizer(),
                calibrations,
                thresholds,
                provenance,
                "Two independent logistic-regression heads (Tribuo, soft targets = annotator vote"
                        + " shares) on udfs TextFeaturizer features, Platt-calibrated on cross-validated scores; recipe '"
                        + recipe.name() + "' chosen by " + FOLDS
                        + "-fold cross-validation inside the training split. See MODEL_CARD.md.");
        LinearHeadOnnxExporter head = heads.export();
        Validation v = validate(spec, head, validation, validationTexts, expected, log);
        ModelManifest manifest = TextModelRelease.manifest(spec, TextModelRelease.histograms(v.served()), v.metrics());
        logValidation(v, log);

        List<TextModelRelease.ParityRow> parity = parityRows(validation, expected, seed);
        String card = card(manifest, selection, chosen, v);
        return new TextModelRelease.Trained(manifest, card, head, parity);
    }

    private static void logValidation(Validation v, Consumer<String> log) {
        log.accept(String.format(
                Locale.ROOT,
                "validation: hate_speech ROC-AUC %.4f F1@review %.4f ECE %.4f; harassment "
                        + "ROC-AUC %.4f ECE %.4f; three-class weighted F1 %.4f",
                v.metrics().get("hate_speech.roc_auc"),
                v.metrics().get("hate_speech.review.f1"),
                v.metrics().get("hate_speech.ece"),
                v.metrics().get("harassment.roc_auc"),
                v.metrics().get("harassment.ece"),
                v.threeClass().weightedF1()));
    }

    /** The model card, with each policy's review and action threshold choices. */
    private static String card(
            ModelManifest manifest,
            LinearTextTrainer.Selection selection,
            Map<String, HeadThresholds> chosen,
            Validation v) {
        Map<String, ThresholdChoice.Choice> review = new LinkedHashMap<>();
        Map<String, ThresholdChoice.Choice> action = new LinkedHashMap<>();
        chosen.forEach((policy, t) -> {
            review.put(policy, t.review());
            action.put(policy, t.action());
        });
        return TextAbuseModelCard.render(
                manifest, selection, review, action, v.evaluations(), v.threeClass(), v.bias());
    }

    /** What the validation split says about the staged model, scored through the serving path. */
    private record Validation(
            Map<String, double[]> served,
            List<HeadEvaluation> evaluations,
            Map<String, Double> metrics,
            MulticlassEvaluation threeClass,
            TextAbuseModelCard.Bias bias) {}

    private static StratifiedSplit.Parts<DavidsonTweets.Tweet> split(Path data, long seed, Consumer<String> log)
            throws IOException {
        List<DavidsonTweets.Tweet> tweets = DavidsonTweets.load(data);
        StratifiedSplit.Parts<DavidsonTweets.Tweet> split = StratifiedSplit.splitBy(
                tweets, DavidsonTweets.Tweet::majority, DavidsonTweets.Tweet::id, VALIDATION_FRACTION, seed);
        log.accept("split (seed " + seed + "): train " + split.first().size() + " " + classCounts(split.first())
                + ", validation " + split.second().size() + " " + classCounts(split.second()));
        return split;
    }

    /** Per policy, in {@link #POLICIES} order: thresholds chosen on the out-of-fold calibrated scores. */
    private static Map<String, HeadThresholds> chooseThresholds(
            LinearTextTrainer.Selection selection, Consumer<String> log) {
        Map<String, HeadThresholds> chosen = new LinkedHashMap<>();
        for (int h = 0; h < POLICIES.size(); h++) {
            HeadThresholds t = HeadThresholds.choose(
                    selection.oofCalibrated()[h],
                    selection.labels()[h],
                    ACTION_PRECISION,
                    ACTION_CONFIDENCE,
                    ACTION_FLOOR);
            chosen.put(POLICIES.get(h), t);
            log.accept(POLICIES.get(h) + ": " + t.describe());
        }
        return chosen;
    }

    private static LinearTextTrainer.Heads fitFinal(
            TextFeaturizer featurizer, List<TrainingText> trainTexts, Recipe recipe, long seed, Consumer<String> log) {
        List<SparseVector> trainFeatures = LinearTextTrainer.featurize(featurizer, trainTexts, "train", log);
        log.accept("training the final model on all " + trainTexts.size() + " training tweets: " + recipe.describe());
        return LinearTextTrainer.fit(trainFeatures, trainTexts, null, recipe, seed, NAME + " Davidson train split");
    }

    /** Stages the model, checks serving parity on every validation tweet, then evaluates what serving returned. */
    private static Validation validate(
            TextModelRelease.Spec spec,
            LinearHeadOnnxExporter head,
            List<DavidsonTweets.Tweet> validation,
            List<String> validationTexts,
            double[][] expected,
            Consumer<String> log)
            throws IOException {
        ModelManifest provisional = TextModelRelease.manifest(spec, Map.of(), Map.of());
        try (TextModelRelease.Staged staged = TextModelRelease.stage(spec, head)) {
            Map<String, double[]> served = TextModelRelease.checkParity(
                    staged.scorer(), validationTexts, expected, "the validation split", log);
            List<HeadEvaluation> evaluations = new ArrayList<>();
            Map<String, Double> metrics = new TreeMap<>();
            for (String policy : POLICIES) {
                HeadEvaluation e = evaluateHead(provisional, policy, served.get(policy), validation);
                evaluations.add(e);
                metrics.putAll(e.figures(e.policy()));
            }
            MulticlassEvaluation threeClass = threeClass(served, validation);
            metrics.putAll(threeClassFigures(threeClass));
            TextAbuseModelCard.Bias bias =
                    TextAbuseModelCard.Bias.measure(staged.scorer(), validation, provisional, served);
            return new Validation(served, evaluations, metrics, threeClass, bias);
        }
    }

    /** A sample of validation tweets stratified by abusive/not, with the trainer's probabilities serving must match. */
    private static List<TextModelRelease.ParityRow> parityRows(
            List<DavidsonTweets.Tweet> validation, double[][] expected, long seed) {
        List<DavidsonTweets.Tweet> paritySample = StratifiedSplit.sample(
                validation, DavidsonTweets.Tweet::abusive, DavidsonTweets.Tweet::id, PARITY_SAMPLE_SIZE, seed);
        List<TextModelRelease.ParityRow> parity = new ArrayList<>();
        for (DavidsonTweets.Tweet t : paritySample) {
            int i = validation.indexOf(t);
            Map<String, Double> probabilities = new TreeMap<>();
            for (int h = 0; h < POLICIES.size(); h++) {
                probabilities.put(POLICIES.get(h), expected[h][i]);
            }
            parity.add(new TextModelRelease.ParityRow(
                    t.id(), DavidsonTweets.CLASS_NAMES.get(t.majority()), t.text(), probabilities));
        }
        return parity;
    }

    /** Evaluates one head on the validation tweets with the positive class that head is trained for. */
    public static HeadEvaluation evaluateHead(
            ModelManifest manifest, String policy, double[] scores, List<DavidsonTweets.Tweet> tweets) {
        boolean hate = policy.equals(HATE);
        boolean[] positive = new boolean[tweets.size()];
        String[] labels = new String[tweets.size()];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = hate ? tweets.get(i).hate() : tweets.get(i).abusive();
            labels[i] = tweets.get(i).majority() + " ("
                    + DavidsonTweets.CLASS_NAMES.get(tweets.get(i).majority()) + ")";
        }
        return ModelEvaluation.evaluate(
                manifest,
                policy,
                scores,
                positive,
                hate ? "majority class = hate speech" : "majority class = hate speech or offensive language",
                labels,
                Map.of());
    }

    /**
     * The three Davidson classes from the two heads, as the most probable one (the argmax decision of the
     * published protocol): P(hate) = {@code hate_speech}, P(offensive) = {@code harassment} − {@code hate_speech}
     * (0 when negative: the heads are fitted independently), P(neither) = 1 − {@code harassment}; ties go to the
     * lower class number.
     */
    public static MulticlassEvaluation threeClass(Map<String, double[]> served, List<DavidsonTweets.Tweet> tweets) {
        int[] truth = new int[tweets.size()];
        int[] predicted = new int[tweets.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = tweets.get(i).majority();
            double hate = served.get(HATE)[i];
            double abusive = served.get(HARASSMENT)[i];
            double[] p = {hate, Math.max(0, abusive - hate), 1 - abusive};
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            predicted[i] = best;
        }
        return MulticlassEvaluation.of(DavidsonTweets.CLASS_NAMES, truth, predicted);
    }

    public static Map<String, Double> threeClassFigures(MulticlassEvaluation e) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("three_class.weighted_precision", e.weightedPrecision());
        m.put("three_class.weighted_recall", e.weightedRecall());
        m.put("three_class.weighted_f1", e.weightedF1());
        m.put("three_class.accuracy", e.accuracy());
        m.put("three_class.hate.precision", e.precision(DavidsonTweets.HATE));
        m.put("three_class.hate.recall", e.recall(DavidsonTweets.HATE));
        return m;
    }

    private static Provenance provenance(
            Path data,
            List<DavidsonTweets.Tweet> train,
            List<DavidsonTweets.Tweet> validation,
            long seed,
            int knownFeatures) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int c = 0; c < 3; c++) {
            int cls = c;
            String name = List.of("hate", "offensive", "neither").get(c);
            counts.put("train." + name, (int)
                    train.stream().filter(t -> t.majority() == cls).count());
            counts.put("validation." + name, (int)
                    validation.stream().filter(t -> t.majority() == cls).count());
        }
        counts.put("features.seen_in_training", knownFeatures);
        Path file = data.resolve(DavidsonTweets.FOLDER).resolve(DavidsonTweets.FILE);
        return new Provenance(
                DavidsonTweets.CITATION + " (labeled_data.dev.csv: 19,807 of the 24,783 tweets)",
                "model-artifacts/data/" + DavidsonTweets.FOLDER + "/" + DavidsonTweets.FILE,
                TextModelRelease.sha256(file),
                DavidsonTweets.LICENSE,
                List.of(DavidsonTweets.FOLDER),
                "stratified by majority class: " + Math.round(VALIDATION_FRACTION * 100) + "% validation, rest train; "
                        + "java.util.Random(seed + class) shuffle of row ids sorted per class; " + FOLDS
                        + "-fold stratified cross-validation inside train for recipe, calibration and thresholds",
                seed,
                counts);
    }

    private static String classCounts(List<DavidsonTweets.Tweet> tweets) {
        int[] n = new int[3];
        tweets.forEach(t -> n[t.majority()]++);
        return "(hate " + n[0] + ", offensive " + n[1] + ", neither " + n[2] + ")";
    }
}
