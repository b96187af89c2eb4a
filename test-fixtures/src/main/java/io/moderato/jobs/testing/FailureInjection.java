package io.moderato.jobs.testing;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Fails a running job at seeded points after completed checkpoints, the way flink-connector-kafka's
 * {@code KafkaSinkITCase} does with its failing mapper: a pass-through map, chained to a source
 * through the job's source seam. The k-th planned failure comes at the seeded n_k-th record a subtask
 * passes on after the first checkpoint completed in its current attempt (so at least one record has
 * gone downstream uncommitted and must be rolled back); one subtask throws per planned failure. The
 * plan's progress lives in this JVM (the MiniCluster runs in the test JVM), so it survives the restarts
 * it causes.
 *
 * <p>While a failure is still planned and no checkpoint has completed in the current attempt, it
 * throttles each record ({@code LockSupport.parkNanos}): a restarted job takes a while before its first
 * checkpoint, and a small bounded input must not run out before every planned failure has happened.
 * The throttle is chained to the source, where it cannot hold checkpoint barriers back behind queued
 * records. Otherwise records pass at full speed.
 */
public final class FailureInjection implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Progress of every plan in this JVM, by plan id. */
    private static final Map<String, Progress> PROGRESS = new ConcurrentHashMap<>();

    /** Operator uid of the injecting map (test graphs need uids like production ones). */
    public static final String UID = "test-failure-injection";

    private final String id = UUID.randomUUID().toString();
    private final long[] points;
    private final long throttleNanos;

    private FailureInjection(long[] points, Duration throttle) {
        this.points = points;
        this.throttleNanos = throttle.toNanos();
        PROGRESS.put(id, new Progress());
    }

    /**
     * {@code failures} failures; the k-th at a record count after the attempt's first completed
     * checkpoint drawn (seeded) from [{@code minRecords}, {@code maxRecords}]; {@code throttle} per
     * record while an attempt waits for its first checkpoint, until the last failure.
     */
    public static FailureInjection seeded(long seed, int failures, int minRecords, int maxRecords, Duration throttle) {
        Random random = new Random(seed);
        long[] points = new long[failures];
        for (int i = 0; i < failures; i++) {
            points[i] = minRecords + random.nextInt(maxRecords - minRecords + 1);
        }
        return new FailureInjection(points, throttle);
    }

    /** No failure, only the throttle: the same graph as a failing run, for its clean twin. */
    public static FailureInjection none(Duration throttle) {
        return new FailureInjection(new long[0], throttle);
    }

    /** {@code stream} through the injecting map (same type, uid {@link #UID}). */
    public <T> DataStream<T> applyTo(DataStream<T> stream) {
        return stream.map(new FailingMapper<T>(this), stream.getType()).uid(UID).name("Inject failures (test)");
    }

    /** How many of the planned failures have happened so far. */
    public int injected() {
        return PROGRESS.get(id).injected.get();
    }

    public int planned() {
        return points.length;
    }

    /** For each failure so far: the id of the last checkpoint completed before it, in this attempt. */
    public List<Long> afterCheckpoints() {
        synchronized (PROGRESS.get(id).afterCheckpoints) {
            return List.copyOf(PROGRESS.get(id).afterCheckpoints);
        }
    }

    /** The seeded record counts (per subtask and attempt) at which the failures were planned. */
    public List<Long> points() {
        List<Long> list = new ArrayList<>();
        for (long p : points) {
            list.add(p);
        }
        return Collections.unmodifiableList(list);
    }

    private static final class Progress {
        final AtomicInteger injected = new AtomicInteger();
        final List<Long> afterCheckpoints = new ArrayList<>();
    }

    /** The exception a planned failure throws; its message says which failure and after which checkpoint. */
    public static final class PlannedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PlannedFailure(String message) {
            super(message);
        }
    }

    private static final class FailingMapper<T> extends RichMapFunction<T, T> implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        private final FailureInjection plan;
        private transient long afterFirstCheckpoint;
        private transient long sinceLastCheckpoint;
        private transient long lastCheckpoint;

        FailingMapper(FailureInjection plan) {
            this.plan = plan;
        }

        @Override
        public void open(OpenContext openContext) {
            afterFirstCheckpoint = 0;
            sinceLastCheckpoint = 0;
            lastCheckpoint = -1; // none completed in this attempt yet
        }

        @Override
        public T map(T value) {
            Progress progress = PROGRESS.get(plan.id);
            int next = progress.injected.get();
            if (next < plan.points.length) {
                if (plan.throttleNanos > 0 && lastCheckpoint < 0) {
                    LockSupport.parkNanos(plan.throttleNanos);
                }
                // records passed on since the checkpoint must be rolled back: at least one has gone out
                if (lastCheckpoint >= 0
                        && sinceLastCheckpoint > 0
                        && afterFirstCheckpoint >= plan.points[next]
                        && progress.injected.compareAndSet(next, next + 1)) {
                    synchronized (progress.afterCheckpoints) {
                        progress.afterCheckpoints.add(lastCheckpoint);
                    }
                    throw new PlannedFailure(
                            "planned failure " + (next + 1) + " of " + plan.points.length + " at record "
                                    + afterFirstCheckpoint + " after the first checkpoint of this attempt (subtask "
                                    + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + ", last checkpoint "
                                    + lastCheckpoint + ")");
                }
            }
            if (lastCheckpoint >= 0) {
                afterFirstCheckpoint++;
            }
            sinceLastCheckpoint++;
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            lastCheckpoint = checkpointId;
            sinceLastCheckpoint = 0;
        }
    }
}
