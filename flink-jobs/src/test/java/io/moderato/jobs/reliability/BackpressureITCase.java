package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.InMemorySinks;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 10: a slow downstream (every decision write takes {@value #MILLIS_PER_DECISION} ms)
 * back-pressures the whole DetectionJob, yet with the production checkpoint settings
 * ({@link JobSettings#ALIGNED_CHECKPOINT_TIMEOUT}: aligned, turning unaligned under back pressure) at
 * least {@value #CHECKPOINTS} checkpoints in a row complete (every one that started, from the first on), checkpoints
 * taken while back-pressured turn unaligned, and the decisions and tasks
 * equal those of the same input without back pressure.
 */
class BackpressureITCase {

    private static final int CHECKPOINTS = 20;
    private static final long MILLIS_PER_DECISION = 40;
    private static final int BATCH = 20;
    private static final long BATCH_PAUSE_MILLIS = 200;

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2, checkpointHistory());

    @TempDir
    Path tmp;

    private static Configuration checkpointHistory() {
        Configuration conf = new Configuration();
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1_000);
        return conf;
    }

    @Test
    void shouldCompleteEveryCheckpointUnderBackPressureAndDecideAsWithout(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, 0.3, 0.97)));
        List<ParitySample.Message> messages = ParitySample.load();
        List<ContentEvent> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            events.add(DetectionFixtures.textEvent(
                    "c" + i,
                    "user-" + (i % 60),
                    messages.get((i * 13) % messages.size()).text(),
                    DetectionFixtures.T0 + i * 200L,
                    i % 7 == 0));
        }

        Run clean = run(cluster, defaults, events, InMemorySinks.slow(0));
        long startedAt = System.currentTimeMillis();
        Run slow = run(cluster, defaults, events, InMemorySinks.slow(MILLIS_PER_DECISION));

        CheckpointStatsSnapshot stats = slow.checkpoints;
        List<AbstractCheckpointStats> history = new ArrayList<>();
        stats.getHistory().getCheckpoints().forEach(history::add);
        history.sort(Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
        List<AbstractCheckpointStats> done = history.stream()
                .filter(c -> c.getStatus() != CheckpointStatsStatus.IN_PROGRESS)
                .toList();
        List<AbstractCheckpointStats> underPressure = done.stream()
                .filter(c -> c.getTriggerTimestamp() < slow.drainedAt)
                .toList();
        System.out.printf(
                "[reliability] back pressure: %d decisions, %d ms per decision write, drained after %d ms; "
                        + "checkpoints completed %d (failed trigger attempts, none in the history: %d); "
                        + "triggered while back-pressured: %d, unaligned %d, end-to-end %s ms%n",
                slow.sinks.writtenDecisions().size(),
                MILLIS_PER_DECISION,
                slow.drainedAt - startedAt,
                stats.getCounts().getNumberOfCompletedCheckpoints(),
                stats.getCounts().getNumberOfFailedCheckpoints(),
                underPressure.size(),
                underPressure.stream()
                        .filter(AbstractCheckpointStats::isUnalignedCheckpoint)
                        .count(),
                underPressure.stream()
                        .map(c -> Long.toString(c.getEndToEndDuration()))
                        .toList());

        // the checkpoints that got an id: CHECKPOINTS or more in a row, all completed, from the first one on
        assertThat(done).hasSizeGreaterThanOrEqualTo(CHECKPOINTS);
        assertThat(done)
                .allSatisfy(c -> assertThat(c.getStatus())
                        .as("checkpoint %d", c.getCheckpointId())
                        .isEqualTo(CheckpointStatsStatus.COMPLETED));
        assertThat(done.get(0).getCheckpointId()).isEqualTo(1L);
        assertThat(done.get(done.size() - 1).getCheckpointId()).isEqualTo(done.size());
        assertThat(underPressure)
                .as("checkpoints triggered while back-pressured")
                .isNotEmpty()
                .anyMatch(AbstractCheckpointStats::isUnalignedCheckpoint);
        assertThat(slow.sinks.writtenDecisions()).hasSize(events.size());
        assertThat(decisions(slow.sinks)).hasSize(events.size()).isEqualTo(decisions(clean.sinks));
        assertThat(tasks(slow.sinks)).isNotEmpty().isEqualTo(tasks(clean.sinks));
    }

    /** @param drainedAt wall-clock time the last decision was written: the end of the back pressure */
    private record Run(InMemorySinks sinks, CheckpointStatsSnapshot checkpoints, long drainedAt) {}

    /**
     * An unbounded run fed {@value #BATCH} events every {@value #BATCH_PAUSE_MILLIS} ms, as a live topic is: the
     * watermark, hence the decisions, advance as content arrives (a bounded run would decide everything in one
     * timer firing at the end of input, which no checkpoint barrier can interrupt). Stops once every event is decided.
     */
    private Run run(MiniCluster cluster, Path defaults, List<ContentEvent> events, InMemorySinks sinks)
            throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "backpressure");
        DetectionJobRun.createTopics(run, 2);
        StreamExecutionEnvironment env =
                DetectionJobRun.environment(tmp.resolve("checkpoints-" + run.prefix()), DetectionJobRun.noRestarts());
        Configuration conf = DetectionJobRun.options(run, defaults, false);
        KafkaIo io =
                new KafkaIo(CLUSTER.kafka().bootstrapServers(), run.registry(), "it-" + run.prefix(), false, 120_000L);
        DetectionJob.build(env, DetectionJob.kafkaSources(env, io, conf), sinks, conf);
        JobClient job = env.executeAsync("backpressure-it");
        try {
            for (int i = 0; i < events.size(); i += BATCH) {
                run.produce(
                        "content.events",
                        ContentEvent.class,
                        events.subList(i, Math.min(events.size(), i + BATCH)),
                        ContentEvent::getContentId);
                Thread.sleep(BATCH_PAUSE_MILLIS);
            }
            long deadline = System.nanoTime() + TopicScope.READ_TIMEOUT.toNanos() * 2;
            while (sinks.writtenDecisions().size() < events.size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long drainedAt = System.currentTimeMillis();
            CheckpointStatsSnapshot stats =
                    cluster.getExecutionGraph(job.getJobID()).get().getCheckpointStatsSnapshot();
            while (stats.getCounts().getNumberOfCompletedCheckpoints() < CHECKPOINTS && System.nanoTime() < deadline) {
                Thread.sleep(100);
                stats = cluster.getExecutionGraph(job.getJobID()).get().getCheckpointStatsSnapshot();
            }
            return new Run(sinks, stats, drainedAt);
        } finally {
            job.cancel().get();
        }
    }

    private static Map<String, String> decisions(InMemorySinks sinks) {
        Map<String, String> byId = new TreeMap<>();
        for (RiskDecision d : sinks.writtenDecisions()) {
            byId.put(
                    d.getContentId(),
                    RiskDecision.newBuilder(d).setDecidedAtMillis(0).build().toString());
        }
        return byId;
    }

    private static Map<String, String> tasks(InMemorySinks sinks) {
        Map<String, String> byId = new TreeMap<>();
        for (ReviewTask t : sinks.writtenTasks()) {
            byId.put(
                    t.getContentId(),
                    ReviewTask.newBuilder(t).setCreatedAtMillis(0).build().toString());
        }
        return byId;
    }
}
