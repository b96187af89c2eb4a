package io.moderato.models.tribuo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryLogisticRegressionTest {

    /** Two overlapping classes over 20 features: feature i is more frequent in positives for i < 10. */
    private static List<BinaryLogisticRegression.Row> rows(double positiveWeight) {
        Random random = new Random(3);
        List<BinaryLogisticRegression.Row> rows = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            boolean positive = n % 4 == 0;
            int a = random.nextInt(20);
            int b = positive ? random.nextInt(12) : 8 + random.nextInt(12);
            int lo = Math.min(a, b);
            int hi = Math.max(a, b);
            int[] indices = lo == hi ? new int[] {lo} : new int[] {lo, hi};
            double[] values = lo == hi ? new double[] {1.0} : new double[] {0.7071, 0.7071};
            rows.add(new BinaryLogisticRegression.Row(indices, values, positive, positive ? positiveWeight : 1.0));
        }
        return rows;
    }

    private static double meanProbability(BinaryLogisticRegression lr) {
        double sum = 0;
        for (int i = 0; i < 20; i++) {
            sum += lr.probability(new int[] {i}, new double[] {1.0});
        }
        return sum / 20;
    }

    @Test
    void shouldTrainTheSameModelWithUnitWeightsAsWithoutWeights() {
        List<BinaryLogisticRegression.Row> unweighted = rows(1.0).stream()
                .map(r -> new BinaryLogisticRegression.Row(r.indices(), r.values(), r.positive()))
                .toList();

        BinaryLogisticRegression a = BinaryLogisticRegression.train(
                unweighted, "f", BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS, 1L, 1000, "t");
        BinaryLogisticRegression b = BinaryLogisticRegression.train(
                rows(1.0), "f", BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS, 1L, 1000, "t");

        assertThat(b.head(20, b::indexOf)).containsExactly(a.head(20, a::indexOf));
    }

    @Test
    void shouldRaiseProbabilitiesWhenPositivesWeighMore() {
        BinaryLogisticRegression even = BinaryLogisticRegression.train(
                rows(1.0), "f", BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS, 1L, 1000, "t");
        BinaryLogisticRegression heavy = BinaryLogisticRegression.train(
                rows(5.0), "f", BinaryLogisticRegression.Settings.TRIBUO_DEFAULTS, 1L, 1000, "t");

        assertThat(meanProbability(heavy)).isGreaterThan(meanProbability(even) + 0.05);
    }

    @Test
    void shouldRejectANonPositiveWeight() {
        assertThatThrownBy(() -> new BinaryLogisticRegression.Row(new int[] {1}, new double[] {1}, true, 0.0))
                .hasMessageContaining("weight");
        assertThatThrownBy(() -> new BinaryLogisticRegression.Row(
                        new int[] {1}, new double[] {1}, true, Double.POSITIVE_INFINITY))
                .hasMessageContaining("weight");
    }
}
