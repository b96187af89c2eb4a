package io.moderato.udfs.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.schemas.WindowedUserRisk;
import io.moderato.udfs.testing.FlinkPojoState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlidingRiskWindowTest {

    private static final long MINUTE = 60_000L;
    private static final long LENGTH = 15 * MINUTE;
    private static final long T = 1_767_225_600_000L + 30 * MINUTE; // on the minute grid

    @Test
    void shouldAggregateMaxMeanAndBorderlineCountAsHandComputed() {
        SlidingRiskWindow w = new SlidingRiskWindow();
        w.add(T - 10 * MINUTE, 0.2, false);
        w.add(T - 5 * MINUTE, 0.9, false);
        w.add(T - 5 * MINUTE + 1, 0.55, true);
        w.add(T, 0.35, true);
        WindowRisk risk = w.aggregate(T);
        assertThat(risk.maxRisk()).isEqualTo(0.9);
        assertThat(risk.meanRisk()).isCloseTo((0.2 + 0.9 + 0.55 + 0.35) / 4, within(1e-12));
        assertThat(risk.borderlineCount()).isEqualTo(2);
        assertThat(risk.itemCount()).isEqualTo(4);
    }

    @Test
    void shouldIncludeTheEndAndExcludeTheStartOfTheWindow() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T - LENGTH, 0.9, false); // exactly t − length: outside (t − length, t]
        w.add(T - LENGTH + 1, 0.4, false); // just inside
        w.add(T, 0.2, false); // exactly t: inside
        w.add(T + 1, 0.7, false); // after t: outside
        WindowRisk risk = w.aggregate(T);
        assertThat(risk.itemCount()).isEqualTo(2);
        assertThat(risk.maxRisk()).isEqualTo(0.4);
        assertThat(risk.meanRisk()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void shouldCountWholeBucketsAtBothEndsOffTheGrid() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T - LENGTH - 40_000, 0.1, false); // bucket (T − 16 min, T − 15 min]: partly inside (t − 15 min, t]
        w.add(T - LENGTH - 60_000, 0.2, false); // bucket (T − 17 min, T − 16 min]: entirely before
        w.add(T - 20_000, 0.3, false);
        w.add(T - 10_000, 0.6, false); // after t, but in t's bucket
        WindowRisk offGrid = w.aggregate(T - 15_000);
        assertThat(offGrid.itemCount()).isEqualTo(3);
        assertThat(offGrid.maxRisk()).isEqualTo(0.6);
        assertThat(w.aggregate(T).itemCount()).isEqualTo(2);
        assertThat(w.bucketEnd(T - 15_000)).isEqualTo(T);
        assertThat(w.bucketEnd(T)).isEqualTo(T);
        assertThat(w.bucketEnd(T + 1)).isEqualTo(T + MINUTE);
    }

    @Test
    void shouldBeEmptyWithZerosBeforeAnyItem() {
        SlidingRiskWindow w = new SlidingRiskWindow();
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.aggregate(T)).isEqualTo(WindowRisk.EMPTY).isEqualTo(new WindowRisk(0, 0, 0, 0));
        assertThat(w.latestBucketEnd()).isEqualTo(Long.MIN_VALUE);
        assertThat(w.emptyAt()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldSlideOldItemsOutOfLaterWindows() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T, 0.8, true);
        w.add(T + 10 * MINUTE, 0.2, false);
        assertThat(w.aggregate(T + 10 * MINUTE).itemCount()).isEqualTo(2);
        assertThat(w.aggregate(T + LENGTH - 1).itemCount()).isEqualTo(2);
        WindowRisk later = w.aggregate(T + LENGTH);
        assertThat(later.itemCount()).isEqualTo(1);
        assertThat(later.maxRisk()).isEqualTo(0.2);
        assertThat(later.borderlineCount()).isZero();
    }

    @Test
    void shouldEvictOnlyBucketsNoLaterWindowCanContain() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T, 0.8, false);
        w.add(T + 5 * MINUTE, 0.4, false);
        w.evictBefore(T + LENGTH - 1);
        assertThat(w.aggregate(T + LENGTH - 1).itemCount()).isEqualTo(2);
        w.evictBefore(T + LENGTH);
        assertThat(w.aggregate(T + 5 * MINUTE).itemCount())
                .as("the bucket ending at t was dropped")
                .isEqualTo(1);
        assertThat(w.isEmpty()).isFalse();
        assertThat(w.latestBucketEnd()).isEqualTo(T + 5 * MINUTE);
    }

    @Test
    void shouldBeEmptyAfterEvictionAtItsEmptyAtTime() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T - 30_000, 0.5, true);
        w.add(T, 0.6, false);
        assertThat(w.latestBucketEnd()).isEqualTo(T);
        assertThat(w.emptyAt()).isEqualTo(T + LENGTH);
        w.evictBefore(w.emptyAt() - 1);
        assertThat(w.isEmpty()).isFalse();
        w.evictBefore(w.emptyAt());
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.latestBucketEnd()).isEqualTo(Long.MIN_VALUE);
        assertThat(w.aggregate(T)).isEqualTo(WindowRisk.EMPTY);
    }

    @Test
    void shouldStayExactForOutOfOrderItemsUpToOneWindowBehind() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T, 0.3, false);
        w.add(T + LENGTH, 0.9, false); // newest
        assertThat(w.add(T + 2 * MINUTE, 0.6, true)).isTrue(); // 13 minutes late
        WindowRisk atLate = w.aggregate(T + 2 * MINUTE);
        assertThat(atLate.itemCount()).isEqualTo(2);
        assertThat(atLate.meanRisk()).isCloseTo(0.45, within(1e-12));
    }

    @Test
    void shouldRefuseAnItemTwoWindowLengthsBehindTheNewest() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T, 0.3, false);
        assertThat(w.add(T - 2 * LENGTH, 0.9, false)).isFalse();
        assertThat(w.add(T - 2 * LENGTH + 1, 0.9, false)).isTrue();
        assertThat(w.aggregate(T).itemCount()).isEqualTo(1);
    }

    @Test
    void shouldMatchABruteForceWindowOnARandomStream() {
        Random random = new Random(99);
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        List<double[]> kept = new ArrayList<>(); // {time, risk, borderline}
        long frontier = T;
        for (int i = 0; i < 5_000; i++) {
            frontier += (long) (random.nextDouble() * 40_000);
            long time = frontier - (long) (random.nextDouble() * 10 * MINUTE); // up to 10 minutes out of order
            double risk = random.nextDouble();
            boolean borderline = risk >= 0.5 && risk < 0.9;
            assertThat(w.add(time, risk, borderline)).isTrue();
            kept.add(new double[] {time, risk, borderline ? 1 : 0});

            // reference: every item whose bucket overlaps (time − length, time]
            long upper = w.bucketEnd(time);
            int count = 0;
            int border = 0;
            double sum = 0;
            double max = 0;
            for (double[] item : kept) {
                long end = w.bucketEnd((long) item[0]);
                if (end > time - LENGTH && end <= upper) {
                    count++;
                    sum += item[1];
                    max = Math.max(max, item[1]);
                    border += (int) item[2];
                }
            }
            WindowRisk got = w.aggregate(time);
            assertThat(got.itemCount()).as("item %d", i).isEqualTo(count);
            assertThat(got.borderlineCount()).isEqualTo(border);
            assertThat(got.maxRisk()).isEqualTo(max);
            assertThat(got.meanRisk()).isCloseTo(sum / count, within(1e-9));
            if (i % 100 == 0) {
                w.evictBefore(frontier - 10 * MINUTE); // as a watermark 10 minutes behind would
            }
        }
    }

    @Test
    void shouldStoreOnlyOccupiedBucketsAndNoneTwoLengthsBehindTheNewest() {
        SlidingRiskWindow w = new SlidingRiskWindow(LENGTH, MINUTE);
        w.add(T + 10, 0.2, false);
        w.add(T + 20, 0.4, false);
        assertThat(w.bucketEnds).hasSize(1);

        // an item every 7 minutes for 3 hours: never more buckets than two window lengths hold
        for (long time = T; time < T + 180 * MINUTE; time += 7 * MINUTE) {
            assertThat(w.add(time, 0.1, false)).isTrue();
            assertThat(w.bucketEnds.length).isLessThanOrEqualTo((int) (2 * LENGTH / MINUTE));
            assertThat(w.bucketEnds).isSorted();
            assertThat(w.bucketEnds[0]).isGreaterThan(w.latestBucketEnd() - 2 * LENGTH);
        }
        assertThat(w.counts).containsOnly(1);
        // items at 0, 7, ..., 175 min: two lengths (30 min) behind 175 keeps 175, 168, 161, 154 and 147
        assertThat(w.bucketEnds).hasSize(5);
    }

    @Test
    void shouldConvertToTheWireRecord() {
        assertThat(new WindowRisk(0.9, 0.5, 2, 4).toAvro()).isEqualTo(new WindowedUserRisk(0.9, 0.5, 2, 4));
    }

    @Test
    void shouldRefuseALengthThatIsNotAPositiveMultipleOfTheSlide() {
        assertThatThrownBy(() -> new SlidingRiskWindow(LENGTH + 1, MINUTE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingRiskWindow(LENGTH, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingRiskWindow(1_000_000L * MINUTE, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingRiskWindow().add(T, Double.NaN, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBeAFlinkPojoWithoutCollections() throws Exception {
        FlinkPojoState.assertPojoWithoutKryoOrCollections(SlidingRiskWindow.class);
    }
}
