package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.testing.FlinkPojoState;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageHinkleyTest {

    @Test
    void increaseStatisticShouldEqualTheClassicCumulativeSumMinusItsMinimum() {
        // Brute force of the textbook form: m_t = Σ_{s ≤ t} (x_s − x̄_s − δ), PH_t = m_t − min_{s ≤ t} m_s.
        double delta = 0.01;
        PageHinkley ph = new PageHinkley(delta, 1e9, 1.0, 1, false);
        SplittableRandom random = new SplittableRandom(1);
        double sum = 0;
        double m = 0;
        double min = 0;
        for (int t = 1; t <= 2_000; t++) {
            double x = random.nextDouble() < (t < 1_000 ? 0.2 : 0.3) ? 1.0 : 0.0;
            sum += x;
            m += x - sum / t - delta;
            min = Math.min(min, m);
            ph.add(x);
            assertThat(ph.statistic()).as("t=%d", t).isCloseTo(m - min, within(1e-9));
        }
        assertThat(ph.mean()).isCloseTo(sum / 2_000, within(1e-12));
    }

    @Test
    void shouldNotAlarmBeforeMinInstances() {
        PageHinkley ph = new PageHinkley(0.0, 0.5, 1.0, 30, false);
        int firstAlarm = -1;
        for (int i = 0; i < 100 && firstAlarm < 0; i++) {
            if (ph.add(i < 10 ? 0.0 : 1.0)) {
                firstAlarm = i;
            }
        }
        // Without the guard the jump at value 10 would alarm immediately.
        assertThat(firstAlarm).isEqualTo(29);
    }

    @Test
    void increaseOnlyDetectorShouldIgnoreDecreasesAndTwoSidedShouldReportThem() {
        PageHinkley increaseOnly = new PageHinkley();
        PageHinkley twoSided = PageHinkley.twoSided();
        SplittableRandom random = new SplittableRandom(2);
        boolean increaseOnlyAlarmed = false;
        boolean twoSidedAlarmed = false;
        for (int i = 0; i < 6_000; i++) {
            double x = random.nextDouble() < (i < 3_000 ? 0.4 : 0.1) ? 1.0 : 0.0;
            increaseOnlyAlarmed |= increaseOnly.add(x);
            twoSidedAlarmed |= twoSided.add(x);
        }
        assertThat(increaseOnlyAlarmed).isFalse();
        assertThat(twoSidedAlarmed).isTrue();
        assertThat(twoSided.lastWasIncrease()).isFalse();
    }

    @Test
    void alarmShouldRestartTheTestAndProduceASignalAgainstLambda() {
        PageHinkley ph = new PageHinkley();
        SplittableRandom random = new SplittableRandom(3);
        boolean alarmed = false;
        for (int i = 0; i < 4_000 && !alarmed; i++) {
            alarmed = ph.add(random.nextDouble() < (i < 2_000 ? 0.1 : 0.5) ? 1.0 : 0.0);
        }
        assertThat(alarmed).isTrue();
        assertThat(ph.getCount()).isZero();
        assertThat(ph.statistic()).isZero();
        assertThat(ph.lastWasIncrease()).isTrue();
        DriftSignal signal = ph.lastSignal().orElseThrow();
        assertThat(signal.detector()).isEqualTo("PAGE_HINKLEY");
        assertThat(signal.threshold()).isEqualTo(PageHinkley.DEFAULT_LAMBDA);
        assertThat(signal.isAlert()).isTrue();
    }

    @Test
    void forgettingShouldKeepTheStatisticSmallerThanWithoutIt() {
        PageHinkley remembering = new PageHinkley(0.0, 1e9, 1.0, 1, false);
        PageHinkley forgetting = new PageHinkley(0.0, 1e9, 0.99, 1, false);
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 3_000; i++) {
            double x = random.nextDouble() < (i < 1_000 ? 0.1 : 0.3) ? 1.0 : 0.0;
            remembering.add(x);
            forgetting.add(x);
        }
        assertThat(forgetting.statistic()).isLessThan(remembering.statistic());
        // With α = 0.99 the sum of increments bounded by 1 can never exceed 1/(1 − α) = 100.
        assertThat(forgetting.statistic()).isLessThanOrEqualTo(100.0);
    }

    @Test
    void aCopyThroughTheAccessorsShouldResumeExactlyLikeTheOriginal() throws Exception {
        FlinkPojoState.assertPojoWithoutKryo(PageHinkley.class);
        PageHinkley original = PageHinkley.twoSided();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 2_000; i++) {
            original.add(random.nextDouble() < 0.1 ? 1.0 : 0.0);
        }
        PageHinkley restored = FlinkPojoState.restored(original);
        for (int i = 0; i < 3_000; i++) {
            double x = random.nextDouble() < (i < 500 ? 0.1 : 0.5) ? 1.0 : 0.0;
            assertThat(restored.add(x)).isEqualTo(original.add(x));
        }
        assertThat(original.detections()).isPositive();
        assertThat(restored.detections()).isEqualTo(original.detections());
        assertThat(restored.statistic()).isEqualTo(original.statistic());
    }

    @Test
    void invalidInputsShouldBeRejected() {
        assertThatThrownBy(() -> new PageHinkley().add(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PageHinkley(0.01, 0.0, 1.0, 30, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PageHinkley(0.01, 50, 1.5, 30, false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
