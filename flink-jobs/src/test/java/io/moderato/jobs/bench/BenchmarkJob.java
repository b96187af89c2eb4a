package io.moderato.jobs.bench;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.detection.DetectionUids;
import io.moderato.jobs.testing.DetectionFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecution;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.executiongraph.IOMetrics;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * Runs the real {@link DetectionJob#build} graph once on an in-process MiniCluster: replayed
 * pre-encoded Kafka records in (optionally rate-limited in the source reader, so the throttle
 * is chained to the source and never holds back checkpoint barriers), discarding sinks out,
 * RocksDB with incremental exactly-once checkpoints, and the production safety rules. Returns
 * what the sinks saw, the checkpoint statistics and per-task busy/back-pressure time.
 */
final class BenchmarkJob {

    static final int PARALLELISM = 2;

    /** The encoded inputs of a run (keys of {@link BenchmarkInputs}) and how many of each to replay. */
    record Inputs(String content, int contentCount, String signals, int signalCount, String configs) {}

    /** Busy, back-pressured and idle time of one operator chain, summed over its subtasks. */
    record TaskLoad(String name, double busyMillis, long backPressuredMillis, long idleMillis, long runningMillis) {}

    /**
     * One checkpoint: trigger time on the {@link System#nanoTime()} clock of the run's timings, end-to-end
     * duration, and the largest synchronous part, barrier alignment and barrier start delay of any subtask
     * (what can hold records back while it runs).
     */
    record CheckpointEvent(
            long id,
            long triggerNanos,
            long durationMillis,
            String status,
            long maxSyncMillis,
            String maxSyncTask,
            long maxAlignmentMillis,
            long maxStartDelayMillis) {}

    record Checkpoints(
            long completed,
            long failed,
            long avgDurationMillis,
            long maxDurationMillis,
            long avgCheckpointedBytes,
            long avgStateBytes,
            List<CheckpointEvent> history) {}

    record Result(
            String label,
            int items,
            double ratePerSecond,
            long wallMillis,
            long netRuntimeMillis,
            RunStats stats,
            long tasks,
            long actions,
            long audits,
            long deadLetters,
            Checkpoints checkpoints,
            List<TaskLoad> load,
            CpuProfile.Snapshot cpu) {}

    private BenchmarkJob() {}

    /** One TaskManager with {@link #PARALLELISM} slots; REST on a random port (the machine is shared). */
    static MiniCluster startCluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(PARALLELISM)
                .build());
        cluster.start();
        return cluster;
    }

    /**
     * The production job configuration: {@link JobSettings#streamingDefaults} (RocksDB, incremental,
     * exactly-once every {@code interval}, generic types off, explicit uids) and
     * {@link DetectionJob#tuned}, plus {@code overrides} (job options such as batch size, or Flink
     * options such as the buffer timeout).
     */
    static Configuration jobConfiguration(Path checkpoints, Duration interval, Configuration overrides) {
        Configuration conf = DetectionJob.tuned(
                JobSettings.streamingDefaults(checkpoints.toUri().toString(), interval));
        // replayed event times are fixed offsets from BenchmarkInputs.T0: older than the default 7-day bound,
        // which would dead-letter every event (0 decided); the fixtures' limit, as DetectionJobRun sets it
        conf.set(DetectionOptions.MAX_PAST, DetectionFixtures.FIXTURE_AGE_LIMIT);
        conf.addAll(overrides);
        return conf;
    }

    /**
     * @param items         content records to replay (a multiple of the parallelism)
     * @param ratePerSecond total source rate, or 0 for as fast as the job takes them
     */
    static Result run(
            MiniCluster cluster, Configuration jobConf, Inputs inputs, int items, double ratePerSecond, String label)
            throws Exception {
        RunTiming timing = RunTiming.create(items);
        BenchmarkSinks sinks = new BenchmarkSinks(timing);
        try {
            TestStreamEnvironment env = new TestStreamEnvironment(cluster, jobConf, PARALLELISM, List.of(), List.of());
            RateLimiterStrategy<?> rate =
                    ratePerSecond > 0 ? RateLimiterStrategy.perSecond(ratePerSecond) : RateLimiterStrategy.noOp();
            DataStream<KafkaRecord> content = env.fromSource(
                            new DataGeneratorSource<>(
                                    new ReplayFunction(inputs.content(), items, PARALLELISM, timing.id),
                                    items,
                                    rate,
                                    TypeInformation.of(KafkaRecord.class)),
                            WatermarkStrategy.noWatermarks(),
                            "Replay content.events (in memory)")
                    .uid(DetectionUids.SOURCE_CONTENT);
            DataStream<KafkaRecord> signals = env.fromSource(
                            new DataGeneratorSource<>(
                                    new ReplayFunction(inputs.signals(), inputs.signalCount(), PARALLELISM, null),
                                    inputs.signalCount(),
                                    TypeInformation.of(KafkaRecord.class)),
                            WatermarkStrategy.noWatermarks(),
                            "Replay user.signals (in memory)")
                    .uid(DetectionUids.SOURCE_USER_SIGNALS);
            DataStream<KafkaRecord> configs = env.fromSource(
                            new DataGeneratorSource<>(
                                    new ReplayFunction(inputs.configs(), 1, 1, null),
                                    1,
                                    TypeInformation.of(KafkaRecord.class)),
                            WatermarkStrategy.noWatermarks(),
                            "Replay policy.config (in memory)")
                    .setParallelism(1)
                    .uid(DetectionUids.SOURCE_POLICY_CONFIG);
            DetectionJob.build(env, new DetectionJob.Sources(content, signals, configs), sinks, jobConf);

            try (CpuProfile profile = CpuProfile.start()) {
                long started = System.nanoTime();
                long wallMinusNanoClock = System.currentTimeMillis() * 1_000_000 - started;
                JobClient client = env.executeAsync(DetectionJob.QUALIFIED_NAME + " benchmark: " + label);
                JobExecutionResult result = client.getJobExecutionResult().get();
                long wall = (System.nanoTime() - started) / 1_000_000;
                CpuProfile.Snapshot cpu = profile.stop();
                ArchivedExecutionGraph graph =
                        cluster.getArchivedExecutionGraph(client.getJobID()).get();
                return new Result(
                        label,
                        items,
                        ratePerSecond,
                        wall,
                        result.getNetRuntime(),
                        RunStats.of(timing),
                        sinks.count("tasks"),
                        sinks.count("actions"),
                        sinks.count("audit"),
                        sinks.count("deadletters"),
                        checkpoints(graph, wallMinusNanoClock),
                        load(graph),
                        cpu);
            }
        } finally {
            timing.release();
            sinks.release();
        }
    }

    private static Checkpoints checkpoints(ArchivedExecutionGraph graph, long wallMinusNanoClock) {
        CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
        if (stats == null) {
            return new Checkpoints(0, 0, 0, 0, 0, 0, List.of());
        }
        List<CheckpointEvent> history = new ArrayList<>();
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            long sync = 0;
            String syncTask = "";
            long alignment = 0;
            long startDelay = 0;
            for (TaskStateStats task : c.getAllTaskStateStats()) {
                TaskStateStats.TaskStateStatsSummary summary = task.getSummaryStats();
                if (summary.getSyncCheckpointDurationStats().getMaximum() > sync) {
                    sync = summary.getSyncCheckpointDurationStats().getMaximum();
                    AccessExecutionJobVertex vertex = graph.getJobVertex(task.getJobVertexId());
                    syncTask = vertex == null ? "?" : vertex.getName();
                }
                alignment =
                        Math.max(alignment, summary.getAlignmentDurationStats().getMaximum());
                startDelay = Math.max(
                        startDelay, summary.getCheckpointStartDelayStats().getMaximum());
            }
            history.add(new CheckpointEvent(
                    c.getCheckpointId(),
                    c.getTriggerTimestamp() * 1_000_000 - wallMinusNanoClock,
                    c.getEndToEndDuration(),
                    c.getStatus().toString(),
                    sync,
                    syncTask,
                    alignment,
                    startDelay));
        }
        history.sort(java.util.Comparator.comparingLong(CheckpointEvent::triggerNanos));
        var summary = stats.getSummaryStats();
        return new Checkpoints(
                stats.getCounts().getNumberOfCompletedCheckpoints(),
                stats.getCounts().getNumberOfFailedCheckpoints(),
                summary.getEndToEndDurationStats().getAverage(),
                summary.getEndToEndDurationStats().getMaximum(),
                summary.getCheckpointedSize().getAverage(),
                summary.getStateSizeStats().getAverage(),
                history);
    }

    private static List<TaskLoad> load(ArchivedExecutionGraph graph) {
        List<TaskLoad> out = new ArrayList<>();
        for (AccessExecutionJobVertex vertex : graph.getVerticesTopologically()) {
            double busy = 0;
            long backPressured = 0;
            long idle = 0;
            long running = 0;
            for (AccessExecutionVertex subtask : vertex.getTaskVertices()) {
                AccessExecution execution = subtask.getCurrentExecutionAttempt();
                IOMetrics io = execution.getIOMetrics();
                if (io != null) {
                    busy += Double.isNaN(io.getAccumulateBusyTime()) ? 0 : io.getAccumulateBusyTime();
                    backPressured += io.getAccumulateBackPressuredTime();
                    idle += io.getAccumulateIdleTime();
                }
                long start = execution.getStateTimestamp(ExecutionState.RUNNING);
                long end = execution.getStateTimestamp(ExecutionState.FINISHED);
                if (start > 0 && end > start) {
                    running += end - start;
                }
            }
            out.add(new TaskLoad(vertex.getName(), busy, backPressured, idle, running));
        }
        return out;
    }

    /** Throughput and latency figures of one run, from the per-item timings. */
    record RunStats(
            int decided,
            long duplicates,
            long unknown,
            long late,
            long reviewRouted,
            long sinkFlushes,
            long firstArrivalNanos,
            long lastArrivalNanos,
            long firstEmissionNanos,
            long lastEmissionNanos,
            double innerEventsPerSecond,
            long[] latencyMicros,
            long[] steadyLatencyMicros,
            long[] decideToSinkMillis,
            long[] itemEmittedNanos,
            long[] itemLatencyMicros) {

        /** Excluded from the steady latency figures: items emitted in the first tenth of the emission span. */
        static final double WARMUP_SHARE = 0.1;

        static RunStats of(RunTiming t) {
            long[] arrivals = t.sortedArrivals();
            int n = arrivals.length;
            long firstEmission = Long.MAX_VALUE;
            long lastEmission = Long.MIN_VALUE;
            for (int i = 0; i < t.items; i++) {
                long e = t.emittedNanos.get(i);
                if (e != 0) {
                    firstEmission = Math.min(firstEmission, e);
                    lastEmission = Math.max(lastEmission, e);
                }
            }
            long steadyFrom = firstEmission + (long) ((lastEmission - firstEmission) * WARMUP_SHARE);
            long[] latency = new long[n];
            long[] steady = new long[n];
            long[] decideToSink = new long[n];
            long[] itemEmitted = new long[n];
            long[] itemLatency = new long[n];
            int k = 0;
            int s = 0;
            for (int i = 0; i < t.items; i++) {
                long arrived = t.arrivedNanos.get(i);
                long emitted = t.emittedNanos.get(i);
                if (arrived == 0 || emitted == 0) {
                    continue;
                }
                long micros = (arrived - emitted) / 1_000;
                decideToSink[k] = t.decideToSinkMillis.get(i);
                itemEmitted[k] = emitted;
                itemLatency[k] = micros;
                latency[k++] = micros;
                if (emitted >= steadyFrom) {
                    steady[s++] = micros;
                }
            }
            latency = Arrays.copyOf(latency, k);
            steady = Arrays.copyOf(steady, s);
            decideToSink = Arrays.copyOf(decideToSink, k);
            itemEmitted = Arrays.copyOf(itemEmitted, k);
            itemLatency = Arrays.copyOf(itemLatency, k);
            Arrays.sort(latency);
            Arrays.sort(steady);
            Arrays.sort(decideToSink);
            double inner = 0;
            if (n >= 20) {
                int lo = n / 10;
                int hi = n - 1 - n / 10;
                inner = (hi - lo) * 1e9 / Math.max(1, arrivals[hi] - arrivals[lo]);
            }
            return new RunStats(
                    n,
                    t.duplicates.get(),
                    t.unknown.get(),
                    t.late.get(),
                    t.reviewRouted.get(),
                    t.sinkFlushes.get(),
                    n == 0 ? 0 : arrivals[0],
                    n == 0 ? 0 : arrivals[n - 1],
                    firstEmission,
                    lastEmission,
                    inner,
                    latency,
                    steady,
                    decideToSink,
                    itemEmitted,
                    itemLatency);
        }

        /** Decisions per second from the first to the last decision (start-up and final checkpoint excluded). */
        double steadyEventsPerSecond() {
            return decided < 2 ? 0 : (decided - 1) * 1e9 / Math.max(1, lastArrivalNanos - firstArrivalNanos);
        }

        /** Records per second the source emitted, first to last emission. */
        double emittedPerSecond() {
            return decided < 2 ? 0 : (decided - 1) * 1e9 / Math.max(1, lastEmissionNanos - firstEmissionNanos);
        }

        static double quantile(long[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }
}
