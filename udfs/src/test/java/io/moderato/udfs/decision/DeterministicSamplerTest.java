package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DeterministicSamplerTest {

    private static final int N = 100_000;

    @Test
    void shouldMatchTheSpecifiedHashBitForBit() {
        // values from an independent (Python) implementation of the documented FNV-1a 64 + SplitMix64 recipe
        assertThat(new DeterministicSampler(42).uniform("content-1", "audit:spam"))
                .isEqualTo(0.12731403124239138);
        assertThat(new DeterministicSampler(0).uniform("", "")).isEqualTo(0.6217355747473715);
        assertThat(new DeterministicSampler(-7).uniform("ñ-ü", "capacity:hate-es"))
                .isEqualTo(0.875342031184987);
    }

    @Test
    void shouldDecideIdenticallyOnReplay() {
        DeterministicSampler first = new DeterministicSampler(2026);
        DeterministicSampler replay = new DeterministicSampler(2026);
        for (int i = 0; i < 1_000; i++) {
            String id = "c-" + i;
            assertThat(replay.uniform(id, "audit:spam")).isEqualTo(first.uniform(id, "audit:spam"));
            assertThat(replay.sampled(id, "audit:spam", 0.3)).isEqualTo(first.sampled(id, "audit:spam", 0.3));
        }
    }

    @Test
    void shouldChangeWithTheSeed() {
        int same = 0;
        for (int i = 0; i < 1_000; i++) {
            if (new DeterministicSampler(1).uniform("c-" + i, "s")
                    == new DeterministicSampler(2).uniform("c-" + i, "s")) {
                same++;
            }
        }
        assertThat(same).isZero();
    }

    @Test
    void shouldNotConfuseTheBoundaryBetweenContentIdAndSalt() {
        DeterministicSampler s = new DeterministicSampler(7);
        assertThat(s.uniform("ab", "c")).isNotEqualTo(s.uniform("a", "bc"));
        assertThat(s.uniform("x", null)).isEqualTo(s.uniform("x", ""));
    }

    @Test
    void shouldSampleAtTheConfiguredRateWithinThreeSigma() {
        DeterministicSampler s = new DeterministicSampler(11);
        for (double rate : new double[] {0.001, 0.01, 0.05, 0.5, 0.9}) {
            int hits = 0;
            for (int i = 0; i < N; i++) {
                if (s.sampled("content-" + i, "audit:spam", rate)) {
                    hits++;
                }
            }
            double sigma = Math.sqrt(N * rate * (1 - rate));
            assertThat((double) hits).as("rate %s", rate).isCloseTo(N * rate, within(3 * sigma));
        }
    }

    @Test
    void shouldSpreadDrawsEvenlyOverTheUnitInterval() {
        DeterministicSampler s = new DeterministicSampler(12);
        int[] deciles = new int[10];
        for (int i = 0; i < N; i++) {
            double u = s.uniform(Integer.toString(i), "");
            assertThat(u).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
            deciles[(int) (u * 10)]++;
        }
        double sigma = Math.sqrt(N * 0.1 * 0.9);
        for (int d = 0; d < 10; d++) {
            // 4σ per bin keeps the chance of a false alarm over ten bins below 0.1 %
            assertThat((double) deciles[d]).as("decile %d", d).isCloseTo(N * 0.1, within(4 * sigma));
        }
    }

    @Test
    void shouldDrawIndependentlyForDifferentSalts() {
        DeterministicSampler s = new DeterministicSampler(13);
        double rateA = 0.3;
        double rateB = 0.2;
        int both = 0;
        double sumAB = 0;
        double sumA = 0;
        double sumB = 0;
        for (int i = 0; i < N; i++) {
            String id = "content-" + i;
            double a = s.uniform(id, "audit:spam");
            double b = s.uniform(id, "capacity:spam-en");
            sumA += a;
            sumB += b;
            sumAB += a * b;
            if (a < rateA && b < rateB) {
                both++;
            }
        }
        double p = rateA * rateB;
        assertThat((double) both).isCloseTo(N * p, within(3 * Math.sqrt(N * p * (1 - p))));
        // covariance of two independent U(0,1) is 0 with standard error 1/(12·√N)
        double covariance = sumAB / N - (sumA / N) * (sumB / N);
        assertThat(covariance).isCloseTo(0.0, within(3.0 / (12 * Math.sqrt(N))));
    }

    @Test
    void shouldNeverSampleAtRateZeroAndAlwaysAtRateOne() {
        DeterministicSampler s = new DeterministicSampler(3);
        for (int i = 0; i < 10_000; i++) {
            assertThat(s.sampled("c" + i, "x", 0.0)).isFalse();
            assertThat(s.sampled("c" + i, "x", 1.0)).isTrue();
        }
        assertThatThrownBy(() -> s.sampled("c", "x", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
