package io.moderato.models.retrain;

import io.moderato.models.ModelArtifacts;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.io.TrainingExampleFiles;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.ReferenceHistogram;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.vector.FeaturePacking;
import io.moderato.udfs.vector.SparseVector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The retraining hook: trains a new version of one modality model from the {@code TrainingExample}s the
 * FeedbackJob wrote (Avro container files), with every example weighted by its 1/propensity, and writes it
 * beside its parent as {@code <models>/<name>/<newVersion>/} (manifest, sparse and dense ONNX graphs, model
 * card), ready to be activated as a shadow or live model through {@code policy.config}.
 *
 * <p>Steps: read the files; keep the examples of one policy; keep the latest example per contentId
 * ({@code labelledAtMillis}, then {@code labelCount}, then the later record read); take each example's
 * {@code FeatureVector} of the chosen modality and model name (the model inputs exactly as scored); check
 * they live in the parent's feature space (same dimensions; a vector scored by another version of the model
 * must come from a version with the same featurizer settings); seeded stratified holdout; Tribuo logistic
 * regression with {@link BinaryLogisticRegression.Settings#TRIBUO_DEFAULTS} and the seed, as
 * {@code TextSpamTrainer}, each row weighted by the example's weight; IPW-weighted validation of the new and
 * the parent model on the holdout at the parent's thresholds; export; reload the written graphs through the
 * udfs {@link ModelRegistry} and check them against Tribuo (1e-5); move the version folder into place,
 * refusing to overwrite an existing version.
 *
 * <p>The new manifest copies the parent's modality, {@code inputDimensions}, featurizer settings, graph
 * encodings and default thresholds, so serving featurizes exactly as before; calibration is identity (the
 * new model is not calibrated) and the reference histogram is the IPW-weighted score histogram of the
 * holdout. Nothing depends on the clock: the same files, options and seed give the same bytes.
 */
public final class RetrainFromExamples {

    public static final String DEFAULT_MODALITY = Modality.TEXT.wireName();
    public static final String DEFAULT_MODEL = "text-spam";
    public static final String DEFAULT_POLICY = "spam";
    public static final String DEFAULT_MODELS = "model-resources/src/main/resources/models";
    public static final long DEFAULT_SEED = 42L;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final int HISTOGRAM_BINS = 20;
    public static final double PARITY_TOLERANCE = 1e-5;
    static final String FEATURE_PREFIX = "f";

    private RetrainFromExamples() {}

    /**
     * What to retrain.
     *
     * @param examples           Avro container files or folders of them
     * @param modelsRoot         folder holding {@code <name>/<version>/manifest.json}; the parent is read from
     *                           it and the new version written into it
     * @param policyId           the policy whose examples train the model (the model's single output)
     * @param modality           {@code FeatureVector.modality} to train on: text, transcript, image, audio, video
     * @param modelName          the model: only feature vectors scored by a model of this name are used
     * @param baseVersion        the parent version, or null to take the single version that scored the examples
     * @param newVersion         the version to write; must not exist yet
     * @param seed               seed of the holdout split and of Tribuo's SGD
     * @param validationFraction share of each class held out for validation, in (0, 1)
     */
    public record Options(
            List<Path> examples,
            Path modelsRoot,
            String policyId,
            String modality,
            String modelName,
            String baseVersion,
            String newVersion,
            long seed,
            double validationFraction) {
        public Options {
            Objects.requireNonNull(examples, "examples");
            Objects.requireNonNull(modelsRoot, "modelsRoot");
            requireText(policyId, "policy");
            requireText(modality, "modality");
            requireText(modelName, "model");
            requireText(newVersion, "version");
            if (newVersion.contains("/")
                    || newVersion.contains("\\")
                    || newVersion.equals(".")
                    || newVersion.equals("..")) {
                throw new IllegalArgumentException("version '" + newVersion + "' cannot be a folder name");
            }
            if (examples.isEmpty()) {
                throw new IllegalArgumentException("no example files given");
            }
            if (!(validationFraction > 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
            }
            examples = List.copyOf(examples);
            modality = modality.toLowerCase(Locale.ROOT);
        }

        /** Defaults: text / text-spam / spam, parent inferred, seed 42, 20% holdout. */
        public static Options of(List<Path> examples, Path modelsRoot, String newVersion) {
            return new Options(
                    examples,
                    modelsRoot,
                    DEFAULT_POLICY,
                    DEFAULT_MODALITY,
                    DEFAULT_MODEL,
                    null,
                    newVersion,
                    DEFAULT_SEED,
                    DEFAULT_VALIDATION_FRACTION);
        }

        public Options withSeed(long newSeed) {
            return new Options(
                    examples,
                    modelsRoot,
                    policyId,
                    modality,
                    modelName,
                    baseVersion,
                    newVersion,
                    newSeed,
                    validationFraction);
        }

        public Options withBaseVersion(String version) {
            return new Options(
                    examples, modelsRoot, policyId, modality, modelName, version, newVersion, seed, validationFraction);
        }
    }

    /** One usable example: its record, the feature vector as scored, and that vector as a sparse vector. */
    record Labelled(TrainingExample example, FeatureVector features, SparseVector vector) {
        String contentId() {
            return example.getContentId();
        }

        boolean violating() {
            return example.getViolating();
        }

        double weight() {
            return example.getWeight();
        }
    }

    /** How the examples were selected (counts for the manifest, card and log). */
    public record Selection(
            int read,
            int ofPolicy,
            int superseded,
            int withoutFeatures,
            int used,
            Map<String, Integer> otherModels,
            List<String> files) {}

    /** What a retrain produced. */
    public record Result(
            Path modelDir,
            ModelManifest manifest,
            ModelManifest parent,
            Selection selection,
            int trainExamples,
            int validationExamples,
            WeightedEvaluation validation,
            WeightedEvaluation parentValidation,
            double maxParityDifference,
            String activation) {}

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("retrain-from-examples: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.print(USAGE);
            return;
        }
        try {
            Result result = retrain(options, m -> System.out.println("[retrain] " + m));
            System.out.println();
            System.out.println(result.activation());
        } catch (IOException | RuntimeException e) {
            System.err.println("retrain-from-examples: " + e.getMessage());
            System.exit(1);
        }
    }

    static final String USAGE = String.join(
            "\n",
            "Usage: retrain-from-examples --examples PATH [--examples PATH]... --version NEW_VERSION",
            "         [--models DIR] [--policy ID] [--modality M] [--model NAME] [--base-version V]",
            "         [--seed N] [--validation-fraction F]",
            "",
            "Trains a new model version from TrainingExample Avro container files (files or folders, e.g. a file",
            "sink's output of topic training.examples), weighting each example by 1/propensity, and writes it beside",
            "its parent as <models>/<model>/<NEW_VERSION>/. Refuses to overwrite an existing version.",
            "",
            "  --models               model folder (default " + DEFAULT_MODELS + ")",
            "  --policy               policy to train on (default " + DEFAULT_POLICY + ")",
            "  --modality             FeatureVector modality (default " + DEFAULT_MODALITY + ")",
            "  --model                model name whose feature vectors are used (default " + DEFAULT_MODEL + ")",
            "  --base-version         parent version (default: the version that scored the examples)",
            "  --seed                 holdout and SGD seed (default " + DEFAULT_SEED + ")",
            "  --validation-fraction  share held out per class (default " + DEFAULT_VALIDATION_FRACTION + ")",
            "");

    /** Parses the command line; null for --help. */
    static Options parse(String[] args) {
        List<Path> examples = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                return null;
            }
            if (!List.of(
                            "--examples",
                            "--models",
                            "--policy",
                            "--modality",
                            "--model",
                            "--base-version",
                            "--version",
                            "--seed",
                            "--validation-fraction")
                    .contains(a)) {
                throw new IllegalArgumentException("unknown argument " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            if (a.equals("--examples")) {
                examples.add(Path.of(v));
            } else {
                values.put(a, v);
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("--examples is required");
        }
        if (!values.containsKey("--version")) {
            throw new IllegalArgumentException("--version is required");
        }
        try {
            return new Options(
                    examples,
                    Path.of(values.getOrDefault("--models", DEFAULT_MODELS)),
                    values.getOrDefault("--policy", DEFAULT_POLICY),
                    values.getOrDefault("--modality", DEFAULT_MODALITY),
                    values.getOrDefault("--model", DEFAULT_MODEL),
                    values.get("--base-version"),
                    values.get("--version"),
                    Long.parseLong(values.getOrDefault("--seed", Long.toString(DEFAULT_SEED))),
                    Double.parseDouble(values.getOrDefault(
                            "--validation-fraction", Double.toString(DEFAULT_VALIDATION_FRACTION))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
    }

    /**
     * Retrains and writes the new version.
     *
     * @throws IllegalStateException    when the new version already exists, or the written graphs disagree with Tribuo
     * @throws IllegalArgumentException when the examples cannot train the model: none of the policy, none with
     *                                  features of the model, features of another feature space (named), one class only
     * @throws IOException              when files cannot be read or written
     */
    public static Result retrain(Options options, Consumer<String> log) throws IOException {
        Path target = options.modelsRoot().resolve(options.modelName()).resolve(options.newVersion());
        refuseExisting(target);

        List<TrainingExampleFiles.Read> records = TrainingExampleFiles.read(options.examples(), log);
        Map<String, TrainingExampleFiles.Read> latest = latestOfPolicy(records, options);
        Map<String, Integer> otherModels = new TreeMap<>();
        List<Map.Entry<TrainingExample, FeatureVector>> chosen = chooseFeatures(latest, options, otherModels);
        ModelManifest parent = manifest(options.modelsRoot(), options.modelName(), parentVersion(chosen, options));
        checkParent(parent, options);

        List<Labelled> examples = label(chosen, parent, options);
        Selection selection = selection(records, latest, chosen.size(), examples.size(), otherModels, options, log);
        StratifiedSplit.Parts<Labelled> split = split(examples, options, log);
        List<Labelled> train = split.first();
        List<Labelled> validation = split.second();

        BinaryLogisticRegression.Settings sgd = BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS;
        BinaryLogisticRegression lr = train(train, options, sgd, log);
        LinearHeadOnnxExporter head = head(lr, parent.inputDimensions());
        Validation holdout = validate(lr, validation, parent, options, log);

        ModelManifest manifest = manifest(parent, options, selection, train, validation, lr, holdout, sgd);
        String activation = activation(manifest, options, target);
        String card = RetrainModelCard.render(
                manifest,
                parent,
                options,
                selection,
                train.size(),
                validation.size(),
                holdout.eval(),
                holdout.parentEval(),
                sgd,
                activation);
        double maxDiff =
                writeWithServingParity(options, target, manifest, head, card, validation, holdout.scores(), log);
        return new Result(
                target,
                manifest,
                parent,
                selection,
                train.size(),
                validation.size(),
                holdout.eval(),
                holdout.parentEval(),
                maxDiff,
                activation);
    }

    /** Each chosen example with its features as a vector of the parent's feature space. */
    private static List<Labelled> label(
            List<Map.Entry<TrainingExample, FeatureVector>> chosen, ModelManifest parent, Options options)
            throws IOException {
        List<Labelled> examples = new ArrayList<>(chosen.size());
        Map<String, ModelManifest> sameSpace = new TreeMap<>();
        for (Map.Entry<TrainingExample, FeatureVector> e : chosen) {
            examples.add(new Labelled(
                    e.getKey(),
                    e.getValue(),
                    toVector(e.getKey(), e.getValue(), parent, options.modelsRoot(), sameSpace)));
        }
        return examples;
    }

    /** What was read, superseded, skipped and used; logged as one line. */
    private static Selection selection(
            List<TrainingExampleFiles.Read> records,
            Map<String, TrainingExampleFiles.Read> latest,
            int chosen,
            int used,
            Map<String, Integer> otherModels,
            Options options,
            Consumer<String> log) {
        int ofPolicy = (int) records.stream()
                .filter(r -> r.example().getPolicyId().equals(options.policyId()))
                .count();
        int withoutFeatures = latest.size() - chosen;
        List<String> fileNames =
                records.stream().map(r -> r.file().toString()).distinct().toList();
        Selection selection = new Selection(
                records.size(), ofPolicy, ofPolicy - latest.size(), withoutFeatures, used, otherModels, fileNames);
        log.accept(String.format(
                Locale.ROOT,
                "policy %s: %d of %d records, %d superseded by a later label, %d without %s features of %s, %d used",
                options.policyId(),
                ofPolicy,
                records.size(),
                selection.superseded(),
                withoutFeatures,
                options.modality(),
                options.modelName(),
                used));
        return selection;
    }

    /** The latest example per contentId of the policy; fails naming the policies found when there is none. */
    private static Map<String, TrainingExampleFiles.Read> latestOfPolicy(
            List<TrainingExampleFiles.Read> records, Options options) {
        Map<String, TrainingExampleFiles.Read> latest = new TreeMap<>();
        for (TrainingExampleFiles.Read r : records) {
            if (r.example().getPolicyId().equals(options.policyId())) {
                latest.merge(r.example().getContentId(), r, (a, b) -> LATEST.compare(a, b) >= 0 ? a : b);
            }
        }
        if (latest.isEmpty()) {
            Map<String, Long> policies = new TreeMap<>();
            records.forEach(r -> policies.merge(r.example().getPolicyId(), 1L, Long::sum));
            throw new IllegalArgumentException("no training examples of policy '" + options.policyId() + "' in "
                    + records.size() + " records read; policies found: " + policies);
        }
        return latest;
    }

    /**
     * Per example, the feature vector of the chosen model (the parent's version when it was scored by
     * several); {@code otherModels} counts the vectors of other models. Fails when no example has one.
     */
    private static List<Map.Entry<TrainingExample, FeatureVector>> chooseFeatures(
            Map<String, TrainingExampleFiles.Read> latest, Options options, Map<String, Integer> otherModels) {
        List<Map.Entry<TrainingExample, FeatureVector>> chosen = new ArrayList<>();
        for (TrainingExampleFiles.Read r : latest.values()) {
            List<FeatureVector> matches = new ArrayList<>();
            for (FeatureVector f : r.example().getFeatures()) {
                if (f.getModality().equalsIgnoreCase(options.modality())
                        && f.getModel().getName().equals(options.modelName())) {
                    matches.add(f);
                } else {
                    otherModels.merge(f.getModality() + "/" + id(f.getModel()), 1, Integer::sum);
                }
            }
            if (!matches.isEmpty()) {
                // several only if the item was scored by two versions (e.g. active and shadow): prefer the parent's
                FeatureVector match = matches.stream()
                        .filter(f -> f.getModel().getVersion().equals(options.baseVersion()))
                        .findFirst()
                        .orElse(matches.get(0));
                chosen.add(Map.entry(r.example(), match));
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(
                    "none of the " + latest.size() + " examples of policy '" + options.policyId()
                            + "' has " + options.modality() + " features scored by model '" + options.modelName()
                            + "'; feature vectors found: "
                            + (otherModels.isEmpty() ? "none (feature capture off?)" : otherModels));
        }
        return chosen;
    }

    /** --base-version, or the one version that scored every chosen example. */
    private static String parentVersion(List<Map.Entry<TrainingExample, FeatureVector>> chosen, Options options) {
        String baseVersion = options.baseVersion();
        if (baseVersion == null) {
            TreeSet<String> versions = new TreeSet<>();
            chosen.forEach(e -> versions.add(e.getValue().getModel().getVersion()));
            if (versions.size() != 1) {
                throw new IllegalArgumentException("the examples were scored by several versions of "
                        + options.modelName() + " " + versions + ": pass the parent version (--base-version)");
            }
            baseVersion = versions.first();
        }
        if (baseVersion.equals(options.newVersion())) {
            throw new IllegalArgumentException("the new version must differ from the parent version " + baseVersion);
        }
        return baseVersion;
    }

    /** Stratified train / validation split; both labels must be present in the examples and in the holdout. */
    private static StratifiedSplit.Parts<Labelled> split(
            List<Labelled> examples, Options options, Consumer<String> log) {
        long positives = examples.stream().filter(Labelled::violating).count();
        if (positives == 0 || positives == examples.size()) {
            throw new IllegalArgumentException("the " + examples.size() + " usable examples of policy '"
                    + options.policyId() + "' are all " + (positives == 0 ? "non-violating" : "violating")
                    + ": a classifier needs both labels");
        }

        StratifiedSplit.Parts<Labelled> split = StratifiedSplit.split(
                examples, Labelled::violating, Labelled::contentId, options.validationFraction(), options.seed());
        List<Labelled> train = split.first();
        List<Labelled> validation = split.second();
        if (validation.stream().noneMatch(Labelled::violating)
                || validation.stream().allMatch(Labelled::violating)) {
            throw new IllegalArgumentException("the holdout of " + validation.size() + " examples lacks one label; "
                    + "more examples (or a larger --validation-fraction) are needed");
        }
        log.accept(String.format(
                Locale.ROOT,
                "split (seed %d): train %d (%d violating), validation %d (%d violating)",
                options.seed(),
                train.size(),
                count(train),
                validation.size(),
                count(validation)));
        return split;
    }

    /** Tribuo logistic regression with example weights 1/propensity. */
    private static BinaryLogisticRegression train(
            List<Labelled> train, Options options, BinaryLogisticRegression.Settings sgd, Consumer<String> log) {
        List<BinaryLogisticRegression.Row> rows = new ArrayList<>(train.size());
        for (Labelled l : train) {
            rows.add(new BinaryLogisticRegression.Row(
                    l.vector().indices(), toDoubles(l.vector().values()), l.violating(), l.weight()));
        }
        log.accept("training Tribuo logistic regression " + sgd + ", seed " + options.seed() + ", example weights "
                + "1/propensity, on " + rows.size() + " examples");
        return BinaryLogisticRegression.train(
                rows,
                FEATURE_PREFIX,
                sgd,
                options.seed(),
                Math.max(1, rows.size()),
                options.modelName() + " " + options.newVersion() + " from training.examples");
    }

    /** The trained weights and bias as the ONNX linear head over the parent's input dimensions. */
    private static LinearHeadOnnxExporter head(BinaryLogisticRegression lr, int dims) {
        double[] headWithBias = lr.head(dims, lr::indexOf);
        double[][] w = new double[dims][1];
        for (int i = 0; i < dims; i++) {
            w[i][0] = headWithBias[i];
        }
        return LinearHeadOnnxExporter.fromDoubles(w, new double[] {headWithBias[dims]});
    }

    /** The new model's holdout scores and IPW-weighted evaluation, and the serving parent's on the same holdout. */
    private record Validation(
            double[] scores, double[] weights, WeightedEvaluation eval, WeightedEvaluation parentEval) {}

    private static Validation validate(
            BinaryLogisticRegression lr,
            List<Labelled> validation,
            ModelManifest parent,
            Options options,
            Consumer<String> log)
            throws IOException {
        Map<String, Double> thresholds = thresholds(parent, options.policyId());
        double[] scores = new double[validation.size()];
        boolean[] labels = new boolean[validation.size()];
        double[] weights = new double[validation.size()];
        for (int i = 0; i < scores.length; i++) {
            Labelled l = validation.get(i);
            scores[i] =
                    lr.probability(l.vector().indices(), toDoubles(l.vector().values()));
            labels[i] = l.violating();
            weights[i] = l.weight();
        }
        WeightedEvaluation eval = WeightedEvaluation.of(scores, labels, weights, thresholds);
        double[] parentScores = scoreWithServingModel(options.modelsRoot(), parent, validation);
        WeightedEvaluation parentEval = WeightedEvaluation.of(parentScores, labels, weights, thresholds);
        log.accept(String.format(
                Locale.ROOT,
                "validation (IPW-weighted, %d examples): ROC-AUC %.4f (parent %s %.4f)",
                validation.size(),
                eval.rocAuc(),
                parent.version(),
                parentEval.rocAuc()));
        for (Map.Entry<String, WeightedEvaluation.AtThreshold> t :
                eval.thresholds().entrySet()) {
            WeightedEvaluation.AtThreshold p = parentEval.thresholds().get(t.getKey());
            log.accept(String.format(
                    Locale.ROOT,
                    "  %s @ %.2f: precision %s recall %s (parent: precision %s recall %s)",
                    t.getKey(),
                    t.getValue().threshold(),
                    fmt(t.getValue().precision()),
                    fmt(t.getValue().recall()),
                    fmt(p.precision()),
                    fmt(p.recall())));
        }
        return new Validation(scores, weights, eval, parentEval);
    }

    /** The new version's manifest: the parent's feature space, identity calibration, provenance and metrics. */
    private static ModelManifest manifest(
            ModelManifest parent,
            Options options,
            Selection selection,
            List<Labelled> train,
            List<Labelled> validation,
            BinaryLogisticRegression lr,
            Validation holdout,
            BinaryLogisticRegression.Settings sgd) {
        Map<String, Integer> counts = new TreeMap<>();
        counts.put("examples.read", selection.read());
        counts.put("examples.policy", selection.ofPolicy());
        counts.put("examples.superseded", selection.superseded());
        counts.put("examples.without_features", selection.withoutFeatures());
        counts.put("examples.used", selection.used());
        counts.put("train.violating", count(train));
        counts.put("train.not_violating", train.size() - count(train));
        counts.put("validation.violating", count(validation));
        counts.put("validation.not_violating", validation.size() - count(validation));
        counts.put("features.seen_in_training", lr.knownFeatures());
        String policy = options.policyId();
        Provenance provenance = new Provenance(
                "training.examples: TrainingExample Avro container files written by the FeedbackJob (features as scored"
                        + " by " + parent.id() + ", adjudicated reviewer labels, weight 1/propensity)",
                null,
                null,
                "internal platform data: reviewer labels on user content (not redistributable)",
                selection.files(),
                "latest example per contentId; stratified by label: " + Math.round(options.validationFraction() * 100)
                        + "% validation, rest train; java.util.Random(seed) shuffle of contentIds sorted per class"
                        + " (seed + 1 for violating)",
                options.seed(),
                counts);
        Map<InputEncoding, String> graphs = new EnumMap<>(InputEncoding.class);
        for (InputEncoding encoding : parent.graphs().keySet()) {
            graphs.put(encoding, ModelArtifacts.GRAPH_FILES.get(encoding));
        }
        return new ModelManifest(
                parent.name(),
                options.newVersion(),
                parent.modality(),
                parent.inputDimensions(),
                graphs,
                parent.preferredEncoding(),
                List.of(policy),
                parent.featurizer(),
                Map.of(policy, Calibration.IDENTITY),
                Map.of(policy, weightedHistogram(holdout.scores(), holdout.weights())),
                parentThresholds(parent, policy),
                provenance,
                metrics(policy, holdout.eval(), holdout.parentEval()),
                "Retrained by io.moderato.models.retrain.RetrainFromExamples from " + selection.used()
                        + " TrainingExamples of policy " + policy + " (Tribuo example weights = 1/propensity; "
                        + sgd + "); parent version " + parent.version() + ", whose featurizer settings and input"
                        + " dimensions it keeps. Validation metrics are IPW-weighted on the holdout; keys"
                        + " '" + policy + ".parent.*' are the parent on the same holdout.");
    }

    /** Writes into a hidden sibling folder, checks serving parity there, then moves into place. */
    private static double writeWithServingParity(
            Options options,
            Path target,
            ModelManifest manifest,
            LinearHeadOnnxExporter head,
            String card,
            List<Labelled> validation,
            double[] scores,
            Consumer<String> log)
            throws IOException {
        Path staging = Files.createDirectories(options.modelsRoot().resolve(options.modelName()));
        Path tmpRoot = Files.createTempDirectory(staging, ".retrain-" + options.newVersion() + "-");
        double maxDiff;
        try {
            Path written = ModelArtifacts.write(tmpRoot, manifest, head, card);
            maxDiff = verifyServingParity(tmpRoot, manifest, validation, scores);
            log.accept(String.format(
                    Locale.ROOT,
                    "serving parity: max |ONNX - Tribuo| = %.2e over %d examples, %s",
                    maxDiff,
                    validation.size(),
                    manifest.graphs().keySet()));
            refuseExisting(target);
            try {
                Files.move(written, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalStateException(
                        "refusing to overwrite existing model version " + target.toAbsolutePath(), e);
            }
        } finally {
            deleteRecursively(tmpRoot);
        }
        log.accept("wrote " + target.toAbsolutePath());
        return maxDiff;
    }

    /** Later labelledAtMillis, then higher labelCount, then the record read later. */
    private static final Comparator<TrainingExampleFiles.Read> LATEST = Comparator.comparingLong(
                    (TrainingExampleFiles.Read r) -> r.example().getLabelledAtMillis())
            .thenComparingInt(r -> r.example().getLabelCount())
            .thenComparingLong(TrainingExampleFiles.Read::order);

    private static void refuseExisting(Path target) {
        if (Files.exists(target)) {
            throw new IllegalStateException("refusing to overwrite existing model version " + target.toAbsolutePath()
                    + "; versions are immutable, choose a new --version");
        }
    }

    private static ModelManifest manifest(Path modelsRoot, String name, String version) throws IOException {
        ModelSource source = ModelSource.directory(modelsRoot);
        try (InputStream in = source.open(name, version, ModelArtifacts.MANIFEST)) {
            return ModelManifest.read(in, source.describe(name, version, ModelArtifacts.MANIFEST));
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(
                    "model " + name + ":" + version + " not found: no "
                            + source.describe(name, version, ModelArtifacts.MANIFEST) + " (versions there: "
                            + source.versions(name)
                            + ")",
                    e);
        }
    }

    private static void checkParent(ModelManifest parent, Options options) {
        if (!parent.policies().contains(options.policyId())) {
            throw new IllegalArgumentException("parent " + parent.id() + " outputs " + parent.policies()
                    + ", not policy '" + options.policyId() + "'");
        }
        if (parent.policies().size() != 1) {
            throw new IllegalArgumentException("parent " + parent.id() + " outputs several policies "
                    + parent.policies() + "; retraining one column of a multi-policy head is not supported");
        }
        Modality expected = Modality.ofWireName(options.modality())
                .orElseThrow(() -> new IllegalArgumentException("unknown modality '" + options.modality() + "'"));
        if (parent.modality() != expected) {
            throw new IllegalArgumentException("parent " + parent.id() + " is a " + parent.modality() + " model, but "
                    + options.modality() + " features were asked for");
        }
    }

    /** The example's vector in the parent's feature space, or an error naming the example and the model. */
    private static SparseVector toVector(
            TrainingExample example,
            FeatureVector f,
            ModelManifest parent,
            Path modelsRoot,
            Map<String, ModelManifest> checked)
            throws IOException {
        String where = "example contentId " + example.getContentId() + " (policy " + example.getPolicyId() + "): "
                + f.getModality() + " features of " + id(f.getModel());
        if (f.getDimensions() != parent.inputDimensions()) {
            throw new IllegalArgumentException(where + " have " + f.getDimensions() + " dimensions, but parent "
                    + parent.id() + " has " + parent.inputDimensions());
        }
        String version = f.getModel().getVersion();
        if (!version.equals(parent.version()) && !checked.containsKey(version)) {
            ModelManifest scoredBy;
            try {
                scoredBy = manifest(modelsRoot, f.getModel().getName(), version);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        where + " come from a version whose manifest is not in " + modelsRoot
                                + ", so its feature space cannot be checked against parent " + parent.id(),
                        e);
            }
            if (!Objects.equals(scoredBy.featurizer(), parent.featurizer())
                    || scoredBy.inputDimensions() != parent.inputDimensions()) {
                throw new IllegalArgumentException(where + " live in another feature space than parent " + parent.id()
                        + " (featurizer " + scoredBy.featurizer() + " vs " + parent.featurizer() + ")");
            }
            checked.put(version, scoredBy);
        }
        try {
            return FeaturePacking.toSparse(f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The parent's default thresholds of the policy, by short name (review, action). */
    private static Map<String, Double> thresholds(ModelManifest parent, String policy) {
        Map<String, Double> t = new LinkedHashMap<>();
        for (String name : List.of("review", "action")) {
            Double v = parent.defaultThresholds().get(policy + "." + name);
            if (v != null) {
                t.put(name, v);
            }
        }
        if (t.isEmpty()) {
            t.put("0.5", 0.5);
        }
        return t;
    }

    private static Map<String, Double> parentThresholds(ModelManifest parent, String policy) {
        Map<String, Double> t = new TreeMap<>();
        parent.defaultThresholds().forEach((k, v) -> {
            if (k.startsWith(policy + ".")) {
                t.put(k, v);
            }
        });
        return t;
    }

    private static Map<String, Double> metrics(String policy, WeightedEvaluation eval, WeightedEvaluation parentEval) {
        Map<String, Double> m = new LinkedHashMap<>();
        put(m, policy + ".", eval);
        m.put(policy + ".effective_sample_size", eval.effectiveSampleSize());
        put(m, policy + ".parent.", parentEval);
        return m;
    }

    private static void put(Map<String, Double> m, String prefix, WeightedEvaluation e) {
        m.put(prefix + "roc_auc", e.rocAuc());
        m.put(prefix + "log_loss", e.logLoss());
        m.put(prefix + "brier", e.brier());
        for (Map.Entry<String, WeightedEvaluation.AtThreshold> t :
                e.thresholds().entrySet()) {
            String k = prefix + t.getKey() + ".";
            putEstimate(m, k + "precision", t.getValue().precision());
            putEstimate(m, k + "recall", t.getValue().recall());
            putEstimate(m, k + "false_positive_rate", t.getValue().falsePositiveRate());
        }
    }

    private static void putEstimate(Map<String, Double> m, String key, ProportionEstimate e) {
        if (e.isDefined()) {
            m.put(key, e.value());
            m.put(key + "_lower", e.lower());
            m.put(key + "_upper", e.upper());
        }
    }

    /** IPW-weighted holdout score histogram: an estimate of the score distribution over all scored items. */
    private static ReferenceHistogram weightedHistogram(double[] scores, double[] weights) {
        double[] edges = new double[HISTOGRAM_BINS + 1];
        for (int i = 0; i <= HISTOGRAM_BINS; i++) {
            edges[i] = (double) i / HISTOGRAM_BINS;
        }
        double[] counts = new double[HISTOGRAM_BINS];
        for (int i = 0; i < scores.length; i++) {
            counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, (int) Math.floor(scores[i] * HISTOGRAM_BINS)))] +=
                    weights[i];
        }
        return new ReferenceHistogram(edges, counts);
    }

    /** The parent, as served (its ONNX graph through the udfs registry), on the holdout vectors. */
    private static double[] scoreWithServingModel(Path modelsRoot, ModelManifest model, List<Labelled> items) {
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(modelsRoot))) {
            return score(registry, model, model.preferredEncoding(), items);
        }
    }

    private static double[] score(
            ModelRegistry registry, ModelManifest model, InputEncoding encoding, List<Labelled> items) {
        double[] out = new double[items.size()];
        int batchSize = 64;
        for (int from = 0; from < items.size(); from += batchSize) {
            List<SparseVector> batch = items.subList(from, Math.min(items.size(), from + batchSize)).stream()
                    .map(Labelled::vector)
                    .toList();
            ScoreBatch scores =
                    registry.model(model.name(), model.version(), encoding).score(batch);
            for (int i = 0; i < batch.size(); i++) {
                out[from + i] = scores.probability(i, 0);
            }
        }
        return out;
    }

    /** Loads the written graphs through the udfs registry and returns the largest difference from Tribuo. */
    private static double verifyServingParity(
            Path root, ModelManifest manifest, List<Labelled> validation, double[] tribuoScores) {
        double max = 0;
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.directory(root))) {
            for (InputEncoding encoding : manifest.graphs().keySet()) {
                double[] served = score(registry, manifest, encoding, validation);
                for (int i = 0; i < served.length; i++) {
                    max = Math.max(max, Math.abs(served[i] - tribuoScores[i]));
                }
            }
        }
        if (!(max <= PARITY_TOLERANCE)) {
            throw new IllegalStateException("the written graphs of " + manifest.id() + " differ from Tribuo by " + max
                    + " > " + PARITY_TOLERANCE + "; nothing was installed");
        }
        return max;
    }

    /** How to switch the new version on through policy.config. */
    static String activation(ModelManifest manifest, Options options, Path target) {
        String entry = String.format(
                Locale.ROOT,
                "{\"modality\": \"%s\", \"name\": \"%s\", \"version\": \"%s\"}",
                options.modality(),
                manifest.name(),
                manifest.version());
        return String.join(
                "\n",
                "New model version " + manifest.id() + " written to " + target + ".",
                "To use it for policy '" + options.policyId()
                        + "', publish a new PolicyConfig version (topic policy.config," + " key " + options.policyId()
                        + ") with one of:",
                "  shadow (scored on live traffic for evaluation only; compare quality.metrics per model version first):",
                "    \"shadowModels\": [ ...existing shadow models..., " + entry + " ]",
                "  live (replaces the active " + options.modality() + " model of the policy):",
                "    \"activeModels\": [ " + entry + ", ...the other modalities unchanged... ]",
                "The jobs load models by name and version from their model source: ship the new folder with the job"
                        + " (classpath models/) or point the job's model directory at " + options.modelsRoot()
                        + ". A model that fails to load never replaces a working one.");
    }

    private static String id(ModelVersion m) {
        return m.getName() + ":" + m.getVersion();
    }

    private static int count(List<Labelled> items) {
        return (int) items.stream().filter(Labelled::violating).count();
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static String fmt(ProportionEstimate e) {
        return e.isDefined() ? String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", e.value(), e.lower(), e.upper()) : "n/a";
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing or blank");
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
