package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void shouldGiveOneForPerfectRankingAndHalfForAllTies() {
        assertThat(BinaryMetrics.rocAuc(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true}))
                .isEqualTo(1.0);
        assertThat(BinaryMetrics.rocAuc(new double[] {0.5, 0.5, 0.5, 0.5}, new boolean[] {false, true, false, true}))
                .isEqualTo(0.5);
        assertThat(BinaryMetrics.rocAuc(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true}))
                .isEqualTo(0.0);
    }

    @Test
    void shouldCountPositiveNegativeTiesAsOneHalf() {
        // pairs (pos, neg): (0.4,0.1)=1 (0.4,0.4)=0.5 (0.9,0.1)=1 (0.9,0.4)=1 → 3.5 / 4
        double auc = BinaryMetrics.rocAuc(new double[] {0.1, 0.4, 0.4, 0.9}, new boolean[] {false, false, true, true});
        assertThat(auc).isCloseTo(0.875, offset(1e-12));
    }

    @Test
    void shouldMatchPairCountingOnRandomData() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        int n = 300;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextDouble() < 0.3;
            s[i] = Math.round((rnd.nextGaussian() + (y[i] ? 0.8 : 0)) * 4) / 4.0; // coarse: many ties
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertThat(BinaryMetrics.rocAuc(s, y)).isCloseTo(wins / pairs, offset(1e-12));
    }

    @Test
    void shouldFlagScoresAtOrAboveTheThreshold() {
        BinaryMetrics.Confusion c = BinaryMetrics.at(
                new double[] {0.2, 0.5, 0.7, 0.4, 0.95}, new boolean[] {false, false, true, true, true}, 0.5);
        assertThat(c.truePositives()).isEqualTo(2);
        assertThat(c.falsePositives()).isEqualTo(1);
        assertThat(c.trueNegatives()).isEqualTo(1);
        assertThat(c.falseNegatives()).isEqualTo(1);
        assertThat(c.precision()).isCloseTo(2 / 3.0, offset(1e-12));
        assertThat(c.recall()).isCloseTo(2 / 3.0, offset(1e-12));
        assertThat(c.falsePositiveRate()).isCloseTo(0.5, offset(1e-12));
    }

    @Test
    void shouldRefuseOneClassData() {
        assertThatThrownBy(() -> BinaryMetrics.rocAuc(new double[] {0.1, 0.2}, new boolean[] {true, true}))
                .hasMessageContaining("both classes");
    }
}
