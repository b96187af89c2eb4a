package io.moderato.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThresholdChoiceTest {

    @Test
    void shouldPickTheThresholdWithTheHighestF1OnTheGrid() {
        double[] s = {0.95, 0.85, 0.62, 0.58, 0.4, 0.3, 0.2, 0.1};
        boolean[] y = {true, true, true, false, true, false, false, false};
        ThresholdChoice.Choice c = ThresholdChoice.bestF1(s, y);
        // ≥ 0.31..0.40 flags 5 items with 4 positives: F1 = 8/9, the best; ties resolve to the higher threshold
        assertThat(c.threshold()).isEqualTo(0.40);
        assertThat(c.atTraining().f1()).isCloseTo(8.0 / 9, org.assertj.core.api.Assertions.offset(1e-12));
    }

    @Test
    void shouldRequireTheWilsonLowerBoundOfPrecisionAboveTheFloor() {
        int n = 1000;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            s[i] = i / (double) n;
            y[i] = i >= 500 && i % 50 != 0; // above 0.5 almost all positive (2% negatives)
        }
        ThresholdChoice.Choice c = ThresholdChoice.precisionObligation(s, y, 0.95, 0.95, 0.90);
        assertThat(c.threshold()).isGreaterThanOrEqualTo(0.90);
        assertThat(c.atTraining().precision()).isGreaterThanOrEqualTo(0.95);
        ThresholdChoice.Choice low = ThresholdChoice.precisionObligation(s, y, 0.95, 0.95, 0.0);
        assertThat(low.threshold()).isBetween(0.5, 0.6);
    }

    @Test
    void shouldNeverActWhenNoThresholdMeetsTheObligation() {
        double[] s = {0.99, 0.95, 0.92, 0.5, 0.1};
        boolean[] y = {true, false, true, false, false};
        ThresholdChoice.Choice c = ThresholdChoice.precisionObligation(s, y, 0.95, 0.95, 0.9);
        assertThat(c.threshold()).isEqualTo(ThresholdChoice.NEVER);
        assertThat(c.rule()).contains("no threshold meets it");
    }
}
