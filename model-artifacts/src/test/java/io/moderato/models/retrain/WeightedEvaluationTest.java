package io.moderato.models.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.models.eval.BinaryMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedEvaluationTest {

    @Test
    void shouldMatchTheBruteForcePairCountOfTheWeightedRocAuc() {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            int n = 2 + random.nextInt(40);
            double[] scores = new double[n];
            boolean[] labels = new boolean[n];
            double[] weights = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = random.nextInt(6) / 5.0; // many ties
                labels[i] = i < 1 || (i > 1 && random.nextBoolean());
                weights[i] = random.nextBoolean() ? 1.0 : 1.0 / (0.02 + random.nextDouble());
            }
            double pairs = 0;
            double norm = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (labels[i] && !labels[j]) {
                        double w = weights[i] * weights[j];
                        norm += w;
                        pairs += scores[i] > scores[j] ? w : scores[i] == scores[j] ? w / 2 : 0;
                    }
                }
            }

            assertThat(WeightedEvaluation.rocAuc(scores, labels, weights)).isCloseTo(pairs / norm, within(1e-12));
        }
    }

    @Test
    void shouldEqualTheUnweightedRocAucWithUnitWeightsAndDuplicationWithIntegerWeights() {
        double[] scores = {0.1, 0.4, 0.35, 0.8, 0.8, 0.2};
        boolean[] labels = {false, true, false, true, false, true};
        double[] ones = {1, 1, 1, 1, 1, 1};
        double[] weights = {1, 3, 1, 1, 2, 1};
        // the same data with each item repeated weight times
        double[] repeatedScores = {0.1, 0.4, 0.4, 0.4, 0.35, 0.8, 0.8, 0.8, 0.2};
        boolean[] repeatedLabels = {false, true, true, true, false, true, false, false, true};

        assertThat(WeightedEvaluation.rocAuc(scores, labels, ones))
                .isCloseTo(BinaryMetrics.rocAuc(scores, labels), within(1e-12));
        assertThat(WeightedEvaluation.rocAuc(scores, labels, weights))
                .isCloseTo(BinaryMetrics.rocAuc(repeatedScores, repeatedLabels), within(1e-12));
    }

    @Test
    void shouldWeightPrecisionAndRecallAtEachThreshold() {
        double[] scores = {0.95, 0.92, 0.6, 0.1};
        boolean[] labels = {true, false, true, true};
        double[] weights = {1, 1, 1, 50};
        Map<String, Double> thresholds = new LinkedHashMap<>();
        thresholds.put("review", 0.5);
        thresholds.put("action", 0.9);

        WeightedEvaluation e = WeightedEvaluation.of(scores, labels, weights, thresholds);

        assertThat(e.thresholds().keySet()).containsExactly("review", "action");
        assertThat(e.thresholds().get("action").precision().value()).isCloseTo(0.5, within(1e-12));
        assertThat(e.thresholds().get("action").recall().value()).isCloseTo(1.0 / 52, within(1e-12));
        assertThat(e.thresholds().get("review").recall().value()).isCloseTo(2.0 / 52, within(1e-12));
        assertThat(e.positives()).isEqualTo(3);
        assertThat(e.positiveWeight()).isEqualTo(52.0);
        assertThat(e.negativeWeight()).isEqualTo(1.0);
    }

    @Test
    void shouldRejectOneClassAndBadWeights() {
        assertThatThrownBy(() -> WeightedEvaluation.rocAuc(
                        new double[] {0.1, 0.2}, new boolean[] {true, true}, new double[] {1, 1}))
                .hasMessageContaining("both classes");
        assertThatThrownBy(() -> WeightedEvaluation.rocAuc(
                        new double[] {0.1, 0.2}, new boolean[] {true, false}, new double[] {1, 0}))
                .hasMessageContaining("weight 1");
    }
}
