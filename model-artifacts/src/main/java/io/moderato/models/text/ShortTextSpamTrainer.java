package io.moderato.models.text;

import static io.moderato.models.text.TrainerArgs.arg;

import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.data.YouTubeComments;
import io.moderato.models.eval.HeadEvaluation;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.train.LinearTextTrainer;
import io.moderato.models.train.Recipe;
import io.moderato.models.train.TextModelRelease;
import io.moderato.models.train.TrainingText;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.TextScorer;
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
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains {@code text-spam} 2.x, a calibrated spam head for e-mail <em>and</em> short comments: the SpamAssassin
 * groups of 1.0.0 (fetched, never committed) together with the YouTube Spam Collection videos committed under
 * {@code model-artifacts/data}.
 *
 * <p>Protocol: the e-mails are split exactly as for 1.0.0 (stratified 80/20, same seed), so both versions are
 * validated on the same e-mails; one whole video, drawn with {@code java.util.Random(seed)}, is held out as the
 * comment validation set, so comment figures measure a video the model never saw. Inside the training part,
 * {@value #FOLDS}-fold cross-validation — fold k holds out the k-th training video and a stratified third of the
 * training e-mails — chooses the recipe, fits Platt calibration and chooses the thresholds. The final model trains on
 * everything but the validation sets.
 *
 * <p>Usage: {@code ShortTextSpamTrainer [corpusDir [dataDir [outputRoot [version [seed [parityDir]]]]]]}, defaults
 * {@code data/spam-assassin}, {@code model-artifacts/data}, {@code model-resources/src/main/resources/models},
 * {@value #DEFAULT_VERSION}, {@value #DEFAULT_SEED}, {@code model-artifacts/src/test/resources/parity}.
 */
public final class ShortTextSpamTrainer {

    public static final String NAME = TextSpamTrainer.NAME;
    public static final String POLICY = TextSpamTrainer.POLICY;
    public static final String DEFAULT_VERSION = "2.0.0";
    public static final long DEFAULT_SEED = 42L;
    public static final int FOLDS = 3;
    public static final double ACTION_PRECISION = 0.95;
    public static final double ACTION_CONFIDENCE = 0.95;
    public static final double ACTION_FLOOR = 0.90;
    public static final int MAX_CHARS = 4_000;
    public static final int PARITY_COMMENTS = 160;
    public static final int PARITY_EMAILS = 120;
    public static final int PARITY_MAX_CHARS = TextSpamTrainer.PARITY_MAX_CHARS;
    /** Data-set prefixes of the validation figures in the manifest: {@code spam.comments.*}, {@code spam.email.*}. */
    public static final String COMMENTS = "comments";

    public static final String EMAIL = "email";
    public static final String EMAIL_SAMPLE = "email_parity_sample";
    /**
     * Conversational text neither spam corpus has: Davidson tweets the annotators called "neither" (ordinary tweets,
     * not labelled for spam). Those of text-abuse's training split may serve as extra ham (source {@value #TWEETS},
     * training only, when the recipe weighs them); those of its validation split are never trained on and measure
     * how often chat-like messages are flagged ({@value #CHAT_PROXY} figures).
     */
    public static final String TWEETS = "tweets";

    public static final String CHAT_PROXY = "tweets_neither";

    private ShortTextSpamTrainer() {}

    /**
     * The candidates cross-validation compares. An exploratory leave-one-video-out run on the training videos only
     * (the held-out video untouched) suggested the two knobs beyond the featurizer: a larger AdaGrad step and
     * weighting comments up against the longer, more numerous e-mails.
     */
    public static List<Recipe> recipes() {
        BinaryLogisticRegression.Settings sgd = new BinaryLogisticRegression.Settings(5, 0.1, 0.1, 1);
        BinaryLogisticRegression.Settings faster = new BinaryLogisticRegression.Settings(5, 0.3, 0.1, 1);
        FeaturizerSettings words =
                new FeaturizerSettings(1 << 18, 42, 2, 0, 0, true, true, MAX_CHARS, TextNormalization.SHORT_TEXT);
        Map<String, Double> noTweets = Map.of(TWEETS, 0.0);
        return List.of(
                new Recipe("words", words, sgd, noTweets),
                new Recipe("words+chars", words.withCharNgrams(2, 5), sgd, noTweets),
                new Recipe("words, lr 0.3", words, faster, noTweets),
                new Recipe("words, lr 0.3, comments ×3", words, faster, Map.of(COMMENTS, 3.0, TWEETS, 0.0)),
                new Recipe("words, comments ×3", words, sgd, Map.of(COMMENTS, 3.0, TWEETS, 0.0)),
                new Recipe(
                        "words, lr 0.3, comments ×3, chat tweets as ham",
                        words,
                        faster,
                        Map.of(COMMENTS, 3.0, TWEETS, 1.0)));
    }

    /** Davidson "neither" tweets of text-abuse's split (same seed): [0] its training split's, [1] its validation split's. */
    public static List<List<DavidsonTweets.Tweet>> chatTweets(Path data, long seed) {
        StratifiedSplit.Parts<DavidsonTweets.Tweet> split = StratifiedSplit.splitBy(
                DavidsonTweets.load(data),
                DavidsonTweets.Tweet::majority,
                DavidsonTweets.Tweet::id,
                TextAbuseTrainer.VALIDATION_FRACTION,
                seed);
        return List.of(
                split.first().stream()
                        .filter(t -> t.majority() == DavidsonTweets.NEITHER)
                        .toList(),
                split.second().stream()
                        .filter(t -> t.majority() == DavidsonTweets.NEITHER)
                        .toList());
    }

    /** The validation video: drawn from the sorted video names with {@code new Random(seed)}. */
    public static String heldOutVideo(List<String> videos, long seed) {
        return videos.get(new Random(seed).nextInt(videos.size()));
    }

    /** An e-mail or a comment with its source. */
    record Item(String id, String source, String text, boolean spam) {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Path corpus = Path.of(arg(args, 0, "data/spam-assassin"));
        Path data = Path.of(arg(args, 1, "model-artifacts/data"));
        Path outputRoot = Path.of(arg(args, 2, "model-resources/src/main/resources/models"));
        String version = arg(args, 3, DEFAULT_VERSION);
        long seed = Long.parseLong(arg(args, 4, Long.toString(DEFAULT_SEED)));
        Path parityDir = Path.of(arg(args, 5, "model-artifacts/src/test/resources/parity"));
        Consumer<String> log = m -> System.out.println("[" + NAME + " " + version + "] " + m);
        long start = System.nanoTime();
        List<SpamCorpus.Message> emails = SpamCorpus.load(corpus, TextSpamTrainer.TRAINING_GROUPS, log);
        TextModelRelease.Trained result = train(emails, data, version, seed, recipes(), outputRoot, log);
        TextModelRelease.write(result, outputRoot, parityDir, log);
        log.accept(String.format(Locale.ROOT, "done in %.0f s", (System.nanoTime() - start) / 1e9));
    }

    /**
     * @param baselineRoot where text-spam 1.0.0 is read from, to compare it on the same validation data (the card's
     *                     "against 1.0.0" table); a classpath fallback is used when it holds no 1.0.0
     */
    public static TextModelRelease.Trained train(
            List<SpamCorpus.Message> emails,
            Path data,
            String version,
            long seed,
            List<Recipe> recipes,
            Path baselineRoot,
            Consumer<String> log)
            throws IOException {
        Sources sources = Sources.load(emails, data, seed, log);
        List<Item> train = sources.trainItems();
        List<TrainingText> trainTexts = trainingTexts(train);
        LinearTextTrainer.Selection selection =
                LinearTextTrainer.select(trainTexts, sources.folds(train, seed), recipes, seed, log);
        Recipe recipe = selection.recipe();
        HeadThresholds chosen = HeadThresholds.choose(
                selection.oofCalibrated()[0], selection.labels()[0], ACTION_PRECISION, ACTION_CONFIDENCE, ACTION_FLOOR);
        Map<String, Double> thresholds = new TreeMap<>();
        chosen.putInto(thresholds, POLICY);
        log.accept(chosen.describe());

        TextFeaturizer featurizer = new TextFeaturizer(recipe.featurizer());
        List<SparseVector> features = LinearTextTrainer.featurize(featurizer, trainTexts, "train", log);
        log.accept("training the final model: " + recipe.describe());
        LinearTextTrainer.Heads heads =
                LinearTextTrainer.fit(features, trainTexts, null, recipe, seed, NAME + " e-mail + comment train split");
        Calibration[] calibration = {selection.calibrations()[0]};
        List<SpamCorpus.Message> emailSample = StratifiedSplit.sample(
                sources.emailSplit().second(), SpamCorpus.Message::spam, SpamCorpus.Message::id, PARITY_EMAILS, seed);
        ValidationTexts texts = new ValidationTexts(sources, emailSample);
        double[] expectedComments = CalibratedScores.of(heads, featurizer, calibration, texts.comments())[0];
        double[] expectedSample = CalibratedScores.of(heads, featurizer, calibration, texts.emailSample())[0];

        TextModelRelease.Spec spec = spec(data, version, seed, sources, recipe, heads, calibration, thresholds);
        LinearHeadOnnxExporter head = heads.export();
        Validation v = validate(spec, head, sources, emailSample, texts, expectedComments, expectedSample, log);
        Baseline baseline = baseline(baselineRoot, sources, texts);
        ModelManifest manifest =
                TextModelRelease.manifest(spec, TextModelRelease.histograms(v.servedComments()), v.metrics());
        logValidation(v, baseline, log);

        List<TextModelRelease.ParityRow> parity =
                parityRows(sources, expectedComments, emailSample, texts, expectedSample, seed);
        String card = card(manifest, selection, chosen, v, baseline, sources);
        return new TextModelRelease.Trained(manifest, card, head, parity);
    }

    /** Training texts: e-mails and tweets keep their source as the group, every comment video is "comments". */
    private static List<TrainingText> trainingTexts(List<Item> train) {
        return train.stream()
                .map(t -> TrainingText.hard(
                        t.id(),
                        t.text(),
                        t.source().equals(EMAIL) || t.source().equals(TWEETS) ? t.source() : COMMENTS,
                        t.spam()))
                .toList();
    }

    private static TextModelRelease.Spec spec(
            Path data,
            String version,
            long seed,
            Sources sources,
            Recipe recipe,
            LinearTextTrainer.Heads heads,
            Calibration[] calibration,
            Map<String, Double> thresholds) {
        Provenance provenance = provenance(
                data,
                sources,
                seed,
                heads.knownFeatures(),
                recipe.weightOf(TWEETS) > 0 ? sources.chat().get(0).size() : 0);
        return new TextModelRelease.Spec(
                NAME,
                version,
                List.of(POLICY),
                recipe.featurizer(),
                calibration,
                thresholds,
                provenance,
                "Tribuo logistic regression on udfs TextFeaturizer"
                        + " features of e-mails (SpamAssassin, as 1.0.0) and YouTube comments, Platt-calibrated on cross-validated"
                        + " scores; recipe '" + recipe.name()
                        + "' chosen by cross-validation inside the training data (folds: one"
                        + " training video + a third of the training e-mails). See MODEL_CARD.md.");
    }

    private static void logValidation(Validation v, Baseline baseline, Consumer<String> log) {
        log.accept(String.format(
                Locale.ROOT,
                "validation: comments ROC-AUC %.4f ECE %.4f; e-mail ROC-AUC %.4f ECE %.4f (1.0.0: %.4f)",
                v.evaluations().get(COMMENTS).rocAuc().value(),
                v.evaluations().get(COMMENTS).expectedCalibrationError().value(),
                v.evaluations().get(EMAIL).rocAuc().value(),
                v.evaluations().get(EMAIL).expectedCalibrationError().value(),
                baseline.evaluations().get(EMAIL).rocAuc().value()));
    }

    private static String card(
            ModelManifest manifest,
            LinearTextTrainer.Selection selection,
            HeadThresholds chosen,
            Validation v,
            Baseline baseline,
            Sources sources) {
        return ShortTextSpamModelCard.render(
                manifest,
                selection,
                chosen.review(),
                chosen.action(),
                v.evaluations(),
                baseline.evaluations(),
                v.probes(),
                baseline.probes(),
                sources.heldOut(),
                sources.trainVideos());
    }

    /**
     * The data of one run: e-mails split as for 1.0.0, comments split by video (one held out whole), and the Davidson
     * "neither" tweets split as for text-abuse ({@link #chatTweets}).
     */
    private record Sources(
            StratifiedSplit.Parts<SpamCorpus.Message> emailSplit,
            String heldOut,
            List<String> trainVideos,
            List<YouTubeComments.Comment> trainComments,
            List<YouTubeComments.Comment> validationComments,
            List<List<DavidsonTweets.Tweet>> chat) {

        static Sources load(List<SpamCorpus.Message> emails, Path data, long seed, Consumer<String> log) {
            StratifiedSplit.Parts<SpamCorpus.Message> emailSplit = StratifiedSplit.split(
                    emails,
                    SpamCorpus.Message::spam,
                    SpamCorpus.Message::id,
                    TextSpamTrainer.VALIDATION_FRACTION,
                    seed);
            List<String> videos = YouTubeComments.videos(data);
            String heldOut = heldOutVideo(videos, seed);
            List<String> trainVideos =
                    videos.stream().filter(v -> !v.equals(heldOut)).toList();
            List<YouTubeComments.Comment> trainComments = YouTubeComments.load(data, trainVideos);
            List<YouTubeComments.Comment> validationComments = YouTubeComments.load(data, List.of(heldOut));
            log.accept(
                    "e-mails (seed " + seed + "): train " + emailSplit.first().size() + ", validation "
                            + emailSplit.second().size()
                            + "; comments: train videos " + trainVideos + " (" + trainComments.size()
                            + "), validation video " + heldOut
                            + " (" + validationComments.size() + ")");
            return new Sources(
                    emailSplit, heldOut, trainVideos, trainComments, validationComments, chatTweets(data, seed));
        }

        /** Training e-mails, then the training videos' comments, then text-abuse's training "neither" tweets as ham. */
        List<Item> trainItems() {
            List<Item> train = new ArrayList<>();
            emailSplit.first().forEach(m -> train.add(new Item(m.id(), EMAIL, m.text(), m.spam())));
            trainComments.forEach(c -> train.add(new Item(c.id(), c.video(), c.text(), c.spam())));
            chat.get(0).forEach(t -> train.add(new Item("davidson/" + t.id(), TWEETS, t.text(), false)));
            return train;
        }

        /** Fold k: a stratified third of the e-mails and the k-th training video; tweets train in every fold. */
        int[] folds(List<Item> train, long seed) {
            int[] emailFolds = StratifiedSplit.folds(
                    emailSplit.first(), SpamCorpus.Message::spam, SpamCorpus.Message::id, FOLDS, seed);
            int[] folds = new int[train.size()];
            for (int i = 0; i < train.size(); i++) {
                String source = train.get(i).source();
                folds[i] = i < emailFolds.length
                        ? emailFolds[i]
                        : source.equals(TWEETS) ? LinearTextTrainer.TRAINING_ONLY : trainVideos.indexOf(source);
            }
            return folds;
        }
    }

    /** The validation texts: the held-out video's comments, the validation e-mails, the truncated e-mail sample. */
    private record ValidationTexts(List<String> comments, List<String> emails, List<String> emailSample) {

        ValidationTexts(Sources sources, List<SpamCorpus.Message> emailSample) {
            this(
                    sources.validationComments().stream()
                            .map(YouTubeComments.Comment::text)
                            .toList(),
                    sources.emailSplit().second().stream()
                            .map(SpamCorpus.Message::text)
                            .toList(),
                    emailSample.stream()
                            .map(m -> TextSpamTrainer.truncate(m.text(), PARITY_MAX_CHARS))
                            .toList());
        }
    }

    /** What the validation data says about the staged model, scored through the serving path. */
    private record Validation(
            Map<String, double[]> servedComments,
            Map<String, HeadEvaluation> evaluations,
            Map<String, Double> metrics,
            Map<String, Double> probes) {}

    /** text-spam 1.0.0 on the same validation data and probes (the card's comparison). */
    private record Baseline(Map<String, HeadEvaluation> evaluations, Map<String, Double> probes) {}

    /** Stages the model, checks serving parity on the held-out video and the e-mail sample, then evaluates. */
    private static Validation validate(
            TextModelRelease.Spec spec,
            LinearHeadOnnxExporter head,
            Sources sources,
            List<SpamCorpus.Message> emailSample,
            ValidationTexts texts,
            double[] expectedComments,
            double[] expectedSample,
            Consumer<String> log)
            throws IOException {
        ModelManifest provisional = TextModelRelease.manifest(spec, Map.of(), Map.of());
        List<SpamCorpus.Message> validationEmails = sources.emailSplit().second();
        Map<String, Double> metrics = new TreeMap<>();
        Map<String, HeadEvaluation> evaluations = new LinkedHashMap<>();
        Map<String, Double> probes = new LinkedHashMap<>();
        try (TextModelRelease.Staged staged = TextModelRelease.stage(spec, head)) {
            Map<String, double[]> servedComments = TextModelRelease.checkParity(
                    staged.scorer(), texts.comments(), new double[][] {expectedComments}, "the held-out video", log);
            Map<String, double[]> servedSample = TextModelRelease.checkParity(
                    staged.scorer(),
                    texts.emailSample(),
                    new double[][] {expectedSample},
                    "the e-mail parity sample",
                    log);
            Map<String, double[]> servedEmails = ModelEvaluation.score(staged.scorer(), texts.emails(), log);
            evaluations.put(
                    COMMENTS,
                    evaluate(
                            provisional,
                            servedComments.get(POLICY),
                            spamFlags(sources.validationComments()),
                            "CLASS = 1 (comment spam), video " + sources.heldOut()));
            evaluations.put(
                    EMAIL,
                    evaluate(
                            provisional,
                            servedEmails.get(POLICY),
                            emailFlags(validationEmails),
                            "spam-1 e-mail (validation split of easy-ham-1 + spam-1)"));
            evaluations.put(
                    EMAIL_SAMPLE,
                    evaluate(
                            provisional,
                            servedSample.get(POLICY),
                            emailFlags(emailSample),
                            "spam-1 e-mail (committed parity sample, first " + PARITY_MAX_CHARS + " characters)"));
            evaluations.forEach((set, e) -> metrics.putAll(e.figures(POLICY + "." + set)));
            probes.putAll(probeScores(staged.scorer()));
            metrics.putAll(
                    chatFlagRates(provisional, staged.scorer(), sources.chat().get(1)));
            return new Validation(servedComments, evaluations, metrics, probes);
        }
    }

    private static Baseline baseline(Path baselineRoot, Sources sources, ValidationTexts texts) {
        Map<String, HeadEvaluation> evaluations = new LinkedHashMap<>();
        try (ModelRegistry registry = ModelRegistry.open(baselineSource(baselineRoot))) {
            ModelManifest v1 = registry.manifest(NAME, TextSpamTrainer.DEFAULT_VERSION);
            TextScorer old = registry.textScorer(NAME, TextSpamTrainer.DEFAULT_VERSION);
            evaluations.put(
                    COMMENTS,
                    evaluate(
                            v1,
                            ModelEvaluation.score(old, texts.comments(), m -> {})
                                    .get(POLICY),
                            spamFlags(sources.validationComments()),
                            "CLASS = 1 (comment spam), video " + sources.heldOut()));
            evaluations.put(
                    EMAIL,
                    evaluate(
                            v1,
                            ModelEvaluation.score(old, texts.emails(), m -> {}).get(POLICY),
                            emailFlags(sources.emailSplit().second()),
                            "spam-1 e-mail (validation split of easy-ham-1 + spam-1)"));
            return new Baseline(evaluations, probeScores(old));
        }
    }

    /** {@link ShortTextSpamModelCard#PROBES} scored one at a time, in their order. */
    private static Map<String, Double> probeScores(TextScorer scorer) {
        Map<String, Double> probes = new LinkedHashMap<>();
        for (String probe : ShortTextSpamModelCard.PROBES) {
            probes.put(probe, (double) scorer.scoreTexts(List.of(probe)).probability(0, 0));
        }
        return probes;
    }

    /** Sampled comments of the held-out video, then the sampled e-mails, each with the trainer's probability. */
    private static List<TextModelRelease.ParityRow> parityRows(
            Sources sources,
            double[] expectedComments,
            List<SpamCorpus.Message> emailSample,
            ValidationTexts texts,
            double[] expectedSample,
            long seed) {
        List<TextModelRelease.ParityRow> parity = new ArrayList<>();
        List<YouTubeComments.Comment> validationComments = sources.validationComments();
        List<YouTubeComments.Comment> commentSample = StratifiedSplit.sample(
                validationComments, YouTubeComments.Comment::spam, YouTubeComments.Comment::id, PARITY_COMMENTS, seed);
        for (YouTubeComments.Comment c : commentSample) {
            parity.add(new TextModelRelease.ParityRow(
                    c.id(),
                    c.spam() ? "spam" : "ham",
                    c.text(),
                    Map.of(POLICY, expectedComments[validationComments.indexOf(c)])));
        }
        for (int i = 0; i < emailSample.size(); i++) {
            SpamCorpus.Message m = emailSample.get(i);
            parity.add(new TextModelRelease.ParityRow(
                    m.id(), m.spam() ? "spam" : "ham", texts.emailSample().get(i), Map.of(POLICY, expectedSample[i])));
        }
        return parity;
    }

    /**
     * Share of held-out Davidson "neither" tweets (ordinary conversational tweets of text-abuse's validation split;
     * nobody labelled them for spam, and no spam recipe trains on them) at or above the review and action thresholds:
     * a measured proxy of false positives on chat-like messages.
     */
    public static Map<String, Double> chatFlagRates(
            ModelManifest manifest, TextScorer scorer, List<DavidsonTweets.Tweet> heldOut) {
        List<String> tweets = heldOut.stream().map(DavidsonTweets.Tweet::text).toList();
        double[] scores = ModelEvaluation.score(scorer, tweets, m -> {}).get(POLICY);
        Map<String, Double> rates = new TreeMap<>();
        ModelEvaluation.policyThresholds(manifest, POLICY).forEach((name, threshold) -> {
            long flagged =
                    java.util.Arrays.stream(scores).filter(p -> p >= threshold).count();
            rates.put(POLICY + "." + CHAT_PROXY + "." + name + ".flag_rate", (double) flagged / scores.length);
        });
        rates.put(POLICY + "." + CHAT_PROXY + ".items", (double) scores.length);
        return rates;
    }

    static HeadEvaluation evaluate(ModelManifest manifest, double[] scores, boolean[] spam, String definition) {
        return ModelEvaluation.evaluate(manifest, POLICY, scores, spam, definition, null, Map.of());
    }

    public static boolean[] spamFlags(List<YouTubeComments.Comment> comments) {
        boolean[] out = new boolean[comments.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = comments.get(i).spam();
        }
        return out;
    }

    static boolean[] emailFlags(List<SpamCorpus.Message> messages) {
        boolean[] out = new boolean[messages.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = messages.get(i).spam();
        }
        return out;
    }

    private static ModelSource baselineSource(Path root) {
        return root != null
                        && java.nio.file.Files.isDirectory(root.resolve(NAME).resolve(TextSpamTrainer.DEFAULT_VERSION))
                ? ModelSource.directory(root)
                : ModelSource.classpath("models");
    }

    private static Provenance provenance(Path data, Sources sources, long seed, int knownFeatures, int trainTweets) {
        StratifiedSplit.Parts<SpamCorpus.Message> emails = sources.emailSplit();
        List<YouTubeComments.Comment> trainComments = sources.trainComments();
        List<YouTubeComments.Comment> validationComments = sources.validationComments();
        String heldOut = sources.heldOut();
        int heldOutTweets = sources.chat().get(1).size();
        Map<String, Integer> counts = new TreeMap<>();
        counts.put("train.email.ham", (int)
                emails.first().stream().filter(m -> !m.spam()).count());
        counts.put("train.email.spam", (int)
                emails.first().stream().filter(SpamCorpus.Message::spam).count());
        counts.put("validation.email.ham", (int)
                emails.second().stream().filter(m -> !m.spam()).count());
        counts.put("validation.email.spam", (int)
                emails.second().stream().filter(SpamCorpus.Message::spam).count());
        counts.put("train.comments.ham", (int)
                trainComments.stream().filter(c -> !c.spam()).count());
        counts.put("train.comments.spam", (int)
                trainComments.stream().filter(YouTubeComments.Comment::spam).count());
        counts.put("validation.comments.ham", (int)
                validationComments.stream().filter(c -> !c.spam()).count());
        counts.put("validation.comments.spam", (int) validationComments.stream()
                .filter(YouTubeComments.Comment::spam)
                .count());
        counts.put("features.seen_in_training", knownFeatures);
        counts.put("train.tweets.ham", trainTweets);
        counts.put("chat_proxy.tweets", heldOutTweets);
        List<String> groups = new ArrayList<>(TextSpamTrainer.TRAINING_GROUPS);
        sources.trainVideos().forEach(v -> groups.add(YouTubeComments.FOLDER + "/" + v));
        if (trainTweets > 0) {
            groups.add(DavidsonTweets.FOLDER + " \"neither\" tweets of text-abuse's training split (as ham)");
        }
        groups.add(YouTubeComments.FOLDER + "/" + heldOut + " (validation only)");
        StringBuilder hashes = new StringBuilder(SpamCorpus.PACKAGE + "@" + SpamCorpus.PACKAGE_VERSION);
        for (String v : YouTubeComments.videos(data)) {
            hashes.append("; ")
                    .append(v)
                    .append(' ')
                    .append(TextModelRelease.sha256(
                            data.resolve(YouTubeComments.FOLDER).resolve(v + ".csv")));
        }
        hashes.append("; ")
                .append(DavidsonTweets.FILE)
                .append(' ')
                .append(TextModelRelease.sha256(
                        data.resolve(DavidsonTweets.FOLDER).resolve(DavidsonTweets.FILE)));
        return new Provenance(
                "SpamAssassin public corpus (raw e-mails, npm " + SpamCorpus.PACKAGE + ") and "
                        + YouTubeComments.CITATION,
                SpamCorpus.PACKAGE + " + model-artifacts/data/" + YouTubeComments.FOLDER,
                hashes.toString(),
                SpamCorpus.LICENSE + "; comments " + YouTubeComments.LICENSE,
                groups,
                "e-mails as text-spam 1.0.0 (stratified 20% validation, same seed); comments: video " + heldOut
                        + " held out whole (drawn with java.util.Random(seed) from the sorted video names); " + FOLDS
                        + "-fold cross-validation inside train, fold k = k-th training video + a stratified third of the e-mails"
                        + " (chat tweets, when used, are training data in every fold and never scored)",
                seed,
                counts);
    }
}
