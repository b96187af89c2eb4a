package io.moderato.models.text;

import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.eval.RankedScores;
import io.moderato.models.train.LinearTextTrainer;
import io.moderato.models.train.PlattScaling;
import io.moderato.models.train.Recipe;
import io.moderato.models.train.ThresholdChoice;
import io.moderato.models.train.TrainingText;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exploration tool, not part of CI or of {@code scripts/train-models.sh}: is a hierarchical hate head better than
 * the shipped one? P(hate speech) = P(abusive) · P(hate speech | abusive), where the conditional head is trained
 * only on the tweets most annotators called abusive (target: the hate share of their abusive votes), so its
 * weights separate hate from offensive language instead of also separating both from "neither". Out of fold on
 * the trainer's training split and folds ({@link TextAbuseRecipeSearch}); the validation split is never scored.
 * Prints, for the shipped hate head and the product, ROC-AUC, average precision, best F1 and the three-class
 * weighted F1 of the argmax rule.
 *
 * <p>Usage: {@code TextAbuseHierarchySearch dataDir [candidate]} (default {@code words+chars}; about 8 minutes).
 */
public final class TextAbuseHierarchySearch {

    private TextAbuseHierarchySearch() {}

    public static void main(String[] args) {
        long seed = TextAbuseTrainer.DEFAULT_SEED;
        List<DavidsonTweets.Tweet> train = TextAbuseRecipeSearch.trainingSplit(Path.of(args[0]));
        int[] folds = TextAbuseRecipeSearch.folds(train);
        Recipe recipe = TextAbuseRecipeSearch.candidates().get(args.length > 1 ? args[1] : "words+chars");
        List<TrainingText> texts =
                train.stream().map(TextAbuseTrainer::trainingText).toList();
        List<SparseVector> features =
                LinearTextTrainer.featurize(new TextFeaturizer(recipe.featurizer()), texts, "train", m -> {});
        double[][] heads = LinearTextTrainer.outOfFold(features, texts, folds, recipe, seed, System.out::println);
        double[] conditional = conditionalOutOfFold(train, features, folds, recipe, seed);

        boolean[] hate = new boolean[train.size()];
        boolean[] abusive = new boolean[train.size()];
        for (int i = 0; i < hate.length; i++) {
            hate[i] = train.get(i).hate();
            abusive[i] = train.get(i).abusive();
        }
        double[] harassment = calibrated(heads[1], abusive);
        double[] conditionalCalibrated = calibrated(conditional, hate);
        double[] product = new double[hate.length];
        for (int i = 0; i < hate.length; i++) {
            product[i] = harassment[i] * conditionalCalibrated[i];
        }
        report("shipped hate head", calibrated(heads[0], hate), hate, harassment, train);
        report("P(abusive) · P(hate | abusive)", calibrated(product, hate), hate, harassment, train);
    }

    /** Out-of-fold P(hate | abusive): fold f's model trains on the other folds' tweets with an abusive majority. */
    private static double[] conditionalOutOfFold(
            List<DavidsonTweets.Tweet> train, List<SparseVector> features, int[] folds, Recipe recipe, long seed) {
        List<TrainingText> conditional = train.stream()
                .map(t -> {
                    double abusiveShare = 1 - t.share(DavidsonTweets.NEITHER);
                    double target = abusiveShare > 0 ? Math.min(1, t.share(DavidsonTweets.HATE) / abusiveShare) : 0;
                    return new TrainingText(
                            t.id(), t.text(), new double[] {target}, new boolean[] {t.hate()}, DavidsonTweets.FOLDER);
                })
                .toList();
        double[] out = new double[train.size()];
        for (int f = 0; f < TextAbuseTrainer.FOLDS; f++) {
            boolean[] include = new boolean[train.size()];
            for (int i = 0; i < include.length; i++) {
                include[i] = folds[i] != f && train.get(i).abusive();
            }
            LinearTextTrainer.Heads model =
                    LinearTextTrainer.fit(features, conditional, include, recipe, seed + 1000L * (f + 1), "fold " + f);
            for (int i = 0; i < include.length; i++) {
                if (folds[i] == f) {
                    out[i] = model.probabilities(features.get(i))[0];
                }
            }
            System.out.println("  conditional fold " + (f + 1) + "/" + TextAbuseTrainer.FOLDS + " done");
        }
        return out;
    }

    private static double[] calibrated(double[] raw, boolean[] positive) {
        Calibration platt = PlattScaling.fit(raw, positive);
        return LinearTextTrainer.calibrate(raw, platt);
    }

    private static void report(
            String name, double[] hateScore, boolean[] hate, double[] harassment, List<DavidsonTweets.Tweet> train) {
        RankedScores ranked = new RankedScores(hateScore, hate);
        double weightedF1 = TextAbuseTrainer.threeClass(
                        Map.of(TextAbuseTrainer.HATE, hateScore, TextAbuseTrainer.HARASSMENT, harassment), train)
                .weightedF1();
        System.out.printf(
                Locale.ROOT,
                "RESULT | %s | %.4f | %.4f | %s | %.4f |%n",
                name,
                ranked.rocAuc(null),
                ranked.averagePrecision(null),
                ThresholdChoice.bestF1(hateScore, hate).describe(),
                weightedF1);
    }
}
