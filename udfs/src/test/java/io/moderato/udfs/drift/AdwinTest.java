package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.testing.FlinkPojoState;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdwinTest {

    private static double bernoulli(SplittableRandom random, double p) {
        return random.nextDouble() < p ? 1.0 : 0.0;
    }

    @Test
    void withoutChangeTheWindowShouldHoldEveryValueWithTheirExactMeanAndVariance() {
        Adwin adwin = new Adwin();
        SplittableRandom random = new SplittableRandom(1);
        double sum = 0;
        double sumSquares = 0;
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            double x = bernoulli(random, 0.3);
            sum += x;
            sumSquares += x * x;
            assertThat(adwin.add(x)).isFalse();
        }
        double mean = sum / n;
        assertThat(adwin.width()).isEqualTo(n);
        assertThat(adwin.mean()).isCloseTo(mean, within(1e-12));
        assertThat(adwin.windowVariance()).isCloseTo(sumSquares / n - mean * mean, within(1e-9));
        assertThat(adwin.detections()).isZero();
        assertThat(adwin.lastSignal()).isEmpty();
    }

    @Test
    void bucketsShouldFormAnExponentialHistogramOfTheWindow() {
        Adwin adwin = new Adwin();
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 12_345; i++) {
            adwin.add(random.nextDouble());
            if (i % 1_000 == 0 || i == 12_344) {
                long width = 0;
                double total = 0;
                int stride = adwin.getMaxBuckets() + 1;
                for (int level = 0; level < adwin.getLevels(); level++) {
                    int count = adwin.getBucketCounts()[level];
                    assertThat(count).as("buckets at level %d", level).isBetween(1, adwin.getMaxBuckets());
                    width += (long) count << level;
                    for (int slot = 0; slot < count; slot++) {
                        total += adwin.getBucketTotals()[level * stride + slot];
                    }
                }
                assertThat(width).isEqualTo(adwin.width());
                assertThat(total).isCloseTo(adwin.getTotal(), within(1e-6));
            }
        }
        // O(M log W) memory: 12,345 values in at most 5 buckets on each of ~12 levels.
        assertThat(adwin.getLevels()).isLessThanOrEqualTo(12);
    }

    @Test
    void shouldCutTheWindowToTheNewRegimeAfterAJump() {
        Adwin adwin = new Adwin();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 3_000; i++) {
            adwin.add(bernoulli(random, 0.1));
        }
        long firstDetection = -1;
        for (int i = 0; i < 1_000; i++) {
            if (adwin.add(bernoulli(random, 0.6)) && firstDetection < 0) {
                firstDetection = i;
            }
        }
        assertThat(firstDetection).isBetween(0L, 200L);
        assertThat(adwin.width()).isLessThan(1_500);
        assertThat(adwin.mean()).isCloseTo(0.6, within(0.08));
        assertThat(adwin.getLastMeanAfter()).isGreaterThan(adwin.getLastMeanBefore());
        DriftSignal signal = adwin.lastSignal().orElseThrow();
        assertThat(signal.detector()).isEqualTo("ADWIN");
        assertThat(signal.isAlert()).isTrue();
        assertThat(signal.statistic()).isGreaterThan(signal.threshold());
    }

    @Test
    void shouldOnlyCheckForCutsEveryClockValues() {
        Adwin adwin = new Adwin(0.002, 5, 32, 5);
        SplittableRandom random = new SplittableRandom(4);
        int alarms = 0;
        for (int i = 1; i <= 6_000; i++) {
            double p = (i / 1_000) % 2 == 0 ? 0.1 : 0.7;
            if (adwin.add(bernoulli(random, p))) {
                alarms++;
                assertThat(i % 32).as("alarm at value %d", i).isZero();
            }
        }
        assertThat(alarms).isGreaterThanOrEqualTo(5);
        assertThat(adwin.detections()).isEqualTo(alarms);
    }

    @Test
    void smallerDeltaShouldDetectLater() {
        long defaultDelay = delay(new Adwin());
        long strictDelay = delay(new Adwin(1e-6));
        assertThat(strictDelay).isGreaterThan(defaultDelay);
    }

    private static long delay(Adwin adwin) {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 4_000; i++) {
            adwin.add(bernoulli(random, 0.2));
        }
        for (int i = 1; i <= 4_000; i++) {
            if (adwin.add(bernoulli(random, 0.35))) {
                return i;
            }
        }
        return Long.MAX_VALUE;
    }

    @Test
    void aCopyThroughTheAccessorsShouldResumeExactlyLikeTheOriginal() throws Exception {
        FlinkPojoState.assertPojoWithoutKryo(Adwin.class);
        Adwin original = new Adwin();
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 3_000; i++) {
            original.add(bernoulli(random, 0.1));
        }
        Adwin restored = FlinkPojoState.restored(original);
        for (int i = 0; i < 3_000; i++) {
            double x = bernoulli(random, i < 1_000 ? 0.1 : 0.4);
            assertThat(restored.add(x)).as("value %d", i).isEqualTo(original.add(x));
        }
        assertThat(original.detections()).isPositive();
        assertThat(restored.detections()).isEqualTo(original.detections());
        assertThat(restored.width()).isEqualTo(original.width());
        assertThat(restored.mean()).isEqualTo(original.mean());
        assertThat(restored.getBucketTotals()).containsExactly(original.getBucketTotals());
    }

    @Test
    void resetShouldEmptyTheWindowButKeepTheDetectionCount() {
        Adwin adwin = new Adwin();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            adwin.add(bernoulli(random, i < 1_000 ? 0.0 : 1.0));
        }
        long detections = adwin.detections();
        adwin.reset();
        assertThat(adwin.width()).isZero();
        assertThat(adwin.mean()).isNaN();
        assertThat(adwin.getLevels()).isZero();
        assertThat(adwin.lastSignal()).isEmpty();
        assertThat(adwin.detections()).isEqualTo(detections).isPositive();
        adwin.add(1.0);
        assertThat(adwin.mean()).isEqualTo(1.0);
    }

    @Test
    void invalidInputsShouldBeRejected() {
        assertThatThrownBy(() -> new Adwin().add(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Adwin(0.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Adwin(0.002, 1, 32, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
