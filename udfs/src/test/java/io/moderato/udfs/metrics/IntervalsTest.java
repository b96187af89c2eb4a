package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IntervalsTest {

    @Test
    void clopperPearsonShouldMatchReferenceBetaQuantiles() {
        // Reference: scipy.stats.beta.ppf(0.025, 8, 3) and beta.ppf(0.975, 9, 2) (8 of 10 at 95 %).
        ProportionEstimate e = Intervals.clopperPearson(0.8, 10, 0.95);
        assertThat(e.value()).isEqualTo(0.8);
        assertThat(e.lower()).isCloseTo(0.4439045376923585, within(1e-9));
        assertThat(e.upper()).isCloseTo(0.9747892736731666, within(1e-9));
        assertThat(e.effectiveSampleSize()).isEqualTo(10.0);
        // Real-valued counts, as effective sample sizes give: x = 7.5 of n = 12.3.
        ProportionEstimate fractional = Intervals.clopperPearson(7.5 / 12.3, 12.3, 0.95);
        assertThat(fractional.lower()).isCloseTo(0.30259479964615627, within(1e-9));
        assertThat(fractional.upper()).isCloseTo(0.8632534697504283, within(1e-9));
        // One-sided lower bound: beta.ppf(0.05, 90, 11).
        assertThat(Intervals.clopperPearsonLowerBound(0.9, 100, 0.95)).isCloseTo(0.8362823767241852, within(1e-9));
    }

    @Test
    void clopperPearsonShouldPinTheBoundAtZeroAndOneProportions() {
        ProportionEstimate none = Intervals.clopperPearson(0.0, 20, 0.95);
        assertThat(none.lower()).isEqualTo(0.0);
        assertThat(none.upper()).isCloseTo(0.1684334709830853, within(1e-9)); // 1 − 0.025^(1/20)
        ProportionEstimate all = Intervals.clopperPearson(1.0, 20, 0.95);
        assertThat(all.upper()).isEqualTo(1.0);
        assertThat(all.lower()).isCloseTo(Math.pow(0.025, 1.0 / 20), within(1e-9));
        assertThat(Intervals.clopperPearsonLowerBound(0.0, 20, 0.95)).isEqualTo(0.0);
    }

    @Test
    void clopperPearsonShouldReturnUninformativeIntervalBelowOneEffectiveObservationAndUndefinedWithout() {
        ProportionEstimate tiny = Intervals.clopperPearson(0.3, 0.5, 0.95);
        assertThat(tiny.value()).isEqualTo(0.3);
        assertThat(tiny.lower()).isEqualTo(0.0);
        assertThat(tiny.upper()).isEqualTo(1.0);
        assertThat(Intervals.clopperPearsonLowerBound(0.3, 0.5, 0.95)).isEqualTo(0.0);

        ProportionEstimate empty = Intervals.weightedProportion(0, 0, 0, 0, 0, 0.95);
        assertThat(empty.isDefined()).isFalse();
        assertThat(empty.isWithheld()).isFalse();
        assertThat(empty.lower()).isEqualTo(0.0);
        assertThat(empty.upper()).isEqualTo(1.0);
        assertThat(empty.effectiveSampleSize()).isEqualTo(0.0);
        assertThatThrownBy(() -> Intervals.clopperPearson(0.5, 10, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Intervals.clopperPearson(1.5, 10, 0.95)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unweightedProportionShouldGiveThePlainClopperPearsonIntervalOnTheItemCount() {
        // 30 successes and 70 failures, all weight 1: n_eff must be exactly 100.
        ProportionEstimate e = Intervals.weightedProportion(30, 70, 30, 70, 100, 0.95);
        ProportionEstimate plain = Intervals.clopperPearson(0.3, 100, 0.95);
        assertThat(e.effectiveSampleSize()).isCloseTo(100.0, within(1e-9));
        assertThat(e.lower()).isCloseTo(plain.lower(), within(1e-12));
        assertThat(e.upper()).isCloseTo(plain.upper(), within(1e-12));
    }

    @Test
    void conservativeEffectiveSampleSizeShouldTakeKishWhenAHeavyGroupIsAllOneOutcome() {
        // The case: 18 audited ACTION items of weight 20, all violating, beside 100 routed
        // items (weight 1) of which 70 violate. The linearised n_eff sees no spread in the heavy group
        // and reaches the item-count cap; Kish does not.
        double s = 70 + 18 * 20;
        double f = 30;
        double s2 = 70 + 18 * 400;
        double f2 = 30;
        double linearised = Intervals.linearizedEffectiveSampleSize(s, f, s2, f2, 118);
        double kish = Intervals.kishEffectiveSampleSize(s + f, s2 + f2);
        assertThat(linearised).isGreaterThan(100);
        assertThat(kish).isLessThan(30);
        assertThat(Intervals.conservativeEffectiveSampleSize(s, f, s2, f2, 118)).isEqualTo(kish);
    }

    @Test
    void conservativeEffectiveSampleSizeShouldTakeTheLinearisedOneWhenHeavyWeightsSitOnOneOutcome() {
        // Recall at the review threshold: 750 caught (weight 1), 5 audited misses of weight 50.
        double linearised = Intervals.linearizedEffectiveSampleSize(750, 250, 750, 5 * 2500, 755);
        double kish = Intervals.kishEffectiveSampleSize(1000, 750 + 5 * 2500);
        assertThat(linearised).isLessThan(kish);
        assertThat(Intervals.conservativeEffectiveSampleSize(750, 250, 750, 5 * 2500, 755))
                .isEqualTo(linearised);
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
        double expected = p * (1 - p) * 1000 * 1000 / ((1 - p) * (1 - p) * successes2 + p * p * failures2);
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
        assertThat(Intervals.linearizedEffectiveSampleSize(100, 1, 10_000, 1, 2))
                .isEqualTo(2.0);
        // Sums restored without item counts: no cap rather than a zero n_eff.
        assertThat(Intervals.linearizedEffectiveSampleSize(100, 1, 10_000, 1, 0))
                .isEqualTo(uncapped);
    }

    @Test
    void linearisedEffectiveSampleSizeShouldFallBackToKishWhenAllItemsShareOneOutcome() {
        assertThat(Intervals.linearizedEffectiveSampleSize(0, 60, 0, 1200, 30))
                .isCloseTo(Intervals.kishEffectiveSampleSize(60, 1200), within(1e-12));
    }

    @Test
    void lowerBoundTestShouldAgreeWithTheQuantileEverywhere() {
        for (double n : new double[] {0.5, 1.0, 2.5, 10, 29, 30, 87.3, 500}) {
            for (double p : new double[] {0.0, 0.2, 0.5, 0.9, 0.97, 1.0}) {
                double lower = Intervals.clopperPearsonLowerBound(p, n, 0.95);
                for (double bound : new double[] {0.0, 0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0}) {
                    if (Math.abs(lower - bound) < 1e-9) {
                        continue; // on the boundary the quantile's rounding decides
                    }
                    assertThat(Intervals.clopperPearsonLowerBoundAtLeast(p, n, bound, 0.95))
                            .as("p=%s n=%s bound=%s (lower %s)", p, n, bound, lower)
                            .isEqualTo(lower >= bound);
                }
            }
        }
        assertThat(Intervals.clopperPearsonLowerBoundAtLeast(Double.NaN, 10, 0.5, 0.95))
                .isFalse();
    }

    @Test
    void twoSidedZShouldBeTheNormalQuantile() {
        // Python's statistics.NormalDist().inv_cdf(0.975) and (0.995)
        assertThat(Intervals.twoSidedZ(0.95)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(Intervals.twoSidedZ(0.99)).isCloseTo(2.5758293035489004, within(1e-8));
        assertThatThrownBy(() -> Intervals.twoSidedZ(1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lowerBoundShouldBeOneSided() {
        double oneSided = Intervals.weightedProportionLowerBound(90, 10, 90, 10, 100, 0.95);
        ProportionEstimate twoSided90 = Intervals.weightedProportion(90, 10, 90, 10, 100, 0.90);
        assertThat(oneSided).isCloseTo(twoSided90.lower(), within(1e-12));
        assertThat(oneSided).isCloseTo(0.8362823767241852, within(1e-9));
        assertThat(Intervals.weightedProportionLowerBound(0, 0, 0, 0, 0, 0.95)).isNaN();
    }
}
