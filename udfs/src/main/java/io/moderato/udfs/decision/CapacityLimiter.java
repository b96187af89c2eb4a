package io.moderato.udfs.decision;

/**
 * Per-queue soft capacity for review tasks: admits every task while the queue's load is within its
 * capacity and, above it, admits each task with a known probability that favours higher priority,
 * so that on average about {@code capacityPerMinute} tasks per event-time minute get through.
 *
 * <p>Load: {@code L = max(EWMA of the arrivals of completed minutes, arrivals so far in the current
 * minute including this one)}; the EWMA reacts to a falling load, the current count to a sudden
 * burst. Admission probability: {@code p = 1} while {@code L ≤ capacity}, else
 * {@code p = clamp(capacity / L × priority / meanPriority, P_MIN, 1)} where meanPriority is the EWMA
 * of completed minutes' mean arrival priority (the current minute's mean until one minute has
 * completed). Since the p of the arrivals of a minute average about capacity / L, about capacity
 * are admitted; the task is admitted iff {@code uniformDraw < p}.
 *
 * <p>Why no hard cap: with "the first N per minute" or "the top N by priority" whether a task is
 * reviewed depends on what else arrived, so its propensity is unknown and labels from review cannot
 * be reweighted without bias. Here p is fixed before the draw and recorded, every task keeps
 * p ≥ {@value #P_MIN}, and Σ 1/p over admitted tasks is an unbiased estimate of the arrivals. The
 * price is that a minute may exceed capacity by chance (by about √capacity).
 *
 * <p>The draw must be independent of every other sampling decision about the task (use its own
 * salt in {@link DeterministicSampler}). The limiter's clock only moves forward: an arrival with
 * an event time before the current minute counts towards the current minute.
 *
 * <p>A Flink POJO (public no-arg constructor, public mutable primitive fields, no collections), so
 * it can live in keyed state per queue and evolve.
 */
public final class CapacityLimiter {

    /** Smallest admission probability: no task has zero propensity, and 1/p stays ≤ 100. */
    public static final double P_MIN = 0.01;
    /** EWMA weight of the newest completed minute (half-life of one minute). */
    public static final double ALPHA = 0.5;

    public static final long MINUTE_MILLIS = 60_000L;

    /** Current event-time minute (epoch minute), {@code Long.MIN_VALUE} before the first arrival. */
    public long minute = Long.MIN_VALUE;
    /** Arrivals (admitted or not) so far in the current minute. */
    public int arrivals;
    /** Admitted tasks so far in the current minute (for metrics). */
    public int admitted;
    /** Sum of the priorities of this minute's arrivals. */
    public double prioritySum;
    /** EWMA of completed minutes' arrivals; meaningful once {@link #warm}. */
    public double ewmaArrivals;
    /** EWMA of completed minutes' mean arrival priority; meaningful once {@link #warm}. */
    public double ewmaMeanPriority;
    /** True once at least one minute has completed. */
    public boolean warm;

    public CapacityLimiter() {}

    /**
     * Admission probability for a review task of this priority on this queue at event time t, and
     * the draw: admitted iff {@code uniformDraw < p}. Updates the load statistics with this arrival.
     *
     * @param priority          the task's {@link ReviewPriority} (NaN or negative count as 0)
     * @param uniformDraw       a uniform draw in [0, 1) independent of the task's other draws
     * @param capacityPerMinute the queue's soft capacity, ≥ 1
     */
    public Admission admit(long eventTimeMillis, double priority, double uniformDraw, int capacityPerMinute) {
        if (capacityPerMinute < 1) {
            throw new IllegalArgumentException("capacityPerMinute = " + capacityPerMinute + " must be >= 1");
        }
        double pr = Double.isNaN(priority) ? 0.0 : Math.max(0.0, priority);
        advanceTo(Math.floorDiv(eventTimeMillis, MINUTE_MILLIS));
        arrivals++;
        prioritySum += pr;

        double p = probability(pr, capacityPerMinute);
        boolean in = uniformDraw < p;
        if (in) {
            admitted++;
        }
        return new Admission(in, p);
    }

    /** Expected load L of the current minute (see the class doc); 0 before the first arrival. */
    public double expectedLoad() {
        return Math.max(warm ? ewmaArrivals : 0.0, arrivals);
    }

    /**
     * The expected load L at event time t without recording an arrival: the current minute's L
     * when t falls in it (or before it: the clock only moves forward), else the EWMA after closing
     * the current minute and decaying through the empty minutes up to t's — what {@link #admit}
     * would see before counting its own arrival. 0 before the first arrival.
     */
    public double expectedLoadAt(long eventTimeMillis) {
        long eventMinute = Math.floorDiv(eventTimeMillis, MINUTE_MILLIS);
        if (minute == Long.MIN_VALUE) {
            return 0.0;
        }
        if (eventMinute <= minute) {
            return expectedLoad();
        }
        return closedEwma() * decay(eventMinute - minute - 1);
    }

    /** The arrivals EWMA once the current minute is closed. */
    private double closedEwma() {
        return warm ? ALPHA * arrivals + (1 - ALPHA) * ewmaArrivals : arrivals;
    }

    /** (1 − α)^k for k empty minutes; underflows to 0 for long gaps, which is the right limit. */
    private static double decay(long emptyMinutes) {
        return emptyMinutes > 0 ? Math.pow(1 - ALPHA, Math.min(emptyMinutes, 10_000L)) : 1.0;
    }

    private double probability(double priority, int capacity) {
        double load = expectedLoad();
        if (load <= capacity) {
            return 1.0;
        }
        double mean = warm ? ewmaMeanPriority : prioritySum / arrivals;
        // all-zero priorities: nothing to favour, shed uniformly
        double relative = mean > 0.0 ? priority / mean : 1.0;
        double p = capacity / load * relative;
        return Math.max(P_MIN, Math.min(1.0, p));
    }

    private void advanceTo(long eventMinute) {
        if (minute == Long.MIN_VALUE) {
            minute = eventMinute;
            return;
        }
        if (eventMinute <= minute) {
            return;
        }
        // close the current minute, then decay through the empty minutes in between
        double meanPriority = arrivals > 0 ? prioritySum / arrivals : 0.0;
        if (warm) {
            if (arrivals > 0) {
                ewmaMeanPriority = ALPHA * meanPriority + (1 - ALPHA) * ewmaMeanPriority;
            }
        } else {
            ewmaMeanPriority = meanPriority;
        }
        ewmaArrivals = closedEwma() * decay(eventMinute - minute - 1);
        warm = true;
        minute = eventMinute;
        arrivals = 0;
        admitted = 0;
        prioritySum = 0.0;
    }
}
