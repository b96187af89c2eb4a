package io.moderato.models.text;

import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.eval.RankedScores;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.models.train.LinearTextTrainer;
import io.moderato.models.train.Recipe;
import io.moderato.models.train.ThresholdChoice;
import io.moderato.models.train.TrainingText;
import io.moderato.models.tribuo.BinaryLogisticRegression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exploration tool, not part of CI or of {@code scripts/train-models.sh}: cross-validates text-abuse recipe
 * candidates inside the training split exactly as {@link TextAbuseTrainer} does (same seeded split, same folds,
 * Platt on out-of-fold scores) and prints, per candidate, the out-of-fold figures the targets are about —
 * `hate_speech` and `harassment` ROC-AUC, `hate_speech` average precision and best F1, three-class weighted F1 of
 * the argmax rule and the relative log loss the trainer ranks by. The validation split is never scored, so a
 * candidate can be promoted into {@link TextAbuseTrainer#recipes()} without having looked at it. Writes each
 * candidate's calibrated out-of-fold scores to {@code <outDir>/oof-<name>.tsv} and, first, the training split
 * with its folds to {@code <outDir>/split.tsv} (tweet id, fold), so that other learners can be compared on exactly
 * the same folds ({@code model-artifacts/exploration/linear_ceiling.py}).
 *
 * <p>Usage (from the repository root, on the model-artifacts test classpath):
 * {@code TextAbuseRecipeSearch dataDir outDir [candidate name ... | --split-only]} (no names: every candidate).
 * Each candidate takes 2–8 minutes on the shared 2-core machine.
 */
public final class TextAbuseRecipeSearch {

    private TextAbuseRecipeSearch() {}

    /** The trainer's recipes plus the variants of its chosen one ('words+chars') compared in the second pass. */
    public static Map<String, Recipe> candidates() {
        Map<String, Recipe> out = new LinkedHashMap<>();
        TextAbuseTrainer.recipes().forEach(r -> out.put(r.name(), r));
        Recipe wordsChars = out.get("words+chars");
        List<Recipe> variants = List.of(
                wordsChars.withClassBalance("words+chars, balanced", 1.0),
                wordsChars.withClassBalance("words+chars, half-balanced", 0.5),
                wordsChars.withSgd("words+chars, 10 epochs", new BinaryLogisticRegression.Settings(10, 0.1, 0.1, 1)),
                wordsChars.withSgd("words+chars, lr 0.3", new BinaryLogisticRegression.Settings(5, 0.3, 0.1, 1)),
                wordsChars.withSgd(
                        "words+chars, lr 0.05, 10 epochs", new BinaryLogisticRegression.Settings(10, 0.05, 0.1, 1)),
                new Recipe("words+chars 2^20", wordsChars.featurizer().withDimensions(1 << 20), wordsChars.sgd()));
        variants.forEach(r -> out.put(r.name(), r));
        return out;
    }

    /** The trainer's training split (the 80 % its seed leaves after the validation split). */
    static List<DavidsonTweets.Tweet> trainingSplit(Path data) {
        return StratifiedSplit.splitBy(
                        DavidsonTweets.load(data),
                        DavidsonTweets.Tweet::majority,
                        DavidsonTweets.Tweet::id,
                        TextAbuseTrainer.VALIDATION_FRACTION,
                        TextAbuseTrainer.DEFAULT_SEED)
                .first();
    }

    /** The trainer's stratified cross-validation folds of {@code train}. */
    static int[] folds(List<DavidsonTweets.Tweet> train) {
        return StratifiedSplit.folds(
                train,
                DavidsonTweets.Tweet::majority,
                DavidsonTweets.Tweet::id,
                TextAbuseTrainer.FOLDS,
                TextAbuseTrainer.DEFAULT_SEED);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println(
                    "usage: TextAbuseRecipeSearch dataDir outDir [candidate ... | --split-only]; candidates: "
                            + candidates().keySet());
            System.exit(2);
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "[tribuo] %5$s%n");
        Path data = Path.of(args[0]);
        Path outDir = Files.createDirectories(Path.of(args[1]));
        long seed = TextAbuseTrainer.DEFAULT_SEED;
        List<DavidsonTweets.Tweet> train = trainingSplit(data);
        List<TrainingText> texts =
                train.stream().map(TextAbuseTrainer::trainingText).toList();
        int[] folds = folds(train);
        StringBuilder split = new StringBuilder("id\tfold\n");
        for (int i = 0; i < train.size(); i++) {
            split.append(train.get(i).id()).append('\t').append(folds[i]).append('\n');
        }
        Files.writeString(outDir.resolve("split.tsv"), split);
        if (args.length == 3 && args[2].equals("--split-only")) {
            return;
        }
        Map<String, Recipe> candidates = candidates();
        List<String> names =
                args.length > 2 ? List.of(args).subList(2, args.length) : new ArrayList<>(candidates.keySet());
        for (String name : names) {
            Recipe recipe = candidates.get(name);
            if (recipe == null) {
                throw new IllegalArgumentException("unknown candidate '" + name + "'; known: " + candidates.keySet());
            }
            LinearTextTrainer.Selection s = LinearTextTrainer.select(
                    texts, folds, List.of(recipe), seed, m -> System.out.println("[search] " + m));
            double[][] calibrated = s.oofCalibrated();
            boolean[][] labels = s.labels();
            LinearTextTrainer.CandidateResult result = s.results().get(0);
            ThresholdChoice.Choice hateF1 = ThresholdChoice.bestF1(calibrated[0], labels[0]);
            double threeClass = TextAbuseTrainer.threeClass(
                            Map.of(TextAbuseTrainer.HATE, calibrated[0], TextAbuseTrainer.HARASSMENT, calibrated[1]),
                            train)
                    .weightedF1();
            StringBuilder oof = new StringBuilder("majority\thate_speech\tharassment\n");
            for (int i = 0; i < train.size(); i++) {
                oof.append(train.get(i).majority())
                        .append('\t')
                        .append(calibrated[0][i])
                        .append('\t')
                        .append(calibrated[1][i])
                        .append('\n');
            }
            Files.writeString(outDir.resolve("oof-" + name.replaceAll("[^A-Za-z0-9]+", "_") + ".tsv"), oof);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT | %s | %.4f | %.4f | %.4f | %s | %.4f | %.4f | %.0f s |%n",
                    name,
                    result.rocAuc()[0],
                    result.rocAuc()[1],
                    new RankedScores(calibrated[0], labels[0]).averagePrecision(null),
                    hateF1.describe(),
                    threeClass,
                    result.score(),
                    result.seconds());
        }
    }
}
