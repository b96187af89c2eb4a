package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankedScoresTest {

    private static double[] scores;
    private static boolean[] labels;

    static {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 500;
        scores = new double[n];
        labels = new boolean[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextDouble() < 0.2;
            double z = rnd.nextGaussian() + (labels[i] ? 1.2 : 0);
            scores[i] = Math.round(1 / (1 + Math.exp(-z)) * 50) / 50.0; // coarse, so many ties
        }
    }

    @Test
    void shouldAgreeWithPairCountingRocAucIncludingTies() {
        assertThat(new RankedScores(scores, labels).rocAuc(null))
                .isCloseTo(BinaryMetrics.rocAuc(scores, labels), offset(1e-12));
    }

    @Test
    void shouldComputeAveragePrecisionAsTheStepwiseAreaOverDistinctThresholds() {
        // descending: 0.9 P, 0.8 N, 0.7 P, 0.6 N → AP = 1/2 · 1 + 1/2 · 2/3
        RankedScores r = new RankedScores(new double[] {0.9, 0.8, 0.7, 0.6}, new boolean[] {true, false, true, false});
        assertThat(r.averagePrecision(null)).isCloseTo(0.5 + 1.0 / 3, offset(1e-12));
        // a tie group of one positive and one negative at the top counts as one threshold with precision 1/2
        RankedScores tied = new RankedScores(new double[] {0.9, 0.9, 0.1}, new boolean[] {true, false, true});
        assertThat(tied.averagePrecision(null)).isCloseTo(0.5 * 0.5 + 0.5 * 2.0 / 3, offset(1e-12));
    }

    @Test
    void shouldTreatIntegerWeightsAsRepeatedItems() {
        // weights 2 on item 0 equal the data with item 0 duplicated: the bootstrap relies on it
        double[] w = new double[scores.length];
        java.util.Arrays.fill(w, 1);
        w[0] = 2;
        w[7] = 0;
        double[] s = new double[scores.length];
        boolean[] y = new boolean[scores.length];
        int k = 0;
        for (int i = 0; i < scores.length; i++) {
            for (int copy = 0; copy < w[i]; copy++) {
                if (k == s.length) {
                    s = java.util.Arrays.copyOf(s, s.length + 1);
                    y = java.util.Arrays.copyOf(y, y.length + 1);
                }
                s[k] = scores[i];
                y[k++] = labels[i];
            }
        }
        RankedScores weighted = new RankedScores(scores, labels);
        RankedScores repeated = new RankedScores(java.util.Arrays.copyOf(s, k), java.util.Arrays.copyOf(y, k));
        assertThat(weighted.rocAuc(w)).isCloseTo(repeated.rocAuc(null), offset(1e-12));
        assertThat(weighted.averagePrecision(w)).isCloseTo(repeated.averagePrecision(null), offset(1e-12));
        assertThat(weighted.expectedCalibrationError(w))
                .isCloseTo(repeated.expectedCalibrationError(null), offset(1e-12));
        assertThat(weighted.logLoss(w)).isCloseTo(repeated.logLoss(null), offset(1e-12));
    }

    @Test
    void shouldComputeExpectedCalibrationErrorOverEqualWidthBins() {
        // bin [0.2, 0.3): scores 0.2, 0.2, positive rate 1/2 → |0.2 − 0.5| · 2/4; bin [0.9, 1]: 0.9, 1.0, both positive
        RankedScores r = new RankedScores(new double[] {0.2, 0.2, 0.9, 1.0}, new boolean[] {true, false, true, true});
        assertThat(r.expectedCalibrationError(null)).isCloseTo(0.5 * 0.3 + 0.5 * 0.05, offset(1e-12));
        assertThat(r.reliability()).hasSize(2);
        assertThat(r.reliability().get(1).from()).isEqualTo(0.9);
        assertThat(r.reliability().get(1).items()).isEqualTo(2);
    }

    @Test
    void shouldFindTheHighestRecallThatKeepsAPrecisionTarget() {
        RankedScores r = new RankedScores(
                new double[] {0.9, 0.8, 0.7, 0.6, 0.5}, new boolean[] {true, true, false, true, false});
        RankedScores.CurvePoint p = r.recallAtPrecision(0.75);
        assertThat(p.threshold()).isEqualTo(0.6);
        assertThat(p.recall()).isEqualTo(1.0);
        assertThat(p.precision()).isEqualTo(0.75);
        assertThat(r.recallAtPrecision(0.99).threshold()).isEqualTo(0.8);
        assertThat(new RankedScores(new double[] {0.9, 0.1}, new boolean[] {false, true}).recallAtPrecision(0.9))
                .isNull();
    }

    @Test
    void shouldCountConfusionAtAThresholdAsTheBandsFlag() {
        BinaryMetrics.Confusion c = new RankedScores(scores, labels).at(0.5);
        assertThat(c).isEqualTo(BinaryMetrics.at(scores, labels, 0.5));
    }

    @Test
    void shouldRejectScoresThatAreNotProbabilities() {
        assertThatThrownBy(() -> new RankedScores(new double[] {0.5, 1.5}, new boolean[] {true, false}))
                .hasMessageContaining("score 1 is 1.5");
        assertThatThrownBy(() -> new RankedScores(new double[] {0.5}, new boolean[] {true, false}))
                .hasMessageContaining("1 scores but 2 labels");
    }
}
