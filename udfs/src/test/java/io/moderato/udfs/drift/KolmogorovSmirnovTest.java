package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KolmogorovSmirnovTest {

    private static final int BINS = 100;

    private static double[] sample(long seed, int n, double power) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.pow(random.nextDouble(), power);
            if (i % 7 == 0) {
                s[i] = random.nextInt(BINS + 1) / (double) BINS; // scores exactly on edges
            }
        }
        return s;
    }

    private static double[] histogram(double[] scores) {
        double[] counts = new double[BINS];
        for (double s : scores) {
            counts[WeightedScoreHistogram.binOf(s, BINS)]++;
        }
        return counts;
    }

    /** Fraction of {@code scores} strictly below {@code t}, by a plain loop. */
    private static double below(double[] scores, double t) {
        int n = 0;
        for (double s : scores) {
            if (s < t) {
                n++;
            }
        }
        return n / (double) scores.length;
    }

    @Test
    void binnedStatisticShouldEqualBruteForceMaxCdfGapAtTheBinEdges() {
        double[] reference = sample(1, 5_000, 1.0);
        double[] window = sample(2, 1_200, 1.4);
        double bruteForce = 0;
        for (int k = 1; k < BINS; k++) {
            double t = k / (double) BINS;
            bruteForce = Math.max(bruteForce, Math.abs(below(window, t) - below(reference, t)));
        }
        assertThat(KolmogorovSmirnov.statistic(histogram(reference), histogram(window)))
                .isCloseTo(bruteForce, within(1e-12));
    }

    @Test
    void binnedStatisticShouldNeverExceedTheExactTwoSampleStatistic() {
        double[] reference = sample(3, 3_000, 1.0);
        double[] window = sample(4, 800, 1.2);
        double[] all = new double[reference.length + window.length];
        System.arraycopy(reference, 0, all, 0, reference.length);
        System.arraycopy(window, 0, all, reference.length, window.length);
        Arrays.sort(all);
        double exact = 0;
        for (double t : all) {
            double gapBelow = Math.abs(below(window, t) - below(reference, t));
            double gapAtOrBelow = Math.abs(below(window, Math.nextUp(t)) - below(reference, Math.nextUp(t)));
            exact = Math.max(exact, Math.max(gapBelow, gapAtOrBelow));
        }
        double binned = KolmogorovSmirnov.statistic(histogram(reference), histogram(window));
        assertThat(binned).isLessThanOrEqualTo(exact + 1e-12);
        assertThat(binned).isGreaterThan(exact - 0.02); // 100 bins lose little
    }

    @Test
    void identicalHistogramsShouldHaveZeroDistance() {
        double[] h = histogram(sample(5, 1_000, 2.0));
        assertThat(KolmogorovSmirnov.statistic(h, h.clone())).isZero();
    }

    @Test
    void kolmogorovSurvivalShouldMatchReferenceValuesAndBeContinuousBetweenItsTwoSeries() {
        // Reference values: the alternating series evaluated to convergence in double precision.
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0.3)).isCloseTo(0.9999906941986655, within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0.5)).isCloseTo(0.9639452436648751, within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.0)).isCloseTo(0.26999967167735456, within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.2)).isCloseTo(0.11224966667072496, within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.3580986393225505)).isCloseTo(0.05, within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(Math.nextDown(1.0)))
                .isCloseTo(KolmogorovSmirnov.kolmogorovSurvival(1.0), within(1e-12));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0.0)).isEqualTo(1.0);
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(10.0)).isLessThan(1e-80);
    }

    @Test
    void criticalValueShouldBeTheStatisticWhosePValueIsAlpha() {
        for (double alpha : new double[] {0.05, 0.01, 0.001}) {
            for (double n : new double[] {30, 1_000, 100_000}) {
                double d = KolmogorovSmirnov.criticalValue(alpha, n);
                assertThat(KolmogorovSmirnov.pValue(d, n)).isCloseTo(alpha, within(1e-9));
            }
        }
        // The familiar 1.358/√n at α = 0.05 for large n.
        assertThat(KolmogorovSmirnov.criticalValue(0.05, 10_000)).isCloseTo(1.3580986393 / 100.12, within(1e-6));
    }

    @Test
    void effectiveSampleSizeShouldCombineWindowAndReferenceSamples() {
        assertThat(KolmogorovSmirnov.effectiveSampleSize(1_000, Double.POSITIVE_INFINITY))
                .isEqualTo(1_000);
        assertThat(KolmogorovSmirnov.effectiveSampleSize(1_000, 1_000)).isEqualTo(500);
    }

    @Test
    void evaluateShouldAlertOnAShiftAndNotOnAnEmptyWindow() {
        double[] reference = histogram(sample(6, 50_000, 1.0));
        KolmogorovSmirnov ks = new KolmogorovSmirnov();
        DriftSignal shifted = ks.evaluate(reference, histogram(sample(7, 2_000, 2.0)), 50_000);
        assertThat(shifted.isAlert()).isTrue();
        assertThat(shifted.threshold())
                .isCloseTo(KolmogorovSmirnov.criticalValue(0.001, 2_000.0 * 50_000 / 52_000), within(1e-12));
        DriftSignal same = ks.evaluate(reference, histogram(sample(8, 2_000, 1.0)), 50_000);
        assertThat(same.isAlert()).isFalse();
        assertThat(ks.evaluate(reference, new double[BINS]).isAlert()).isFalse();
        // A floor on D keeps a significant but small shift quiet.
        assertThat(new KolmogorovSmirnov(0.001, 0.5)
                        .evaluate(reference, histogram(sample(9, 2_000, 2.0)))
                        .isAlert())
                .isFalse();
    }
}
