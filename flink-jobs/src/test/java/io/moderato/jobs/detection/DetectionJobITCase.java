package io.moderato.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.jobs.testing.Checkpoints;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FailureInjection;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.UserSignal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DetectionJob end to end on an embedded Kafka broker and a MiniCluster (parallelism 2,
 * RocksDB, exactly-once checkpoints): Confluent-framed Avro in, decisions, tasks, actions, config
 * audit and dead letters out, read back with read_committed. Inputs are real messages chosen by
 * the trainer's own probability, so expected bands never come from the code under test.
 */
class DetectionJobITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    private static final double REVIEW = 0.3;
    private static final double ACTION = 0.97;

    @TempDir
    Path tmp;

    private static TopicScope newRun() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "detection");
        DetectionJobRun.createTopics(run, 2);
        return run;
    }

    private void runBounded(TopicScope run, Path defaults) throws Exception {
        DetectionJobRun.runBounded(
                DetectionJobRun.environment(tmp.resolve("checkpoints")),
                run,
                DetectionJobRun.options(run, defaults, true));
    }

    /** Content chosen by the trainer's probability: clear ham, borderline, clear spam (margins ≥ 0.02). */
    private static List<ContentEvent> mixedEvents(int count, String prefix) {
        List<ParitySample.Message> ham = ParitySample.between(0.0, 0.2);
        List<ParitySample.Message> borderline = ParitySample.between(0.35, 0.95);
        List<ParitySample.Message> spam = ParitySample.between(0.985, 1.01);
        assertThat(ham).hasSizeGreaterThan(50);
        assertThat(borderline).isNotEmpty();
        assertThat(spam).hasSizeGreaterThan(10);
        List<ContentEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ParitySample.Message> pool = i % 10 < 7 ? ham : i % 10 < 8 ? borderline : spam;
            ParitySample.Message m = pool.get((i * 7) % pool.size());
            // distinct users: no windowed escalation in this test; every fifth item awaits the decision
            events.add(DetectionFixtures.textEvent(
                    prefix + i, "user-" + i, m.text(), DetectionFixtures.T0 + i * 250L, i % 5 == 0));
        }
        return events;
    }

    private static String expectedBand(ContentEvent event) {
        double p = ParitySample.load().stream()
                .filter(m -> m.text().equals(event.getText()))
                .findFirst()
                .orElseThrow()
                .trainerProbability();
        boolean pre = event.getPrePublish();
        if (p >= ACTION) {
            return pre ? "BLOCK" : "ACTION";
        }
        return p >= REVIEW ? (pre ? "HOLD" : "REVIEW") : "ALLOW";
    }

    /**
     * Exactly once across a failure and a rescale, in the style of flink-connector-kafka's KafkaSinkITCase:
     * the first run (parallelism 2) fails after a completed checkpoint, with records written since that
     * the failure must roll back, and no restart; the second starts from the checkpoint it retained, at
     * parallelism 1, and runs until every output has arrived. (Unbounded: a bounded KafkaSource restored
     * from a checkpoint never finishes, FLINK-31006.) At parallelism 1 one reader takes both partitions,
     * whose positions differ by what the two readers of the first run had read; the job's watermark is
     * per subtask, so the restored run gets an out-of-orderness that covers that skew, as
     * docs/reliability.md tells operators to do when they rescale with a backlog.
     */
    @Test
    void shouldDecideEveryEventAndWriteTasksAndActionsExactlyOnce() throws Exception {
        TopicScope run = newRun();
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, REVIEW, ACTION)));
        List<ContentEvent> events = mixedEvents(400, "c");
        run.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
        run.produce(
                "user.signals",
                UserSignal.class,
                List.of(new UserSignal("user-3", 400, 0, 0, true, DetectionFixtures.T0, Map.of())),
                UserSignal::getUserId);

        Configuration options = DetectionJobRun.options(run, defaults, true);
        FailureInjection failure = FailureInjection.seeded(7, 1, 1, 30, Duration.ofMillis(20));
        Path checkpoints = tmp.resolve("checkpoints");
        StreamExecutionEnvironment first =
                DetectionJobRun.environment(checkpoints, Checkpoints.retainedWithoutRestarts());
        DetectionJobRun.build(first, run, options, "it-" + run.prefix(), failure::applyTo);
        Checkpoints.expectPlannedFailure(() -> first.execute("detection-it-fails"));
        assertThat(failure.injected()).isEqualTo(1);

        StreamExecutionEnvironment second = DetectionJobRun.environment(
                tmp.resolve("checkpoints-2"), Checkpoints.restoreFrom(Checkpoints.latest(checkpoints)));
        second.setParallelism(1);
        Configuration restoredOptions = DetectionJobRun.options(run, defaults, false);
        restoredOptions.set(DetectionOptions.OUT_OF_ORDERNESS, Duration.ofMinutes(10));
        DetectionJobRun.build(second, run, restoredOptions, "it-" + run.prefix(), failure::applyTo);
        JobClient restored = second.executeAsync("detection-it-restored");
        try {
            assertExactlyOnceOutputs(run, events);
        } finally {
            restored.cancel().get();
        }
    }

    private static void assertExactlyOnceOutputs(TopicScope run, List<ContentEvent> events) throws Exception {
        Map<String, String> expected = events.stream()
                .collect(Collectors.toMap(
                        ContentEvent::getContentId, DetectionJobITCase::expectedBand, (a, b) -> a, TreeMap::new));
        long reviews = expected.values().stream()
                .filter(b -> b.equals("REVIEW") || b.equals("HOLD"))
                .count();
        long actions = expected.values().stream()
                .filter(b -> !b.equals("ALLOW") && !b.equals("REVIEW"))
                .count();
        assertThat(reviews).isPositive();
        assertThat(actions).isPositive();

        List<RiskDecision> decisions = run.read("risk.decisions", RiskDecision.class, events.size());
        List<ReviewTask> tasks = run.read("review.tasks", ReviewTask.class, (int) reviews);
        List<EnforcementAction> enforcement = run.read("enforcement.actions", EnforcementAction.class, (int) actions);

        assertThat(decisions).hasSize(events.size());
        Map<String, String> bands = new TreeMap<>();
        for (RiskDecision d : decisions) {
            assertThat(d.getPolicies())
                    .as("policies decided for %s", d.getContentId())
                    .hasSize(1);
            PolicyDecision spam = d.getPolicies().get(0);
            bands.put(d.getContentId(), spam.getBand());
            assertThat(d.getConfigVersions()).containsEntry("spam", 1L);
            assertThat(spam.getModalityScores()).containsOnlyKeys("text");
            assertThat(d.getModelVersions())
                    .extracting(m -> m.getName() + ":" + m.getVersion())
                    .containsExactly("text-spam:1.0.0");
            assertThat(d.getFeatures()).hasSize(1);
            assertThat(d.getLate()).isFalse();
        }
        assertThat(bands).isEqualTo(expected);
        assertThat(tasks).hasSize((int) reviews);
        assertThat(tasks)
                .extracting(ReviewTask::getContentId)
                .doesNotHaveDuplicates()
                .allMatch(id ->
                        expected.get(id).equals("REVIEW") || expected.get(id).equals("HOLD"));
        assertThat(tasks).allMatch(t -> t.getQueue().equals("spam-en") && t.getPropensity() == 1.0);
        assertThat(enforcement).hasSize((int) actions);
        assertThat(enforcement).allMatch(a -> switch (expected.get(a.getContentId())) {
            case "ACTION" -> a.getAction().equals("LIMIT");
            case "BLOCK" -> a.getAction().equals("BLOCK_PREPUBLISH");
            case "HOLD" -> a.getAction().equals("HOLD_PREPUBLISH");
            default -> false;
        });
        assertThat(run.read("deadletter", DeadLetter.class, 0)).isEmpty();
    }

    @Test
    void shouldDeadLetterEveryPoisonPillAndDecideTheRestExactlyAsACleanRun() throws Exception {
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, REVIEW, ACTION)));
        List<ContentEvent> events = mixedEvents(400, "p");

        TopicScope clean = newRun();
        clean.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
        runBounded(clean, defaults);

        TopicScope poisoned = newRun();
        RegistryAvroSerializer<ContentEvent> serializer = RegistryAvroSerializer.forTopic(
                ContentEvent.class, poisoned.registry(), poisoned.topic("content.events"));
        serializer.open(null);
        byte[] valid = serializer.serialize(events.get(0));
        byte[] unknownSchemaId = valid.clone();
        unknownSchemaId[1] = 0x7f; // schema id 0x7f....: never registered
        byte[] blankUser = serializer.serialize(ContentEvent.newBuilder(events.get(1))
                .setContentId("poison-blank-user")
                .setUserId(" ")
                .build());
        List<byte[]> poison = List.of(
                "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8), // wrong magic byte
                unknownSchemaId,
                java.util.Arrays.copyOf(valid, 9), // truncated body
                blankUser); // decodes, but a required field is blank
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (i % 100 == 50) { // 4 pills in 400 events: 1 %
                keys.add("poison-" + i);
                values.add(poison.get(i / 100));
            }
            keys.add(events.get(i).getContentId());
            values.add(serializer.serialize(events.get(i)));
        }
        CLUSTER.kafka().produce(poisoned.topic("content.events"), keys, values);
        runBounded(poisoned, defaults);

        List<DeadLetter> deadLetters = poisoned.read("deadletter", DeadLetter.class, poison.size());
        assertThat(deadLetters).hasSize(poison.size());
        assertThat(deadLetters)
                .allMatch(d -> d.getSourceTopic().equals(poisoned.topic("content.events"))
                        && d.getOffset() >= 0
                        && d.getValue() != null
                        && !d.getError().isBlank());
        assertThat(deadLetters)
                .extracting(DeadLetter::getValue)
                .containsExactlyInAnyOrderElementsOf(
                        poison.stream().map(ByteBuffer::wrap).toList());
        assertThat(deadLetters).anyMatch(d -> d.getError().contains("userId"));

        assertThat(comparable(poisoned.read("risk.decisions", RiskDecision.class, events.size())))
                .isEqualTo(comparable(clean.read("risk.decisions", RiskDecision.class, events.size())));
        assertThat(comparableTasks(poisoned.read("review.tasks", ReviewTask.class, 1)))
                .isEqualTo(comparableTasks(clean.read("review.tasks", ReviewTask.class, 1)));
    }

    @Test
    void shouldApplyAConfigChangeMidStreamOnlyToLaterEvents() throws Exception {
        TopicScope run = newRun();
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, REVIEW, ACTION)));
        // v1 is published too: the stream's first config replaces the default whatever its version
        run.produce(
                "policy.config",
                PolicyConfig.class,
                List.of(DetectionFixtures.spamPolicy(1, REVIEW, ACTION)),
                PolicyConfig::getPolicyId);

        JobClient job = DetectionJobRun.start(
                DetectionJobRun.environment(tmp.resolve("checkpoints")),
                run,
                DetectionJobRun.options(run, defaults, false));
        try {
            List<ContentEvent> before = mixedEvents(60, "before-");
            run.produce("content.events", ContentEvent.class, before, ContentEvent::getContentId);
            assertThat(run.read("risk.decisions", RiskDecision.class, before.size()))
                    .hasSize(before.size());

            // v2 lowers the action threshold below every borderline score: REVIEW items become ACTION
            run.produce(
                    "policy.config",
                    PolicyConfig.class,
                    List.of(DetectionFixtures.spamPolicy(2, REVIEW, 0.34)),
                    PolicyConfig::getPolicyId);
            // an invalid v3 (review above action) is rejected and changes nothing
            run.produce(
                    "policy.config",
                    PolicyConfig.class,
                    List.of(DetectionFixtures.spamPolicy(3, 0.8, 0.5)),
                    PolicyConfig::getPolicyId);
            List<ConfigAudit> audits = run.read("config.audit", ConfigAudit.class, 3);
            assertThat(audits)
                    .extracting(a -> a.getVersion() + ":" + a.getStatus())
                    .containsExactly("1:ACCEPTED", "2:ACCEPTED", "3:REJECTED");
            assertThat(audits.get(2).getReason()).contains("reviewThreshold");

            List<ContentEvent> after = mixedEvents(60, "after-");
            run.produce("content.events", ContentEvent.class, after, ContentEvent::getContentId);
            List<RiskDecision> decisions = run.read("risk.decisions", RiskDecision.class, before.size() + after.size());
            assertThat(decisions).hasSize(before.size() + after.size());
            for (RiskDecision d : decisions) {
                boolean later = d.getContentId().startsWith("after-");
                PolicyDecision spam = d.getPolicies().get(0);
                assertThat(d.getConfigVersions().get("spam"))
                        .as(d.getContentId())
                        .isEqualTo(later ? 2L : 1L);
                assertThat(spam.getActionThreshold()).isEqualTo(later ? 0.34 : ACTION);
                if (spam.getFusedRisk() >= REVIEW) {
                    String expected = later ? (d.getPrePublish() ? "BLOCK" : "ACTION") : expectedBandFor(d, spam);
                    assertThat(spam.getBand()).as(d.getContentId()).isEqualTo(expected);
                }
            }
            assertThat(decisions.stream()
                            .filter(d -> d.getContentId().startsWith("before-"))
                            .map(d -> d.getPolicies().get(0).getBand()))
                    .contains("REVIEW");
            assertThat(decisions.stream()
                            .filter(d -> d.getContentId().startsWith("after-"))
                            .map(d -> d.getPolicies().get(0).getBand()))
                    .doesNotContain("REVIEW", "HOLD");
        } finally {
            job.cancel().get();
        }
    }

    private static String expectedBandFor(RiskDecision d, PolicyDecision spam) {
        boolean pre = d.getPrePublish();
        if (spam.getFusedRisk() >= ACTION) {
            return pre ? "BLOCK" : "ACTION";
        }
        return pre ? "HOLD" : "REVIEW";
    }

    /** Decisions without processing-time fields, by content id. */
    private static Map<String, String> comparable(List<RiskDecision> decisions) {
        Map<String, String> byId = new TreeMap<>();
        for (RiskDecision d : decisions) {
            byId.put(
                    d.getContentId(),
                    RiskDecision.newBuilder(d).setDecidedAtMillis(0).build().toString());
        }
        return byId;
    }

    private static Map<String, String> comparableTasks(List<ReviewTask> tasks) {
        Map<String, String> byId = new TreeMap<>();
        for (ReviewTask t : tasks) {
            byId.put(
                    t.getContentId(),
                    ReviewTask.newBuilder(t).setCreatedAtMillis(0).build().toString());
        }
        return byId;
    }
}
