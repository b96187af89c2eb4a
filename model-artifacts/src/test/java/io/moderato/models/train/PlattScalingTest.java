package io.moderato.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moderato.udfs.model.Calibration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlattScalingTest {

    @Test
    void shouldRecoverTheParametersOfDataDrawnFromAPlattModel() {
        // raw scores are over-confident: the true probability is sigmoid(0.5 · logit(p) − 1), i.e. a = −0.5, b = 1
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 40_000;
        double[] raw = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            double logit = rnd.nextGaussian() * 4;
            raw[i] = 1 / (1 + Math.exp(-logit));
            double truth = 1 / (1 + Math.exp(-(0.5 * logit - 1)));
            y[i] = rnd.nextDouble() < truth;
        }
        Calibration c = PlattScaling.fit(raw, y);
        assertThat(c.method()).isEqualTo("platt");
        assertThat(c.a()).isCloseTo(-0.5, offset(0.03));
        assertThat(c.b()).isCloseTo(1.0, offset(0.05));
        assertThat(PlattScaling.fit(raw, y)).isEqualTo(c);
    }

    @Test
    void shouldCalibrateSoThatTheMeanProbabilityMatchesThePositiveRate() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 5_000;
        double[] raw = new double[n];
        boolean[] y = new boolean[n];
        int positives = 0;
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextDouble() < 0.1;
            raw[i] = y[i] ? 0.5 + rnd.nextDouble() / 2 : rnd.nextDouble() * 0.9;
            positives += y[i] ? 1 : 0;
        }
        Calibration c = PlattScaling.fit(raw, y);
        double mean = 0;
        for (double r : raw) {
            mean += c.apply((float) r);
        }
        assertThat(mean / n).isCloseTo((double) positives / n, offset(0.005));
    }

    @Test
    void shouldRefuseASingleClass() {
        assertThatThrownBy(() -> PlattScaling.fit(new double[] {0.2, 0.3}, new boolean[] {false, false}))
                .hasMessageContaining("needs both classes");
    }
}
