package io.moderato.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.UserSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness measures what it claims: the real job decides every replayed event exactly
 * once, checkpoints complete while the source is throttled, and every event gets an emission and
 * an arrival time (so no latency sample is made up or missing).
 */
class DetectionBenchmarkITCase {

    private static MiniCluster cluster;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = BenchmarkJob.startCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void shouldDecideEveryReplayedEventOnceAndCompleteCheckpointsWhileThrottledAtTheSource() throws Exception {
        int events = 400;
        String registry = "mock://bench-it-" + System.nanoTime();
        Configuration overrides = new Configuration();
        overrides.set(DetectionOptions.SCHEMA_REGISTRY_URL, registry);
        List<PolicyConfig> defaults = JobWiring.policyDefaults(
                overrides.get(DetectionOptions.POLICY_DEFAULTS), DetectionOptions.POLICY_DEFAULTS);
        BenchmarkInputs.Texts texts = BenchmarkInputs.texts(null);
        String content = BenchmarkInputs.encode(
                ContentEvent.class,
                BenchmarkInputs.contentEvents(events, 50, 0.2, 50, texts.texts(), 7),
                registry,
                "content.events",
                e -> e.getUserId());
        String signals = BenchmarkInputs.encode(
                UserSignal.class,
                BenchmarkInputs.userSignals(10, 50, 8),
                registry,
                "user.signals",
                UserSignal::getUserId);
        String configs = BenchmarkInputs.encode(
                PolicyConfig.class,
                List.of(BenchmarkInputs.resubmitted(defaults, "spam")),
                registry,
                "policy.config",
                PolicyConfig::getPolicyId);
        Configuration jobConf =
                BenchmarkJob.jobConfiguration(tmp.resolve("checkpoints"), Duration.ofMillis(300), overrides);

        // 4 s of emission: the first checkpoints of a cold MiniCluster can be declined while tasks start, and the
        // sink must still be running (not at end of input) when a later one reaches it
        double rate = 100;
        BenchmarkJob.Result result = BenchmarkJob.run(
                cluster, jobConf, new BenchmarkJob.Inputs(content, events, signals, 10, configs), events, rate, "it");

        BenchmarkJob.RunStats stats = result.stats();
        assertThat(stats.decided()).isEqualTo(events);
        assertThat(stats.duplicates()).isZero();
        assertThat(stats.unknown()).isZero();
        long[] latencies = stats.latencyMicros(); // sorted
        assertThat(latencies).hasSize(events);
        assertThat(latencies[0]).isNotNegative();
        assertThat(latencies[events - 1]).isLessThan(60_000_000L);
        assertThat(result.deadLetters()).isZero();
        assertThat(result.audits())
                .as("the re-submitted policy is audited once")
                .isEqualTo(1);
        assertThat(result.checkpoints().completed())
                .as("checkpoints complete with the throttle chained to the source")
                .isPositive();
        assertThat(stats.sinkFlushes())
                .as("the decision sink saw checkpoint barriers")
                .isPositive();
        // 400 events at 100/s: even with the rate limiter's initial burst (≤ 1 s of permits), emission spans ≥ 3 s
        assertThat((stats.lastEmissionNanos() - stats.firstEmissionNanos()) / 1e9)
                .isGreaterThan(0.8);
        assertThat(result.cpu().processMillis()).isPositive();
    }
}
