package io.moderato.jobs.common;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/** Settings every Moderato job runs with, in production and in tests alike. */
public final class JobSettings {

    private JobSettings() {}

    /**
     * How long a checkpoint barrier may wait for alignment before the checkpoint turns unaligned: under
     * back pressure (a slow sink, a slow broker) barriers would otherwise queue behind full network
     * buffers and checkpoints, hence exactly-once commits, would stall for as long as it lasts.
     */
    public static final Duration ALIGNED_CHECKPOINT_TIMEOUT = Duration.ofSeconds(1);

    /**
     * RocksDB with incremental checkpoints, exactly-once checkpointing at {@code interval} into
     * {@code checkpointDir} (aligned, turning unaligned after {@link #ALIGNED_CHECKPOINT_TIMEOUT} of
     * back pressure), a bounded fixed-delay restart strategy, and the two safety rules:
     * no silent Kryo fallback ({@code pipeline.generic-types=false}) and no operator without an
     * explicit uid ({@code pipeline.auto-generate-uids=false}).
     */
    public static Configuration streamingDefaults(String checkpointDir, Duration interval) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(4));
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        conf.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, ALIGNED_CHECKPOINT_TIMEOUT);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(5));
        applySafetyRules(conf);
        return conf;
    }

    public static Configuration applySafetyRules(Configuration conf) {
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        return conf;
    }

    /**
     * For side inputs with no meaningful event time (config changelogs, user signals): the input
     * marks itself idle and never emits a watermark, so joining it never holds back the event-time
     * clock of the main stream. Not a watermark of +∞: when the main stream is idle too (a quiet
     * start, a pause in labels) an operator would take that +∞ as its clock, and since watermarks
     * never go back, every later event would count as late and every event-time timer would fire at
     * once (seen on the local stack: no quality window ever emitted, all labels "after window
     * closed"). Idle inputs are left out of an operator's watermark; when all are idle, so is it.
     */
    public static <T> WatermarkStrategy<T> neverHoldsBackWatermarks() {
        return WatermarkStrategy.forGenerator(context -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }

    /**
     * Event time for a main input: bounded out-of-orderness, made robust for a safety system.
     * <ul>
     *   <li>No record moves the clock beyond wall-clock time: an event time in the future counts as
     *       "now" for the watermark (the record keeps its own time and waits for it), so one
     *       future-dated record per partition cannot make everyone else's events late.</li>
     *   <li>After {@code quietAfter} without a record, the watermark advances to the newest event time
     *       seen: decisions made in event-time order wait for the watermark, and a quiet input must
     *       not hold back its last items until the next one arrives.</li>
     *   <li>An input that has never had a record, or none for {@code idleness}, stops holding back
     *       the other inputs (Flink's idleness).</li>
     * </ul>
     */
    public static <T> WatermarkStrategy<T> eventTime(
            SerializableTimestampAssigner<T> time, Duration outOfOrderness, Duration quietAfter, Duration idleness) {
        long bound = outOfOrderness.toMillis();
        long quietNanos = quietAfter.toNanos();
        return WatermarkStrategy.<T>forGenerator(context ->
                        new QuietAdvancingWatermarks<>(bound, quietNanos, System::currentTimeMillis, System::nanoTime))
                .withTimestampAssigner(time)
                .withIdleness(idleness);
    }

    /** See {@link #eventTime}. Not thread-safe: one per source subtask, as Flink uses generators. */
    static final class QuietAdvancingWatermarks<T> implements WatermarkGenerator<T> {
        private final long outOfOrdernessMillis;
        private final long quietNanos;
        private final LongSupplier wallClockMillis;
        private final LongSupplier nanoClock;
        private long maxTimestamp = Long.MIN_VALUE;
        private long lastEventNanos;
        private long emitted = Long.MIN_VALUE;

        QuietAdvancingWatermarks(
                long outOfOrdernessMillis, long quietNanos, LongSupplier wallClockMillis, LongSupplier nanoClock) {
            this.outOfOrdernessMillis = outOfOrdernessMillis;
            this.quietNanos = quietNanos;
            this.wallClockMillis = wallClockMillis;
            this.nanoClock = nanoClock;
        }

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
            lastEventNanos = nanoClock.getAsLong();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (maxTimestamp == Long.MIN_VALUE) {
                return; // nothing seen yet: idleness decides whether this input holds the others back
            }
            long newest = Math.min(maxTimestamp, wallClockMillis.getAsLong());
            boolean quiet = nanoClock.getAsLong() - lastEventNanos >= quietNanos;
            long watermark = quiet ? newest : newest - outOfOrdernessMillis - 1;
            if (watermark > emitted) {
                emitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }
    }
}
