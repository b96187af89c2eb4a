package io.moderato.models.train;

import io.moderato.models.eval.RankedScores;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains multi-head linear text models the way every short-text model here is trained: the udfs
 * {@link TextFeaturizer} → one Tribuo logistic regression per head ({@link BinaryLogisticRegression}) fitted to
 * soft targets (a text with target t is a positive example of weight t and a negative one of weight 1 − t, so
 * vote shares train as they are) → Platt calibration per head fitted on out-of-fold scores → one linear head
 * W [D][P] for the ONNX exporter.
 *
 * <p>Model selection never looks at the validation split: {@link #select} compares recipes by k-fold
 * cross-validation inside the training split (folds given by the caller: stratified, or grouped by source), on
 * the calibrated out-of-fold log loss of every head relative to a constant predictor at that head's base rate
 * (so heads with different base rates weigh alike). The chosen recipe's out-of-fold scores then calibrate the
 * final model and choose the policy thresholds. A text in fold {@value #TRAINING_ONLY} is training data only:
 * every fold's model learns from it (if its recipe weighs its source), and it is never scored, so it takes no part
 * in the comparison, the calibration or the thresholds.
 */
public final class LinearTextTrainer {

    static final String FEATURE_PREFIX = "h";
    /** The fold number of a training-only text. */
    public static final int TRAINING_ONLY = -1;

    private LinearTextTrainer() {}

    /** The fitted logistic regressions of all heads over one feature space. */
    public record Heads(List<BinaryLogisticRegression> models, int dimensions) {

        /** Tribuo's raw (uncalibrated) probability per head. */
        public double[] probabilities(SparseVector v) {
            double[] values = toDoubles(v.values());
            double[] out = new double[models.size()];
            for (int h = 0; h < out.length; h++) {
                out[h] = models.get(h).probability(v.indices(), values);
            }
            return out;
        }

        /** The linear head W [D][P], b [P] of all heads, for the ONNX graphs. */
        public LinearHeadOnnxExporter export() {
            double[][] w = new double[dimensions][models.size()];
            double[] b = new double[models.size()];
            for (int h = 0; h < models.size(); h++) {
                BinaryLogisticRegression lr = models.get(h);
                double[] head = lr.head(dimensions, lr::indexOf);
                for (int i = 0; i < dimensions; i++) {
                    w[i][h] = head[i];
                }
                b[h] = head[dimensions];
            }
            return LinearHeadOnnxExporter.fromDoubles(w, b);
        }

        /** Distinct hashed features any head saw in training. */
        public int knownFeatures() {
            return models.stream()
                    .mapToInt(BinaryLogisticRegression::knownFeatures)
                    .max()
                    .orElse(0);
        }
    }

    /** Cross-validated quality of one recipe: per head out-of-fold ROC-AUC and calibrated log loss. */
    public record CandidateResult(
            Recipe recipe, double[] rocAuc, double[] logLoss, double[] relativeLogLoss, double score, double seconds) {}

    /**
     * The outcome of model selection.
     *
     * @param oofRaw        [head][scored item] out-of-fold probabilities of the chosen recipe, before calibration
     * @param calibrations  Platt calibration per head, fitted on {@code oofRaw}
     * @param oofCalibrated [head][scored item] the out-of-fold probabilities after calibration (as served)
     * @param labels        [head][scored item] the hard labels of the scored items (all but training-only ones)
     */
    public record Selection(
            List<CandidateResult> results,
            int chosen,
            double[][] oofRaw,
            Calibration[] calibrations,
            double[][] oofCalibrated,
            boolean[][] labels) {

        public Recipe recipe() {
            return results.get(chosen).recipe();
        }
    }

    public static List<SparseVector> featurize(
            TextFeaturizer featurizer, List<TrainingText> texts, String what, Consumer<String> log) {
        List<SparseVector> out = new ArrayList<>(texts.size());
        for (TrainingText t : texts) {
            out.add(featurizer.featurize(t.text()));
            if (out.size() % 5000 == 0 || out.size() == texts.size()) {
                log.accept("featurized " + what + ": " + out.size() + "/" + texts.size());
            }
        }
        return out;
    }

    /** Fits every head with the recipe's SGD settings and source weights on the items whose {@code include} flag is set (null = all). */
    public static Heads fit(
            List<SparseVector> features,
            List<TrainingText> texts,
            boolean[] include,
            Recipe recipe,
            long seed,
            String description) {
        BinaryLogisticRegression.Settings sgd = recipe.sgd();
        int heads = texts.get(0).targets().length;
        int dimensions = features.get(0).dimensions();
        List<BinaryLogisticRegression> models = new ArrayList<>(heads);
        for (int h = 0; h < heads; h++) {
            List<BinaryLogisticRegression.Row> rows = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                double w = recipe.weightOf(texts.get(i).source());
                if (include != null && !include[i] || w == 0) {
                    continue;
                }
                SparseVector v = features.get(i);
                double[] values = toDoubles(v.values());
                double t = texts.get(i).targets()[h];
                if (t > 0) {
                    rows.add(new BinaryLogisticRegression.Row(v.indices(), values, true, t * w));
                }
                if (t < 1) {
                    rows.add(new BinaryLogisticRegression.Row(v.indices(), values, false, (1 - t) * w));
                }
            }
            if (recipe.classBalance() > 0) {
                rows = balanced(rows, recipe.classBalance());
            }
            models.add(BinaryLogisticRegression.train(
                    rows, FEATURE_PREFIX, sgd, seed + h, Integer.MAX_VALUE, description + " head " + h));
        }
        return new Heads(List.copyOf(models), dimensions);
    }

    /** The rows with every positive weight multiplied by (total negative weight / total positive weight)^balance. */
    static List<BinaryLogisticRegression.Row> balanced(List<BinaryLogisticRegression.Row> rows, double balance) {
        double positive = 0;
        double negative = 0;
        for (BinaryLogisticRegression.Row row : rows) {
            if (row.positive()) {
                positive += row.weight();
            } else {
                negative += row.weight();
            }
        }
        if (positive == 0 || negative == 0) {
            return rows;
        }
        double factor = Math.pow(negative / positive, balance);
        List<BinaryLogisticRegression.Row> out = new ArrayList<>(rows.size());
        for (BinaryLogisticRegression.Row row : rows) {
            out.add(
                    row.positive()
                            ? new BinaryLogisticRegression.Row(row.indices(), row.values(), true, row.weight() * factor)
                            : row);
        }
        return out;
    }

    /**
     * [head][item] probabilities of models that never saw the item's fold (fold f's model trains with seed + 1000·(f + 1));
     * training-only items ({@value #TRAINING_ONLY}) are in every fold's training data and keep probability 0 here.
     */
    public static double[][] outOfFold(
            List<SparseVector> features,
            List<TrainingText> texts,
            int[] folds,
            Recipe recipe,
            long seed,
            Consumer<String> log) {
        int heads = texts.get(0).targets().length;
        int k = java.util.Arrays.stream(folds).max().orElse(-1) + 1;
        double[][] out = new double[heads][texts.size()];
        for (int fold = 0; fold < k; fold++) {
            boolean[] include = new boolean[texts.size()];
            for (int i = 0; i < include.length; i++) {
                include[i] = folds[i] != fold;
            }
            Heads model = fit(features, texts, include, recipe, seed + 1000L * (fold + 1), "fold " + fold);
            for (int i = 0; i < include.length; i++) {
                if (!include[i]) {
                    double[] p = model.probabilities(features.get(i));
                    for (int h = 0; h < heads; h++) {
                        out[h][i] = p[h];
                    }
                }
            }
            log.accept("  fold " + (fold + 1) + "/" + k + " done");
        }
        return out;
    }

    /** Cross-validates every recipe and keeps the one with the lowest mean relative calibrated log loss. */
    public static Selection select(
            List<TrainingText> texts, int[] folds, List<Recipe> recipes, long seed, Consumer<String> log) {
        if (recipes.isEmpty()) {
            throw new IllegalArgumentException("no recipe to choose from");
        }
        int heads = texts.get(0).targets().length;
        int[] scored = java.util.stream.IntStream.range(0, texts.size())
                .filter(i -> folds[i] != TRAINING_ONLY)
                .toArray();
        boolean[][] labels = subset(labels(texts), scored);
        Map<FeaturizerSettings, List<SparseVector>> featureCache = new HashMap<>();
        List<CandidateResult> results = new ArrayList<>();
        double[][] bestRaw = null;
        Calibration[] bestCalibrations = null;
        double[][] bestCalibrated = null;
        int best = -1;
        for (Recipe recipe : recipes) {
            long started = System.nanoTime();
            log.accept("cross-validating " + recipe.name() + ": " + recipe.describe());
            List<SparseVector> features = featureCache.computeIfAbsent(
                    recipe.featurizer(), s -> featurize(new TextFeaturizer(s), texts, "training split", log));
            double[][] raw = subset(outOfFold(features, texts, folds, recipe, seed, log), scored);
            Calibration[] calibrations = new Calibration[heads];
            double[][] calibrated = new double[heads][];
            double[] auc = new double[heads];
            double[] logLoss = new double[heads];
            double[] relative = new double[heads];
            double score = 0;
            for (int h = 0; h < heads; h++) {
                calibrations[h] = PlattScaling.fit(raw[h], labels[h]);
                calibrated[h] = calibrate(raw[h], calibrations[h]);
                RankedScores ranked = new RankedScores(calibrated[h], labels[h]);
                auc[h] = ranked.rocAuc(null);
                logLoss[h] = ranked.logLoss(null);
                relative[h] = logLoss[h] / baseRateLogLoss(labels[h]);
                score += relative[h] / heads;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            results.add(new CandidateResult(recipe, auc, logLoss, relative, score, seconds));
            log.accept(String.format(
                    Locale.ROOT,
                    "  %s: out-of-fold ROC-AUC %s, calibrated log loss %s, score %.4f (%.0f s)",
                    recipe.name(),
                    format(auc),
                    format(logLoss),
                    score,
                    seconds));
            if (best < 0 || score < results.get(best).score()) {
                best = results.size() - 1;
                bestRaw = raw;
                bestCalibrations = calibrations;
                bestCalibrated = calibrated;
            }
        }
        log.accept("chosen by cross-validation: " + results.get(best).recipe().name());
        return new Selection(List.copyOf(results), best, bestRaw, bestCalibrations, bestCalibrated, labels);
    }

    private static double[][] subset(double[][] perHead, int[] items) {
        double[][] out = new double[perHead.length][items.length];
        for (int h = 0; h < perHead.length; h++) {
            for (int k = 0; k < items.length; k++) {
                out[h][k] = perHead[h][items[k]];
            }
        }
        return out;
    }

    private static boolean[][] subset(boolean[][] perHead, int[] items) {
        boolean[][] out = new boolean[perHead.length][items.length];
        for (int h = 0; h < perHead.length; h++) {
            for (int k = 0; k < items.length; k++) {
                out[h][k] = perHead[h][items[k]];
            }
        }
        return out;
    }

    /** The probabilities as serving returns them: {@link Calibration#apply} on the float the graph outputs. */
    public static double[] calibrate(double[] raw, Calibration calibration) {
        double[] out = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = calibration.apply((float) raw[i]);
        }
        return out;
    }

    /** [head][item] hard labels. */
    public static boolean[][] labels(List<TrainingText> texts) {
        int heads = texts.get(0).labels().length;
        boolean[][] out = new boolean[heads][texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            for (int h = 0; h < heads; h++) {
                out[h][i] = texts.get(i).labels()[h];
            }
        }
        return out;
    }

    /** Log loss of always predicting the base rate: the yardstick of {@link CandidateResult#relativeLogLoss}. */
    static double baseRateLogLoss(boolean[] labels) {
        double p = 0;
        for (boolean b : labels) {
            p += b ? 1 : 0;
        }
        p /= labels.length;
        return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    }

    static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", values[i]));
        }
        return s.append(']').toString();
    }
}
