package io.moderato.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.Checkpoints;
import io.moderato.jobs.testing.Committed;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FailureInjection;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.PolicyVerdict;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.decision.PrepublishDecider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The low-latency pre-publish path end to end (issue 10, item 14) on the embedded broker and a MiniCluster
 * (parallelism 2, RocksDB, exactly-once checkpoints): {@code prepublish.verdicts} is written as soon as an
 * item is scored — a {@code read_committed} consumer reads every verdict while no checkpoint has completed
 * and {@code risk.decisions} shows nothing yet — keyed by contentId, equal to the item-only decision
 * (bands from the trainer's own probability, never from the code under test), related to the final
 * decision as documented (same fused risk, never less severe, differs only by the author's window), and
 * after failovers only duplicates equal but for their decision time, while risk.decisions stays exactly once.
 * No wall-clock latency is asserted; {@code scripts/bench-prepublish.sh} measures it.
 */
class PrepublishVerdictsITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    private static final double REVIEW = 0.3;
    private static final double ACTION = 0.97;
    /** Low enough that one author's three blocked items and a clean one make a window that escalates. */
    private static final double ESCALATION = 0.6;
    /** Far longer than any wait of the test: verdicts that arrive cannot have waited for a checkpoint. */
    private static final Duration NO_CHECKPOINT_DURING_THE_TEST = Duration.ofMinutes(30);

    private static final int PARTITIONS = 2;

    @TempDir
    Path tmp;

    private Path defaults() {
        PolicyConfig spam = PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(1, REVIEW, ACTION))
                .setEscalationThreshold(ESCALATION)
                .build();
        return DetectionFixtures.writeDefaults(tmp, List.of(spam));
    }

    /** The band the policy's thresholds give the trainer's probability of the item's text. */
    private static String expectedBand(ContentEvent event) {
        double p = ParitySample.load().stream()
                .filter(m -> m.text().equals(event.getText()))
                .findFirst()
                .orElseThrow()
                .trainerProbability();
        return p >= ACTION ? "BLOCK" : p >= REVIEW ? "HOLD" : "ALLOW";
    }

    /**
     * Distinct authors (no window can escalate) with clear ham, borderline and clear spam, every third
     * published (no verdict expected), plus one author whose three spam items make the window escalate a
     * fourth, clean item.
     */
    private static List<ContentEvent> events(String prefix, int count) {
        List<ParitySample.Message> ham = ParitySample.between(0.0, 0.2);
        List<ParitySample.Message> borderline = ParitySample.between(0.35, 0.95);
        List<ParitySample.Message> spam = ParitySample.between(0.985, 1.01);
        List<ContentEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ParitySample.Message> pool = i % 10 < 6 ? ham : i % 10 < 8 ? borderline : spam;
            events.add(DetectionFixtures.textEvent(
                    prefix + i,
                    prefix + "user-" + i,
                    pool.get((i * 7) % pool.size()).text(),
                    DetectionFixtures.T0 + i * 250L,
                    i % 3 != 0));
        }
        for (int i = 0; i < 4; i++) {
            String text = i < 3 ? spam.get(i).text() : ham.get(0).text();
            events.add(DetectionFixtures.textEvent(
                    prefix + "esc-" + i,
                    prefix + "repeat-offender",
                    text,
                    DetectionFixtures.T0 + count * 250L + i * 1_000L,
                    true));
        }
        return events;
    }

    private static Map<String, ContentEvent> prePublish(List<ContentEvent> events) {
        return events.stream()
                .filter(ContentEvent::getPrePublish)
                .collect(Collectors.toMap(ContentEvent::getContentId, e -> e, (a, b) -> a, TreeMap::new));
    }

    @Test
    void shouldDeliverKeyedItemOnlyVerdictsBeforeTheFirstCheckpointWhileRiskDecisionsStaysExactlyOnce(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "prepublish");
        DetectionJobRun.createTopics(run, PARTITIONS);
        List<ContentEvent> events = events("v", 120);
        Map<String, ContentEvent> prePublish = prePublish(events);
        Configuration interval = new Configuration();
        interval.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, NO_CHECKPOINT_DURING_THE_TEST);
        StreamExecutionEnvironment env = DetectionJobRun.environment(tmp.resolve("checkpoints"), interval);
        JobClient job = DetectionJobRun.start(env, run, DetectionJobRun.options(run, defaults(), false));
        List<Committed<PrepublishVerdict>> verdicts;
        try {
            run.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
            verdicts = run.readCommitted("prepublish.verdicts", PrepublishVerdict.class, prePublish.size());
            long completed = cluster.getExecutionGraph(job.getJobID())
                    .get()
                    .getCheckpointStatsSnapshot()
                    .getCounts()
                    .getNumberOfCompletedCheckpoints();
            assertThat(completed)
                    .as("checkpoints completed while the verdicts arrived")
                    .isZero();
            assertThat(run.read("risk.decisions", RiskDecision.class, 0))
                    .as("risk.decisions (exactly once) shows nothing before its first checkpoint")
                    .isEmpty();
        } catch (Throwable t) {
            job.cancel().get();
            throw t;
        }
        // the drained stop commits the exactly-once outputs: the audit trail as before this path existed
        Checkpoints.stopWithSavepoint(job, tmp.resolve("savepoints"), true);
        List<RiskDecision> decisions = run.read("risk.decisions", RiskDecision.class, events.size());

        assertThat(verdicts).hasSize(prePublish.size());
        assertKeyedByContentId(verdicts);
        Map<String, PrepublishVerdict> byId = new TreeMap<>();
        verdicts.forEach(v -> byId.put(v.value().getContentId(), v.value()));
        assertThat(byId.keySet())
                .as("one verdict per pre-publish item, none for published ones")
                .isEqualTo(prePublish.keySet());
        for (PrepublishVerdict v : byId.values()) {
            assertThat(v.getVerdict())
                    .as("verdict on %s", v.getContentId())
                    .isEqualTo(expectedBand(prePublish.get(v.getContentId())));
            assertThat(v.getPolicies()).extracting(PolicyVerdict::getPolicyId).containsExactly("spam");
            assertThat(v.getConfigVersions()).containsExactly(Map.entry("spam", 1L));
            assertThat(v.getModelVersions())
                    .extracting(m -> m.getName() + ":" + m.getVersion())
                    .containsExactly("text-spam:1.0.0");
        }

        assertThat(decisions)
                .extracting(RiskDecision::getContentId)
                .as("risk.decisions: every item exactly once")
                .doesNotHaveDuplicates()
                .hasSize(events.size());
        int escalated = 0;
        for (RiskDecision d : decisions) {
            PolicyDecision decided = d.getPolicies().get(0);
            if (!d.getPrePublish()) {
                assertThat(decided.getBand()).isIn("ALLOW", "REVIEW", "ACTION");
                continue;
            }
            PolicyVerdict fast = byId.get(d.getContentId()).getPolicies().get(0);
            assertThat(d.getConfigVersions())
                    .isEqualTo(byId.get(d.getContentId()).getConfigVersions());
            assertThat(decided.getFusedRisk())
                    .as("fused risk of %s", d.getContentId())
                    .isEqualTo(fast.getFusedRisk());
            assertThat(PrepublishDecider.severity(decided.getBand()))
                    .as("final %s vs fast %s on %s", decided.getBand(), fast.getBand(), d.getContentId())
                    .isGreaterThanOrEqualTo(PrepublishDecider.severity(fast.getBand()));
            if (!decided.getBand().equals(fast.getBand())) {
                assertThat(decided.getEscalated())
                        .as("%s differs only by its author's window", d.getContentId())
                        .isTrue();
                escalated++;
            }
        }
        assertThat(escalated)
                .as("the repeat offender's clean item: ALLOW fast, HOLD once the window saw the rest")
                .isEqualTo(1);
        assertThat(byId.get("vesc-3").getVerdict()).isEqualTo("ALLOW");
        System.out.printf(
                "[prepublish] %d verdicts read_committed with 0 checkpoints completed; %d decisions exactly once, "
                        + "%d escalated after an ALLOW verdict%n",
                verdicts.size(), decisions.size(), escalated);
    }

    /**
     * Restarts from the last checkpoint replay what was read since: the verdicts of those items are sent
     * again. Every replayed verdict must equal the first but for its decision time, sit in the same
     * partition under the same key, and nothing may be missing; risk.decisions stays exactly once.
     */
    @Test
    void shouldSurviveFailoversWithOnlyIdenticalDuplicates() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "prepublish-failover");
        DetectionJobRun.createTopics(run, PARTITIONS);
        FailureInjection failures = FailureInjection.seeded(20_261_207L, 2, 20, 60, Duration.ZERO);
        StreamExecutionEnvironment env = DetectionJobRun.environment(
                tmp.resolve("failover"), DetectionJobRun.fastRestarts(4, Duration.ofMillis(300)));
        DetectionJobRun.build(
                env, run, DetectionJobRun.options(run, defaults(), false), "it-" + run.prefix(), failures::applyTo);
        JobClient job = env.executeAsync("prepublish-failover-it");
        List<ContentEvent> events = new ArrayList<>();
        List<Committed<PrepublishVerdict>> verdicts;
        List<RiskDecision> decisions;
        try {
            // a live topic: batches keep arriving while checkpoints complete and the planned failures happen
            for (int batch = 0; batch < 200 && (batch < 20 || failures.injected() < failures.planned()); batch++) {
                List<ContentEvent> next = events("f" + batch + "-", 20);
                run.produce("content.events", ContentEvent.class, next, ContentEvent::getContentId);
                events.addAll(next);
                Thread.sleep(100);
            }
            assertThat(failures.injected()).as("failures injected").isEqualTo(failures.planned());
            verdicts = readEveryItemsVerdict(run, prePublish(events).size());
            decisions = run.read("risk.decisions", RiskDecision.class, events.size());
        } finally {
            job.cancel().get();
        }
        Map<String, ContentEvent> prePublish = prePublish(events);
        assertKeyedByContentId(verdicts);
        Map<String, List<PrepublishVerdict>> byId = new TreeMap<>();
        verdicts.forEach(v -> byId.computeIfAbsent(v.value().getContentId(), k -> new ArrayList<>())
                .add(v.value()));
        assertThat(byId.keySet()).as("no pre-publish item without a verdict").isEqualTo(prePublish.keySet());
        int duplicates = 0;
        for (List<PrepublishVerdict> same : byId.values()) {
            PrepublishVerdict first = same.get(0);
            assertThat(first.getVerdict()).isEqualTo(expectedBand(prePublish.get(first.getContentId())));
            for (PrepublishVerdict again : same.subList(1, same.size())) {
                assertThat(withoutDecisionTime(again))
                        .as("replayed verdict on %s", first.getContentId())
                        .isEqualTo(withoutDecisionTime(first));
                duplicates++;
            }
        }
        assertThat(duplicates)
                .as("the failovers replayed verdicts already sent")
                .isPositive();
        assertThat(decisions)
                .extracting(RiskDecision::getContentId)
                .as("risk.decisions: every item exactly once")
                .doesNotHaveDuplicates()
                .hasSize(events.size());
        System.out.printf(
                "[prepublish] %d planned failures (after checkpoints %s): %d events, %d verdicts for %d pre-publish items "
                        + "(%d identical duplicates), %d decisions exactly once%n",
                failures.injected(),
                failures.afterCheckpoints(),
                events.size(),
                verdicts.size(),
                prePublish.size(),
                duplicates,
                decisions.size());
    }

    /** Reads until a verdict of each of {@code items} items arrived (duplicates count once) or the read timeout. */
    private static List<Committed<PrepublishVerdict>> readEveryItemsVerdict(TopicScope run, int items)
            throws Exception {
        long deadline = System.nanoTime() + TopicScope.READ_TIMEOUT.toNanos();
        while (true) {
            List<Committed<PrepublishVerdict>> verdicts =
                    run.readCommitted("prepublish.verdicts", PrepublishVerdict.class, items);
            long distinct = verdicts.stream().map(Committed::key).distinct().count();
            if (distinct >= items || System.nanoTime() > deadline) {
                return verdicts;
            }
            Thread.sleep(500);
        }
    }

    private static PrepublishVerdict withoutDecisionTime(PrepublishVerdict v) {
        return PrepublishVerdict.newBuilder(v).setDecidedAtMillis(0L).build();
    }

    /** Every record's key is its contentId, in the partition Kafka's default partitioner gives that key. */
    private static void assertKeyedByContentId(List<Committed<PrepublishVerdict>> verdicts) {
        for (Committed<PrepublishVerdict> v : verdicts) {
            assertThat(v.key()).isEqualTo(v.value().getContentId());
            byte[] key = v.key().getBytes(StandardCharsets.UTF_8);
            assertThat(v.partition())
                    .as("partition of %s", v.key())
                    .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % PARTITIONS);
        }
    }
}
