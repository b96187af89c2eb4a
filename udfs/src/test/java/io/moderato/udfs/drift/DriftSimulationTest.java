package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Drift detectors on seeded simulated streams: false alarms on stationary streams (100 seeds of
 * 10,000 items, must stay below 5% of seeds) and detection delays after an injected change (items
 * after the change until the first alarm). All figures are printed for docs/statistics.md.
 */
class DriftSimulationTest {

    private static final int SEEDS = 100;
    private static final int ITEMS = 10_000;
    private static final int CHANGE_AT = 5_000;

    /** A named factory of fresh detectors, each seen as "add a value, true on alarm". */
    private record Detector(String name, Supplier<DoublePredicate> factory) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Detector ADWIN = new Detector("ADWIN(δ=0.002)", () -> new Adwin()::add);
    private static final Detector PAGE_HINKLEY = new Detector("Page-Hinkley(increase)", () -> new PageHinkley()::add);
    private static final Detector PAGE_HINKLEY_TWO_SIDED =
            new Detector("Page-Hinkley(two-sided)", () -> PageHinkley.twoSided()::add);

    // ---- label-based detectors on Bernoulli streams ------------------------------------------

    /** Alarms on one Bernoulli stream whose rate is {@code before} until CHANGE_AT, then {@code after}. */
    private static int[] alarms(Detector detector, long seed, double before, double after, int items) {
        SplittableRandom random = new SplittableRandom(seed);
        DoublePredicate d = detector.factory().get();
        int[] found = new int[16];
        int count = 0;
        for (int i = 0; i < items; i++) {
            double rate = i < CHANGE_AT ? before : after;
            if (d.test(random.nextDouble() < rate ? 1.0 : 0.0)) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = i;
            }
        }
        return Arrays.copyOf(found, count);
    }

    private record FalseAlarms(int seedsWithAlarm, int totalAlarms) {}

    private static FalseAlarms falseAlarms(Detector detector, double rate, String stream) {
        int seedsWithAlarm = 0;
        int totalAlarms = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            int[] a = alarms(detector, 10_000L + seed, rate, rate, ITEMS);
            totalAlarms += a.length;
            if (a.length > 0) {
                seedsWithAlarm++;
            }
        }
        System.out.printf(
                "[drift false alarms] %-24s %-22s p=%.2f: %d of %d streams of %,d items alarmed (%d alarms)%n",
                detector, stream, rate, seedsWithAlarm, SEEDS, ITEMS, totalAlarms);
        return new FalseAlarms(seedsWithAlarm, totalAlarms);
    }

    private record Delays(int detected, int falseAlarmsBeforeChange, int median, double mean, int p90, int max) {}

    /**
     * Per seed, the delay is the number of post-change items up to and including the first alarm
     * at or after the change; seeds without one within ITEMS - CHANGE_AT items are "missed".
     */
    private static Delays delays(Detector detector, double before, double after, String stream) {
        int[] delays = new int[SEEDS];
        int detected = 0;
        int early = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            int[] a = alarms(detector, 20_000L + seed, before, after, ITEMS);
            int firstAfter = -1;
            for (int index : a) {
                if (index < CHANGE_AT) {
                    early++;
                } else if (firstAfter < 0) {
                    firstAfter = index;
                }
            }
            if (firstAfter >= 0) {
                delays[detected++] = firstAfter - CHANGE_AT + 1;
            }
        }
        int[] sorted = Arrays.copyOf(delays, detected);
        Arrays.sort(sorted);
        Delays result = detected == 0
                ? new Delays(0, early, -1, Double.NaN, -1, -1)
                : new Delays(
                        detected,
                        early,
                        sorted[detected / 2],
                        Arrays.stream(sorted).average().orElse(Double.NaN),
                        sorted[(int) Math.ceil(0.9 * detected) - 1],
                        sorted[detected - 1]);
        System.out.printf(
                "[drift delay] %-24s %-22s %.2f -> %.2f at item %,d: detected in %d/%d seeds, "
                        + "delay median %d, mean %.0f, p90 %d, max %d items (alarms before the change: %d)%n",
                detector,
                stream,
                before,
                after,
                CHANGE_AT,
                result.detected(),
                SEEDS,
                result.median(),
                result.mean(),
                result.p90(),
                result.max(),
                early);
        return result;
    }

    @Test
    void adwinShouldRarelyAlarmOnStationaryErrorAndPositiveRateStreams() {
        assertThat(falseAlarms(ADWIN, 0.1, "error indicator").seedsWithAlarm()).isLessThan(5);
        assertThat(falseAlarms(ADWIN, 0.3, "positive indicator").seedsWithAlarm())
                .isLessThan(5);
    }

    @Test
    void pageHinkleyShouldRarelyAlarmOnStationaryErrorAndPositiveRateStreams() {
        assertThat(falseAlarms(PAGE_HINKLEY, 0.1, "error indicator").seedsWithAlarm())
                .isLessThan(5);
        assertThat(falseAlarms(PAGE_HINKLEY, 0.3, "positive indicator").seedsWithAlarm())
                .isLessThan(5);
        assertThat(falseAlarms(PAGE_HINKLEY_TWO_SIDED, 0.1, "error indicator").seedsWithAlarm())
                .isLessThan(5);
        assertThat(falseAlarms(PAGE_HINKLEY_TWO_SIDED, 0.3, "positive indicator")
                        .seedsWithAlarm())
                .isLessThan(5);
        // Worst case for a 0/1 stream: the largest variance.
        assertThat(falseAlarms(PAGE_HINKLEY_TWO_SIDED, 0.5, "positive indicator")
                        .seedsWithAlarm())
                .isLessThan(5);
    }

    @Test
    void adwinShouldDetectAnErrorRateJumpWithinAFewHundredItems() {
        Delays jump = delays(ADWIN, 0.1, 0.3, "error indicator");
        assertThat(jump.detected()).isEqualTo(SEEDS);
        assertThat(jump.median()).isLessThan(300);
        assertThat(jump.max()).isLessThan(1_000);
        // Smaller change, slower but still found in most streams.
        Delays small = delays(ADWIN, 0.1, 0.15, "error indicator");
        assertThat(small.detected()).isGreaterThanOrEqualTo(SEEDS / 2);
        assertThat(small.median()).isGreaterThan(jump.median());
    }

    @Test
    void pageHinkleyShouldDetectAnErrorRateJumpWithinAFewHundredItems() {
        Delays jump = delays(PAGE_HINKLEY, 0.1, 0.3, "error indicator");
        assertThat(jump.detected()).isEqualTo(SEEDS);
        assertThat(jump.median()).isLessThan(300);
        assertThat(jump.max()).isLessThan(1_000);
        Delays small = delays(PAGE_HINKLEY, 0.1, 0.15, "error indicator");
        assertThat(small.detected()).isGreaterThanOrEqualTo(SEEDS / 2);
        assertThat(small.median()).isGreaterThan(jump.median());
    }

    @Test
    void adwinAndTwoSidedPageHinkleyShouldDetectAPositiveRateDrop() {
        Delays adwin = delays(ADWIN, 0.3, 0.15, "positive indicator");
        Delays pageHinkley = delays(PAGE_HINKLEY_TWO_SIDED, 0.3, 0.15, "positive indicator");
        assertThat(adwin.detected()).isEqualTo(SEEDS);
        assertThat(pageHinkley.detected()).isEqualTo(SEEDS);
        assertThat(adwin.max()).isLessThan(1_500);
        assertThat(pageHinkley.max()).isLessThan(1_500);
        // The increase-only variant must stay silent on a drop.
        assertThat(delays(PAGE_HINKLEY, 0.3, 0.15, "positive indicator").detected())
                .isLessThan(5);
    }

    // ---- score-distribution drift (PSI, KS) on windows -----------------------------------------

    private static final int BINS = 100;
    private static final int WINDOW = 1_000;
    private static final double LATENT_MEAN = -2.0;
    private static final double LATENT_SD = 1.5;
    /**
     * Shift of the latent score in the windowed test: 0.75 sd gives PSI ≈ 0.5, clearly past 0.2
     * (PSI ≈ 0.24 at 0.5 sd, too close to the threshold for 1,000-item windows to be sure).
     */
    private static final double SHIFT_IN_SD = 0.75;

    private static double score(SplittableRandom random, double shiftInSd) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        double z = Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
        return 1.0 / (1.0 + Math.exp(-(LATENT_MEAN + LATENT_SD * (z + shiftInSd))));
    }

    /** The manifest's reference histogram: a large sample of the model's scores at release time. */
    private static final double[] REFERENCE = histogram(new SplittableRandom(1L), 1_000_000, 0.0);

    private static final double REFERENCE_SIZE = 1_000_000;

    private static double[] histogram(SplittableRandom random, int n, double shiftInSd) {
        double[] counts = new double[BINS];
        for (int i = 0; i < n; i++) {
            counts[WeightedScoreHistogram.binOf(score(random, shiftInSd), BINS)]++;
        }
        return counts;
    }

    /** Indices of the tumbling windows (of {@link #WINDOW} items) that alerted. */
    private static int[] alertedWindows(long seed, double shiftInSd, Function<double[], DriftSignal> check) {
        SplittableRandom random = new SplittableRandom(seed);
        int windows = ITEMS / WINDOW;
        int[] alerted = new int[windows];
        int count = 0;
        for (int w = 0; w < windows; w++) {
            double[] counts = new double[BINS];
            for (int i = 0; i < WINDOW; i++) {
                int item = w * WINDOW + i;
                double shift = item < CHANGE_AT ? 0.0 : shiftInSd;
                counts[WeightedScoreHistogram.binOf(score(random, shift), BINS)]++;
            }
            if (check.apply(counts).isAlert()) {
                alerted[count++] = w;
            }
        }
        return Arrays.copyOf(alerted, count);
    }

    private static void assertScoreDriftDetector(String name, Function<double[], DriftSignal> check) {
        int seedsWithFalseAlarm = 0;
        int falseAlarmWindows = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            int[] alerted = alertedWindows(30_000L + seed, 0.0, check);
            falseAlarmWindows += alerted.length;
            seedsWithFalseAlarm += alerted.length > 0 ? 1 : 0;
        }
        int detected = 0;
        int maxDelay = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            for (int w : alertedWindows(40_000L + seed, SHIFT_IN_SD, check)) {
                if ((w + 1) * WINDOW > CHANGE_AT) {
                    detected++;
                    maxDelay = Math.max(maxDelay, (w + 1) * WINDOW - CHANGE_AT);
                    break;
                }
            }
        }
        System.out.printf(
                "[score drift] %-30s stationary: %d of %d streams of %,d items alarmed (%d of %d windows); "
                        + "latent shift %.2f sd at item %,d: detected in %d/%d, delay ≤ %d items (windows of %,d)%n",
                name,
                seedsWithFalseAlarm,
                SEEDS,
                ITEMS,
                falseAlarmWindows,
                SEEDS * ITEMS / WINDOW,
                SHIFT_IN_SD,
                CHANGE_AT,
                detected,
                SEEDS,
                maxDelay,
                WINDOW);
        assertThat(seedsWithFalseAlarm).as(name + " streams with a false alarm").isLessThan(5);
        assertThat(detected).as(name + " detected shifts").isEqualTo(SEEDS);
        assertThat(maxDelay).as(name + " delay").isLessThanOrEqualTo(WINDOW);
    }

    @Test
    void psiShouldAlertOnAShiftedScoreDistributionAndStayQuietOtherwise() {
        PopulationStabilityIndex psi = new PopulationStabilityIndex();
        assertScoreDriftDetector("PSI(>0.2, 10 groups)", window -> psi.evaluate(REFERENCE, window));
    }

    @Test
    void ksShouldAlertOnAShiftedScoreDistributionAndStayQuietOtherwise() {
        KolmogorovSmirnov ks = new KolmogorovSmirnov();
        assertScoreDriftDetector(
                "KS(alpha=" + KolmogorovSmirnov.DEFAULT_ALPHA + ")",
                window -> ks.evaluate(REFERENCE, window, REFERENCE_SIZE));
    }

    @Test
    void psiShouldBeNearZeroForIdenticalAndAboveThresholdForShiftedLargeSamples() {
        double[] same = histogram(new SplittableRandom(2L), 200_000, 0.0);
        double[] shifted = histogram(new SplittableRandom(3L), 200_000, 0.5);
        PopulationStabilityIndex psi = new PopulationStabilityIndex();
        PopulationStabilityIndex fine = new PopulationStabilityIndex(0.2, PopulationStabilityIndex.DEFAULT_EPSILON, 0);
        System.out.printf(
                "[score drift] 200k items: PSI identical %.5f (100 bins %.5f), shifted 0.5 sd %.3f (100 bins %.3f); "
                        + "KS identical %.4f, shifted %.4f%n",
                psi.statistic(REFERENCE, same),
                fine.statistic(REFERENCE, same),
                psi.statistic(REFERENCE, shifted),
                fine.statistic(REFERENCE, shifted),
                KolmogorovSmirnov.statistic(REFERENCE, same),
                KolmogorovSmirnov.statistic(REFERENCE, shifted));
        assertThat(psi.statistic(REFERENCE, same)).isLessThan(0.01);
        assertThat(fine.statistic(REFERENCE, same)).isLessThan(0.1);
        assertThat(psi.evaluate(REFERENCE, shifted).isAlert()).isTrue();
        assertThat(fine.statistic(REFERENCE, shifted)).isGreaterThan(0.2);
    }
}
