package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IntervalsTest {

    @Test
    void normalQuantileShouldMatchReferenceValuesInAllThreeRegions() {
        // Reference values from Python's statistics.NormalDist().inv_cdf (Wichura's AS 241, ~1e-16).
        assertThat(Intervals.normalQuantile(0.5)).isCloseTo(0.0, within(1e-12));
        assertThat(Intervals.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(Intervals.normalQuantile(0.95)).isCloseTo(1.6448536269514722, within(1e-8));
        assertThat(Intervals.normalQuantile(0.995)).isCloseTo(2.5758293035489004, within(1e-8));
        assertThat(Intervals.normalQuantile(0.999)).isCloseTo(3.090232306167813, within(1e-8));
        assertThat(Intervals.normalQuantile(0.01)).isCloseTo(-2.3263478740408408, within(1e-8));
        assertThat(Intervals.normalQuantile(0.02425)).isCloseTo(-1.9729610513118845, within(1e-8));
        assertThat(Intervals.normalQuantile(0.1)).isCloseTo(-1.2815515655446004, within(1e-8));
        assertThat(Intervals.normalQuantile(1e-6)).isCloseTo(-4.753424308822899, within(1e-8));
        assertThat(Intervals.normalQuantile(0.3)).isCloseTo(-0.5244005127080407, within(1e-8));
        assertThat(Intervals.normalQuantile(1e-12)).isCloseTo(-7.034483825301132, within(1e-7));
    }

    @Test
    void normalQuantileShouldBeAntisymmetricAndMonotoneAcrossRegionBoundaries() {
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < 100_000; i++) {
            double p = i / 100_000.0;
            double z = Intervals.normalQuantile(p);
            assertThat(z).isGreaterThan(previous);
            // Not exact: 1 - p is rounded when p < 0.5 and may land in the other region, whose
            // approximation differs by up to ~4e-9 (2 x Acklam relative error 1.15e-9 x abs(z)).
            assertThat(z).isCloseTo(-Intervals.normalQuantile(1.0 - p), within(1e-8));
            previous = z;
        }
    }

    @Test
    void normalQuantileShouldMapTheEndpointsToInfinityAndRejectOutOfRange() {
        assertThat(Intervals.normalQuantile(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Intervals.normalQuantile(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> Intervals.normalQuantile(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Intervals.normalQuantile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Intervals.twoSidedZ(1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zShouldBeOneOrTwoSidedAsNamed() {
        assertThat(Intervals.twoSidedZ(0.95)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(Intervals.oneSidedZ(0.95)).isCloseTo(1.6448536269514722, within(1e-8));
    }

    @Test
    void wilsonShouldMatchTheTextbookInterval() {
        // 8 successes out of 10 at 95%: Wilson interval [0.4902, 0.9433] (Newcombe 1998, Table I style).
        Estimate e = Intervals.wilson(0.8, 10, Intervals.twoSidedZ(0.95));
        assertThat(e.value()).isEqualTo(0.8);
        assertThat(e.lower()).isCloseTo(0.4901625, within(1e-6));
        assertThat(e.upper()).isCloseTo(0.9433178, within(1e-6));
    }

    @Test
    void wilsonShouldPinTheBoundAtZeroAndOneProportions() {
        double z = Intervals.twoSidedZ(0.95);
        Estimate none = Intervals.wilson(0.0, 20, z);
        assertThat(none.lower()).isEqualTo(0.0);
        assertThat(none.upper()).isCloseTo(z * z / (20 + z * z), within(1e-12));
        Estimate all = Intervals.wilson(1.0, 20, z);
        assertThat(all.upper()).isEqualTo(1.0);
        assertThat(all.lower()).isCloseTo(20 / (20 + z * z), within(1e-12));
    }

    @Test
    void wilsonShouldReturnUninformativeIntervalBelowOneEffectiveObservationAndUndefinedWithout() {
        Estimate tiny = Intervals.wilson(0.3, 0.5, 1.96);
        assertThat(tiny.value()).isEqualTo(0.3);
        assertThat(tiny.lower()).isEqualTo(0.0);
        assertThat(tiny.upper()).isEqualTo(1.0);

        Estimate empty = Intervals.weightedProportion(0, 0, 0, 0, 0, 0.95);
        assertThat(empty.isDefined()).isFalse();
        assertThat(empty.lower()).isEqualTo(0.0);
        assertThat(empty.upper()).isEqualTo(1.0);
        assertThat(empty.effectiveSampleSize()).isEqualTo(0.0);
    }

    @Test
    void unweightedProportionShouldGiveThePlainWilsonIntervalOnTheItemCount() {
        // 30 successes and 70 failures, all weight 1: n_eff must be exactly 100.
        Estimate e = Intervals.weightedProportion(30, 70, 30, 70, 100, 0.95);
        Estimate plain = Intervals.wilson(0.3, 100, Intervals.twoSidedZ(0.95));
        assertThat(e.effectiveSampleSize()).isCloseTo(100.0, within(1e-9));
        assertThat(e.lower()).isCloseTo(plain.lower(), within(1e-12));
        assertThat(e.upper()).isCloseTo(plain.upper(), within(1e-12));
    }

    @Test
    void uniformWeightsShouldGiveTheItemCountAsEffectiveSampleSize() {
        // 10 items of weight 50, 3 successes: same information as 10 unweighted items.
        double nEff = Intervals.linearizedEffectiveSampleSize(150, 350, 3 * 2500, 7 * 2500, 10);
        assertThat(nEff).isCloseTo(10.0, within(1e-9));
        assertThat(Intervals.kishEffectiveSampleSize(500, 10 * 2500)).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void linearisedEffectiveSampleSizeShouldShrinkWhenHeavyWeightsSitOnOneOutcome() {
        // 750 successes of weight 1, 5 failures of weight 50 (recall with audit-sampled misses).
        double successes = 750;
        double failures = 250;
        double successes2 = 750;
        double failures2 = 5 * 2500;
        double p = successes / (successes + failures);
        double expected = p * (1 - p) * 1000 * 1000
                / ((1 - p) * (1 - p) * successes2 + p * p * failures2);
        double linearised = Intervals.linearizedEffectiveSampleSize(successes, failures, successes2, failures2, 755);
        double kish = Intervals.kishEffectiveSampleSize(1000, successes2 + failures2);

        assertThat(linearised).isCloseTo(expected, within(1e-9));
        assertThat(linearised).isLessThan(kish / 2);
    }

    @Test
    void linearisedEffectiveSampleSizeShouldBeCappedAtTheItemCount() {
        // One success of weight 100 and one failure of weight 1: the sandwich variance from two
        // items is meaninglessly small; the cap keeps n_eff at 2.
        double uncapped = Intervals.linearizedEffectiveSampleSize(100, 1, 10_000, 1, Long.MAX_VALUE);
        assertThat(uncapped).isGreaterThan(50);
        assertThat(Intervals.linearizedEffectiveSampleSize(100, 1, 10_000, 1, 2)).isEqualTo(2.0);
        // Sums restored without item counts: no cap rather than a zero n_eff.
        assertThat(Intervals.linearizedEffectiveSampleSize(100, 1, 10_000, 1, 0)).isEqualTo(uncapped);
    }

    @Test
    void linearisedEffectiveSampleSizeShouldFallBackToKishWhenAllItemsShareOneOutcome() {
        assertThat(Intervals.linearizedEffectiveSampleSize(0, 60, 0, 1200, 30))
                .isCloseTo(Intervals.kishEffectiveSampleSize(60, 1200), within(1e-12));
    }

    @Test
    void lowerBoundShouldBeOneSided() {
        double oneSided = Intervals.weightedProportionLowerBound(90, 10, 90, 10, 100, 0.95);
        Estimate twoSided90 = Intervals.weightedProportion(90, 10, 90, 10, 100, 0.90);
        assertThat(oneSided).isCloseTo(twoSided90.lower(), within(1e-12));
        assertThat(Intervals.weightedProportionLowerBound(0, 0, 0, 0, 0, 0.95)).isNaN();
    }
}
