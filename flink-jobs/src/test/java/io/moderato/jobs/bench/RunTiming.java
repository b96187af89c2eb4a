package io.moderato.jobs.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one benchmark job run observed, per content item: when the source emitted it
 * ({@link System#nanoTime()}, read by the source reader right before it hands the record to the
 * chained decoder) and when its decision reached the decision sink, plus how long the decision
 * took from {@code RiskDecision.decidedAtMillis} to the sink. Kept JVM-wide under an id (the
 * MiniCluster runs in this JVM), so sources and sinks stay serializable. Thread-safe.
 */
final class RunTiming {

    private static final Map<String, RunTiming> RUNS = new ConcurrentHashMap<>();

    final String id = java.util.UUID.randomUUID().toString();
    final int items;
    final AtomicLongArray emittedNanos;
    final AtomicLongArray arrivedNanos;
    /** Wall-clock ms from the decider's processing time to the sink (the routing and sink hop). */
    final AtomicLongArray decideToSinkMillis;

    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    final AtomicLong reviewRouted = new AtomicLong();
    final AtomicLong sinkFlushes = new AtomicLong();

    private RunTiming(int items) {
        this.items = items;
        this.emittedNanos = new AtomicLongArray(items);
        this.arrivedNanos = new AtomicLongArray(items);
        this.decideToSinkMillis = new AtomicLongArray(items);
    }

    static RunTiming create(int items) {
        RunTiming timing = new RunTiming(items);
        RUNS.put(timing.id, timing);
        return timing;
    }

    static RunTiming get(String id) {
        RunTiming timing = RUNS.get(id);
        if (timing == null) {
            throw new IllegalStateException(
                    "no run '" + id + "' in this JVM: the benchmark needs an in-process MiniCluster");
        }
        return timing;
    }

    void release() {
        RUNS.remove(id);
    }

    void emitted(int item, long nanos) {
        emittedNanos.set(item, nanos);
    }

    /** Records the arrival of item's decision; a second arrival counts as a duplicate. */
    void arrived(int item, long nanos, long decideToSink) {
        if (item < 0 || item >= items) {
            unknown.incrementAndGet();
            return;
        }
        if (!arrivedNanos.compareAndSet(item, 0L, nanos)) {
            duplicates.incrementAndGet();
            return;
        }
        decideToSinkMillis.set(item, decideToSink);
    }

    int arrivedCount() {
        int n = 0;
        for (int i = 0; i < items; i++) {
            if (arrivedNanos.get(i) != 0L) {
                n++;
            }
        }
        return n;
    }

    /** Arrival times of all decided items, ascending. */
    long[] sortedArrivals() {
        long[] out = new long[items];
        int n = 0;
        for (int i = 0; i < items; i++) {
            long a = arrivedNanos.get(i);
            if (a != 0L) {
                out[n++] = a;
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }
}
