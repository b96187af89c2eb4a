package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.InMemorySinks;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.model.OnnxModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 11: the DetectionJob restarted 10 times in one JVM (a sink that fails at each of the
 * first 10 attempts) loads ONNX Runtime and its models at every attempt without an
 * {@code UnsatisfiedLinkError}, closes every session it opened, and its resident memory
 * ({@code VmRSS} of /proc/self/status, after a warm-up run with as many restarts, and a GC) grows by less than
 * {@value #RSS_GROWTH_BOUND_MB} MB over the 10 restarts.
 */
class NativeResourcesITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    static final int RESTARTS = 10;
    /** Sessions are counted exactly; this bounds every other native leak (a RocksDB instance or thread arenas left per restart). */
    static final long RSS_GROWTH_BOUND_MB = 100;

    @TempDir
    Path tmp;

    @Test
    void shouldReloadOnnxRuntimeAtEveryRestartAndCloseEverySessionItOpened() throws Exception {
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, 0.3, 0.97)));
        List<ContentEvent> events = new ArrayList<>();
        List<ParitySample.Message> messages = ParitySample.load();
        for (int i = 0; i < 60; i++) {
            events.add(DetectionFixtures.textEvent(
                    "c" + i,
                    "user-" + i,
                    messages.get((i * 11) % messages.size()).text(),
                    DetectionFixtures.T0 + i * 500L,
                    false));
        }

        // warm-up with the same restarts: the natives, the JIT, malloc's per-thread arenas and the heap reach their
        // working size, so what the measured run adds is what restarts leak
        run(defaults, events, RESTARTS);
        int sessionsBefore = OnnxModel.openSessions();
        long rssBefore = residentKb();
        long heapBefore = heapCommittedKb();

        long started = System.nanoTime();
        int attempts = run(defaults, events, RESTARTS);
        long millis = (System.nanoTime() - started) / 1_000_000;

        int sessionsAfter = OnnxModel.openSessions();
        long rssGrowthMb = (residentKb() - rssBefore) / 1024;
        long heapGrowthMb = (heapCommittedKb() - heapBefore) / 1024;
        System.out.printf(
                "[reliability] native resources: %d restarts in %d ms; open ONNX sessions %d -> %d; "
                        + "VmRSS growth %d MB (bound %d MB), of which heap committed %d MB%n",
                attempts, millis, sessionsBefore, sessionsAfter, rssGrowthMb, RSS_GROWTH_BOUND_MB, heapGrowthMb);
        assertThat(attempts).isEqualTo(RESTARTS);
        assertThat(sessionsAfter).as("ONNX sessions left open by 10 restarts").isEqualTo(sessionsBefore);
        assertThat(rssGrowthMb).as("VmRSS growth over 10 restarts, MB").isLessThan(RSS_GROWTH_BOUND_MB);
    }

    /** Runs the job to the end of {@code events}, its decisions sink failing at the first {@code failures} attempts. */
    private int run(Path defaults, List<ContentEvent> events, int failures) throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "native");
        DetectionJobRun.createTopics(run, 2);
        run.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, failures + 1);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env =
                DetectionJobRun.environment(tmp.resolve("checkpoints-" + run.prefix()), restarts);
        Configuration conf = DetectionJobRun.options(run, defaults, true);
        KafkaIo io =
                new KafkaIo(CLUSTER.kafka().bootstrapServers(), run.registry(), "it-" + run.prefix(), true, 120_000L);
        InMemorySinks sinks = InMemorySinks.failingFirstAttempts(failures);
        DetectionJob.build(env, DetectionJob.kafkaSources(env, io, conf), sinks, conf);
        env.execute("native-resources-it");

        // the last attempt scored every event with the model: ONNX Runtime loaded at every attempt
        List<RiskDecision> decided = sinks.writtenDecisions();
        assertThat(decided)
                .extracting(RiskDecision::getContentId)
                .containsAll(events.stream().map(ContentEvent::getContentId).toList());
        assertThat(decided)
                .allSatisfy(d ->
                        assertThat(d.getPolicies().get(0).getScoringProblems()).isEmpty());
        return sinks.restarts();
    }

    private static long residentKb() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static long heapCommittedKb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }
}
