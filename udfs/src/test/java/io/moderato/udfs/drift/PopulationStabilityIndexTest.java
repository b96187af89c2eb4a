package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PopulationStabilityIndexTest {

    @Test
    void psiShouldMatchTheHandComputedValue() {
        // (0.25 - 0.5)·ln(0.25/0.5) + (0.75 - 0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5
        double expected = 0.25 * Math.log(2) + 0.25 * Math.log(1.5);
        assertThat(PopulationStabilityIndex.psi(new double[] {0.5, 0.5}, new double[] {25, 75}, 0.0))
                .isCloseTo(expected, within(1e-15));
    }

    @Test
    void psiShouldBeZeroForIdenticalDistributionsSymmetricAndScaleFree() {
        double[] a = {10, 20, 30, 40};
        double[] b = {40, 30, 20, 10};
        assertThat(PopulationStabilityIndex.psi(a, new double[] {1, 2, 3, 4}, 1e-4))
                .isCloseTo(0.0, within(1e-15));
        assertThat(PopulationStabilityIndex.psi(a, b, 1e-4))
                .isCloseTo(PopulationStabilityIndex.psi(b, a, 1e-4), within(1e-15));
        assertThat(PopulationStabilityIndex.psi(a, b, 1e-4))
                .isCloseTo(
                        PopulationStabilityIndex.psi(
                                new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {4, 3, 2, 1}, 1e-4),
                        within(1e-15));
    }

    @Test
    void smoothingShouldKeepAnEmptyBinFinite() {
        double[] reference = {0.5, 0.3, 0.2};
        double[] window = {60, 40, 0};
        assertThat(PopulationStabilityIndex.psi(reference, window, 0.0)).isInfinite();
        double smoothed = PopulationStabilityIndex.psi(reference, window, 1e-4);
        assertThat(smoothed).isFinite().isBetween(0.5, 2.0);
    }

    @Test
    void emptyHistogramShouldGiveNaNAndNoAlert() {
        double[] reference = {1, 1};
        assertThat(PopulationStabilityIndex.psi(reference, new double[] {0, 0}, 1e-4))
                .isNaN();
        assertThat(new PopulationStabilityIndex()
                        .evaluate(reference, new double[] {0, 0})
                        .isAlert())
                .isFalse();
    }

    @Test
    void invalidHistogramsShouldBeRejected() {
        assertThatThrownBy(() -> PopulationStabilityIndex.psi(new double[] {1, 2}, new double[] {1, 2, 3}, 1e-4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PopulationStabilityIndex.psi(new double[] {1, -2}, new double[] {1, 2}, 1e-4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PopulationStabilityIndex(0.2, 1e-4, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantileGroupsShouldSplitAUniformReferenceIntoEqualRuns() {
        double[] uniform = new double[100];
        Arrays.fill(uniform, 1.0);
        assertThat(PopulationStabilityIndex.quantileGroups(uniform, 10))
                .containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
    }

    @Test
    void quantileGroupsShouldNeverSplitABinAndShouldFoldEmptyTailBinsIntoTheLastGroup() {
        double[] skewed = new double[20];
        skewed[0] = 80; // 80% of the mass in the first bin, as with mostly benign content
        for (int i = 1; i < 11; i++) {
            skewed[i] = 2;
        }
        int[] starts = PopulationStabilityIndex.quantileGroups(skewed, 10);
        assertThat(starts[0]).isZero();
        assertThat(starts[1]).isEqualTo(1);
        assertThat(starts.length).isLessThan(10);
        double[] grouped = PopulationStabilityIndex.regroup(skewed, starts);
        assertThat(Arrays.stream(grouped).sum()).isEqualTo(100.0);
        assertThat(Arrays.stream(grouped).min().orElseThrow()).isPositive();
        assertThat(starts[starts.length - 1]).isLessThanOrEqualTo(10);
    }

    @Test
    void regroupingShouldLowerTheNoiseFloorOfFineHistograms() {
        double[] reference = new double[100];
        Arrays.fill(reference, 1.0);
        double[] window = new double[100];
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 500; i++) {
            window[random.nextInt(100)]++;
        }
        double fine = new PopulationStabilityIndex(0.2, 1e-4, 0).statistic(reference, window);
        double grouped = new PopulationStabilityIndex().statistic(reference, window);
        // About (B - 1)/n: 99/500 ≈ 0.2 on the raw bins, 9/500 ≈ 0.02 on ten groups.
        assertThat(fine).isBetween(0.1, 0.35);
        assertThat(grouped).isLessThan(0.06);
    }

    @Test
    void evaluateShouldGradeAgainstTheDefaultThreshold() {
        PopulationStabilityIndex psi = new PopulationStabilityIndex(0.2, 1e-4, 0);
        DriftSignal signal = psi.evaluate(new double[] {0.5, 0.5}, new double[] {10, 90});
        assertThat(signal.detector()).isEqualTo("PSI");
        assertThat(signal.threshold()).isEqualTo(0.2);
        assertThat(signal.statistic()).isGreaterThan(0.4);
        assertThat(signal.severity()).isEqualTo(DriftSignal.Severity.CRITICAL);
    }
}
