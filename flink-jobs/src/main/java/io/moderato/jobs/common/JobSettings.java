package io.moderato.jobs.common;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

import java.time.Duration;

/** Settings every Moderato job runs with, in production and in tests alike. */
public final class JobSettings {

    private JobSettings() {}

    /**
     * RocksDB with incremental checkpoints, exactly-once checkpointing at {@code interval} into
     * {@code checkpointDir}, a bounded fixed-delay restart strategy, and the two safety rules:
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
}
