package io.moderato.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.text.TextNormalization;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training core on a small generated corpus: two heads, soft targets, cross-validated selection. */
class LinearTextTrainerTest {

    private static final String[] RUDE = {"idiot", "stupid", "trash", "loser", "dumb", "ugly", "pathetic"};
    private static final String[] KIND = {"thanks", "great", "lovely", "agree", "nice", "helpful", "welcome"};
    private static final String[] SLUR = {"vermin", "subhuman", "parasites"};

    /** Head 0 = "slur present" (soft target 0.8 when present), head 1 = rude or slur (hard). */
    private static List<TrainingText> corpus(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TrainingText> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean rude = rnd.nextDouble() < 0.5;
            boolean slur = rude && rnd.nextDouble() < 0.3;
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 8; w++) {
                String[] vocab = rnd.nextDouble() < 0.7 ? (rude ? RUDE : KIND) : (rude ? KIND : RUDE);
                t.append(vocab[rnd.nextInt(vocab.length)]).append(' ');
            }
            if (slur) {
                t.append(SLUR[rnd.nextInt(SLUR.length)]);
            }
            texts.add(new TrainingText(
                    String.format("%05d", i),
                    t.toString(),
                    new double[] {slur ? 0.8 : 0.1, rude ? 1 : 0},
                    new boolean[] {slur, rude},
                    "generated"));
        }
        return texts;
    }

    private static Recipe recipe(int charMax) {
        FeaturizerSettings f = new FeaturizerSettings(
                1 << 12, 42, 1, charMax == 0 ? 0 : 3, charMax, true, true, 1000, TextNormalization.SHORT_TEXT);
        return new Recipe("r" + charMax, f, new BinaryLogisticRegression.Settings(3, 0.5, 0.1, 1));
    }

    @Test
    void shouldSelectByCrossValidationAndCalibrateEveryHead() {
        List<TrainingText> texts = corpus(400, 1);
        int[] folds = new int[texts.size()];
        for (int i = 0; i < folds.length; i++) {
            folds[i] = i % 4;
        }
        List<String> log = new ArrayList<>();
        LinearTextTrainer.Selection s =
                LinearTextTrainer.select(texts, folds, List.of(recipe(0), recipe(4)), 7, log::add);
        assertThat(s.results()).hasSize(2);
        assertThat(s.results().get(s.chosen()).score())
                .isEqualTo(s.results().stream()
                        .mapToDouble(LinearTextTrainer.CandidateResult::score)
                        .min()
                        .orElseThrow());
        assertThat(s.calibrations())
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.method()).isEqualTo("platt"));
        assertThat(s.oofCalibrated()[1]).hasSize(400);
        assertThat(s.results()).allSatisfy(r -> assertThat(r.rocAuc()[1]).isGreaterThan(0.9));
        assertThat(log).anyMatch(l -> l.startsWith("chosen by cross-validation: "));
        // the same inputs give the same selection, scores and calibration
        LinearTextTrainer.Selection again =
                LinearTextTrainer.select(texts, folds, List.of(recipe(0), recipe(4)), 7, m -> {});
        assertThat(again.oofRaw()).isDeepEqualTo(s.oofRaw());
        assertThat(again.calibrations()).isEqualTo(s.calibrations());
    }

    @Test
    void shouldTrainOnTrainingOnlyTextsWithoutScoringThem() {
        List<TrainingText> texts = new ArrayList<>(corpus(200, 4));
        int[] folds = new int[texts.size() + 50];
        for (int i = 0; i < texts.size(); i++) {
            folds[i] = i % 2;
        }
        for (int i = 0; i < 50; i++) {
            texts.add(new TrainingText(
                    "extra" + i, "kind words only", new double[] {0, 0}, new boolean[] {false, false}, "extra"));
            folds[200 + i] = LinearTextTrainer.TRAINING_ONLY;
        }
        LinearTextTrainer.Selection s = LinearTextTrainer.select(texts, folds, List.of(recipe(0)), 7, m -> {});
        assertThat(s.oofRaw()[0]).hasSize(200);
        assertThat(s.labels()[1]).hasSize(200);
        // weight 0 leaves the source out of training altogether
        Recipe without = new Recipe("w0", recipe(0).featurizer(), recipe(0).sgd(), java.util.Map.of("extra", 0.0));
        LinearTextTrainer.Selection t = LinearTextTrainer.select(texts, folds, List.of(without), 7, m -> {});
        LinearTextTrainer.Selection u = LinearTextTrainer.select(
                texts.subList(0, 200), java.util.Arrays.copyOf(folds, 200), List.of(recipe(0)), 7, m -> {});
        assertThat(t.oofRaw()).isDeepEqualTo(u.oofRaw());
        assertThat(java.util.Arrays.deepEquals(s.oofRaw(), u.oofRaw()))
                .as("extra texts change the fold models")
                .isFalse();
    }

    @Test
    void shouldScoreEachItemOutOfFoldWithAModelThatNeverSawIt() {
        List<TrainingText> texts = corpus(200, 2);
        TextFeaturizer featurizer = new TextFeaturizer(recipe(0).featurizer());
        List<SparseVector> x = LinearTextTrainer.featurize(featurizer, texts, "t", m -> {});
        int[] folds = new int[texts.size()];
        for (int i = 0; i < folds.length; i++) {
            folds[i] = i < 100 ? 0 : 1;
        }
        double[][] oof = LinearTextTrainer.outOfFold(x, texts, folds, recipe(0), 3, m -> {});
        boolean[] firstHalf = new boolean[texts.size()];
        for (int i = 0; i < 100; i++) {
            firstHalf[i] = true;
        }
        // items 100..199 are scored by the model trained on items 0..99 only
        LinearTextTrainer.Heads trainedOnFirstHalf =
                LinearTextTrainer.fit(x, texts, firstHalf, recipe(0), 3 + 2000, "fold 1");
        assertThat(oof[1][150]).isEqualTo(trainedOnFirstHalf.probabilities(x.get(150))[1]);
    }

    @Test
    void shouldTrainSoftTargetsAsWeightedPositiveAndNegativeCopies() {
        // two identical texts, one with target 0.9, one with 0.1: the fitted probability sits near their mean 0.5
        List<TrainingText> texts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            texts.add(new TrainingText(
                    "a" + i,
                    "same words here",
                    new double[] {i % 2 == 0 ? 0.9 : 0.1},
                    new boolean[] {i % 2 == 0},
                    "x"));
            texts.add(new TrainingText("b" + i, "other text entirely", new double[] {0.9}, new boolean[] {true}, "x"));
        }
        TextFeaturizer featurizer = new TextFeaturizer(recipe(0).featurizer());
        List<SparseVector> x = LinearTextTrainer.featurize(featurizer, texts, "t", m -> {});
        LinearTextTrainer.Heads heads = LinearTextTrainer.fit(x, texts, null, recipe(0), 1, "soft");
        assertThat(heads.probabilities(featurizer.featurize("same words here"))[0])
                .isBetween(0.35, 0.65);
        assertThat(heads.probabilities(featurizer.featurize("other text entirely"))[0])
                .isBetween(0.8, 0.97);
        assertThat(heads.export().outputs()).isEqualTo(1);
    }

    @Test
    void shouldWeightTextsByTheirSourceAsTheRecipeSays() {
        // the same text is spam in source "a" and ham in source "b": weighting "a" ×4 moves it towards spam
        List<TrainingText> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add(TrainingText.hard("a" + i, "click here now", "a", true));
            texts.add(TrainingText.hard("b" + i, "click here now", "b", false));
        }
        TextFeaturizer featurizer = new TextFeaturizer(recipe(0).featurizer());
        List<SparseVector> x = LinearTextTrainer.featurize(featurizer, texts, "t", m -> {});
        Recipe even = recipe(0);
        Recipe weighted = new Recipe("w", even.featurizer(), even.sgd(), java.util.Map.of("a", 4.0));
        double p = LinearTextTrainer.fit(x, texts, null, even, 1, "even").probabilities(x.get(0))[0];
        double q =
                LinearTextTrainer.fit(x, texts, null, weighted, 1, "weighted").probabilities(x.get(0))[0];
        assertThat(p).isBetween(0.4, 0.6);
        assertThat(q).isGreaterThan(0.7);
    }

    @Test
    void shouldWeighPositivesUpToTheNegativesByTheClassBalanceExponent() {
        int[] idx = {0};
        double[] val = {1.0};
        List<BinaryLogisticRegression.Row> rows = List.of(
                new BinaryLogisticRegression.Row(idx, val, true, 0.5),
                new BinaryLogisticRegression.Row(idx, val, false, 4.0),
                new BinaryLogisticRegression.Row(idx, val, false, 4.0));
        // negatives weigh 8, positives 0.5: full balance multiplies positives by 16, half balance by 4
        assertThat(LinearTextTrainer.balanced(rows, 1.0).get(0).weight()).isEqualTo(8.0);
        assertThat(LinearTextTrainer.balanced(rows, 0.5).get(0).weight())
                .isCloseTo(2.0, org.assertj.core.api.Assertions.offset(1e-12));
        assertThat(LinearTextTrainer.balanced(rows, 1.0).subList(1, 3)).isEqualTo(rows.subList(1, 3));
        assertThat(LinearTextTrainer.balanced(rows.subList(1, 3), 1.0)).isEqualTo(rows.subList(1, 3));
    }

    @Test
    void shouldRejectAClassBalanceOutsideZeroToOne() {
        Recipe r = recipe(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.withClassBalance("bad", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classBalance")
                .hasMessageContaining("1.5");
        assertThat(r.withClassBalance("half", 0.5).describe()).contains("positives ×(neg/pos)^0.5");
    }
}
