package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.testing.FlinkPojoState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CapacityLimiterTest {

    private static final long MINUTE = CapacityLimiter.MINUTE_MILLIS;
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z, a minute boundary

    private record Task(long time, double priority, double draw) {}

    private record Outcome(Task task, Admission admission) {}

    /** A seeded stream of review tasks: {@code perMinute[m]} arrivals at random times within minute m. */
    private static List<Task> traffic(long seed, int[] perMinute) {
        Random random = new Random(seed);
        DeterministicSampler sampler = new DeterministicSampler(seed);
        List<Task> tasks = new ArrayList<>();
        int id = 0;
        for (int m = 0; m < perMinute.length; m++) {
            long[] times = new long[perMinute[m]];
            for (int i = 0; i < times.length; i++) {
                times[i] = T0 + m * MINUTE + (long) (random.nextDouble() * MINUTE);
            }
            Arrays.sort(times);
            for (long t : times) {
                double severity = 1 + random.nextInt(5);
                long reach = (long) Math.exp(5 + 2 * random.nextGaussian());
                double risk = 0.3 + 0.7 * random.nextDouble();
                String contentId = "c-" + id++;
                tasks.add(new Task(
                        t, ReviewPriority.priority(severity, reach, risk), sampler.uniform(contentId, "capacity:q")));
            }
        }
        return tasks;
    }

    private static List<Outcome> run(CapacityLimiter limiter, List<Task> tasks, int capacity) {
        List<Outcome> out = new ArrayList<>();
        for (Task t : tasks) {
            out.add(new Outcome(t, limiter.admit(t.time, t.priority, t.draw, capacity)));
        }
        return out;
    }

    private static int[] constant(int minutes, int perMinute) {
        int[] counts = new int[minutes];
        Arrays.fill(counts, perMinute);
        return counts;
    }

    @Test
    void shouldAdmitEverythingWithProbabilityOneBelowCapacity() {
        List<Outcome> outcomes = run(new CapacityLimiter(), traffic(1, constant(30, 80)), 100);
        assertThat(outcomes).hasSize(30 * 80).allSatisfy(o -> {
            assertThat(o.admission().probability()).isEqualTo(1.0);
            assertThat(o.admission().admitted()).isTrue();
        });
    }

    @Test
    void shouldAdmitAboutCapacityPerMinuteAtTenfoldOverload() {
        int capacity = 50;
        int minutes = 60;
        Random random = new Random(7);
        int[] perMinute = new int[minutes];
        for (int m = 0; m < minutes; m++) {
            perMinute[m] = 450 + random.nextInt(101); // ~10× capacity, varying
        }
        List<Outcome> outcomes = run(new CapacityLimiter(), traffic(2, perMinute), capacity);

        int[] admittedPerMinute = new int[minutes];
        for (Outcome o : outcomes) {
            if (o.admission().admitted()) {
                admittedPerMinute[(int) ((o.task().time() - T0) / MINUTE)]++;
            }
        }
        // the first minute has no history: it admits freely until its own count exceeds capacity
        double steadyMean =
                Arrays.stream(admittedPerMinute, 1, minutes).average().orElseThrow();
        assertThat(steadyMean).isCloseTo(capacity, within(0.10 * capacity));
        // a soft cap: single minutes vary (about ±√capacity and with the priority mix) but stay well below 2×
        assertThat(Arrays.stream(admittedPerMinute, 1, minutes).max().orElseThrow())
                .isLessThan(2 * capacity);
        assertThat(Arrays.stream(admittedPerMinute, 1, minutes).min().orElseThrow())
                .isGreaterThan(capacity / 3);
        // first minute: all of the first `capacity`, then capacity / k for the k-th: about capacity × (1 + ln 10)
        assertThat(admittedPerMinute[0]).isBetween(2 * capacity, 4 * capacity);
    }

    @Test
    void shouldKeepTheInversePropensityEstimateOfArrivalsUnbiased() {
        int capacity = 50;
        // two hours, so that the 1/p = 100 floor tasks leave a standard error of ~1.6 % (5 % ≈ 3σ)
        List<Task> tasks = traffic(3, constant(120, 500));
        List<Outcome> outcomes = run(new CapacityLimiter(), tasks, capacity);
        double ipw = outcomes.stream()
                .filter(o -> o.admission().admitted())
                .mapToDouble(o -> 1.0 / o.admission().probability())
                .sum();
        assertThat(ipw).isCloseTo(tasks.size(), within(0.05 * tasks.size()));
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.admission().probability()).isBetween(CapacityLimiter.P_MIN, 1.0));
    }

    @Test
    void shouldAdmitHigherPriorityTasksMoreOften() {
        List<Outcome> outcomes = run(new CapacityLimiter(), traffic(4, constant(30, 500)), 50);
        double[] priorities =
                outcomes.stream().mapToDouble(o -> o.task().priority()).sorted().toArray();
        double lowerQuartile = priorities[priorities.length / 4];
        double upperQuartile = priorities[3 * priorities.length / 4];
        double lowRate = outcomes.stream()
                .filter(o -> o.task().priority() <= lowerQuartile)
                .mapToDouble(o -> o.admission().admitted() ? 1 : 0)
                .average()
                .orElseThrow();
        double highRate = outcomes.stream()
                .filter(o -> o.task().priority() >= upperQuartile)
                .mapToDouble(o -> o.admission().admitted() ? 1 : 0)
                .average()
                .orElseThrow();
        assertThat(highRate).isGreaterThan(3 * lowRate);
        assertThat(lowRate).as("no task class is starved").isPositive();
    }

    @Test
    void expectedLoadAtShouldBeWhatAdmitSeesBeforeCountingItsArrival() {
        CapacityLimiter limiter = new CapacityLimiter();
        assertThat(limiter.expectedLoadAt(T0)).isZero();
        for (int i = 0; i < 40; i++) {
            limiter.admit(T0 + i, 1.0, 0.0, 1_000);
        }
        assertThat(limiter.expectedLoadAt(T0 + 50)).isEqualTo(40.0); // same minute: the running count
        assertThat(limiter.expectedLoadAt(T0 + MINUTE)).isEqualTo(40.0); // next minute: the closed minute
        assertThat(limiter.expectedLoadAt(T0 + 3 * MINUTE)).isEqualTo(10.0); // two empty minutes: × 0.5²
        // it does not move the clock: admitting in the next minute sees the same load plus itself
        CapacityLimiter copy = new CapacityLimiter();
        for (int i = 0; i < 40; i++) {
            copy.admit(T0 + i, 1.0, 0.0, 1_000);
        }
        limiter.expectedLoadAt(T0 + 3 * MINUTE);
        copy.admit(T0 + 3 * MINUTE, 1.0, 0.0, 1_000);
        limiter.admit(T0 + 3 * MINUTE, 1.0, 0.0, 1_000);
        assertThat(limiter.ewmaArrivals).isEqualTo(copy.ewmaArrivals);
        assertThat(limiter.expectedLoad()).isEqualTo(copy.expectedLoad()).isEqualTo(10.0);
    }

    @Test
    void shouldDownsampleWithinTheFirstMinuteOnceItsOwnCountExceedsCapacity() {
        CapacityLimiter limiter = new CapacityLimiter();
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.admit(T0 + i, 1.0, 0.999, 10).probability()).isEqualTo(1.0);
        }
        Admission eleventh = limiter.admit(T0 + 10, 1.0, 0.999, 10);
        assertThat(eleventh.probability()).isCloseTo(10.0 / 11.0, within(1e-12));
        assertThat(eleventh.admitted()).isFalse();
    }

    @Test
    void shouldUseTheEwmaOfCompletedMinutesAsLoadFromTheStartOfANewMinute() {
        CapacityLimiter limiter = new CapacityLimiter();
        for (int i = 0; i < 200; i++) {
            limiter.admit(T0 + i, 1.0, 0.0, 20);
        }
        // first arrival of the next minute already sees a load of 200 and equal priorities
        assertThat(limiter.admit(T0 + MINUTE, 1.0, 0.0, 20).probability()).isCloseTo(0.1, within(1e-12));
        assertThat(limiter.expectedLoad()).isEqualTo(200.0);
    }

    @Test
    void shouldRecoverAfterTheLoadDrops() {
        CapacityLimiter limiter = new CapacityLimiter();
        for (int i = 0; i < 1_000; i++) {
            limiter.admit(T0 + i, 1.0, 0.0, 10);
        }
        // ten idle minutes decay the EWMA by 2^-10: 1000 → ~1
        assertThat(limiter.admit(T0 + 11 * MINUTE, 1.0, 0.5, 10).probability()).isEqualTo(1.0);
    }

    @Test
    void shouldShedUniformlyWhenAllPrioritiesAreZeroAndNeverBelowTheFloor() {
        CapacityLimiter limiter = new CapacityLimiter();
        for (int i = 0; i < 400; i++) {
            limiter.admit(T0 + i, 0.0, 0.0, 40);
        }
        assertThat(limiter.admit(T0 + MINUTE, 0.0, 0.0, 40).probability()).isCloseTo(0.1, within(1e-12));

        CapacityLimiter mixed = new CapacityLimiter();
        for (int i = 0; i < 400; i++) {
            mixed.admit(T0 + i, 5.0, 0.0, 40);
        }
        assertThat(mixed.admit(T0 + MINUTE, 0.0, 0.0, 40).probability()).isEqualTo(CapacityLimiter.P_MIN);
        assertThat(mixed.admit(T0 + MINUTE + 1, Double.NaN, 0.0, 40).probability())
                .isEqualTo(CapacityLimiter.P_MIN);
    }

    @Test
    void shouldCountAnOutOfOrderArrivalInTheCurrentMinute() {
        CapacityLimiter limiter = new CapacityLimiter();
        limiter.admit(T0 + 2 * MINUTE, 1.0, 0.0, 5);
        limiter.admit(T0 + MINUTE, 1.0, 0.0, 5);
        assertThat(limiter.minute).isEqualTo(Math.floorDiv(T0, MINUTE) + 2);
        assertThat(limiter.arrivals).isEqualTo(2);
        assertThat(limiter.warm).isFalse();
    }

    @Test
    void shouldDecideIdenticallyOnReplay() {
        List<Task> tasks = traffic(5, constant(10, 300));
        assertThat(run(new CapacityLimiter(), tasks, 30)).isEqualTo(run(new CapacityLimiter(), tasks, 30));
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new CapacityLimiter().admit(T0, 1.0, 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBeAFlinkPojoWithoutCollections() throws Exception {
        FlinkPojoState.assertPojoWithoutKryoOrCollections(CapacityLimiter.class);
    }
}
