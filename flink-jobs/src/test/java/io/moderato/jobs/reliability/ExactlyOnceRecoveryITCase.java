package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.testing.Committed;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FailureInjection;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.jobs.testing.FeedbackJobRun;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.OutputComparison;
import io.moderato.jobs.testing.RunComparison;
import io.moderato.jobs.testing.SequenceCheck;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill and restore equals a clean run (issue 10, items 1 and 2). Each job runs twice over the same
 * input topics: once without failures (the reference) and once failing five times at seeded points
 * after completed checkpoints (a failing map chained to the main source, {@link FailureInjection}),
 * restarting from the last checkpoint each time. What a read_committed consumer sees of every output
 * must then be the reference's: nothing lost, nothing duplicated, and the same per-partition order
 * within every group whose order the job guarantees. Then the per-key sequence check after every
 * stateful stage: each key's sequence numbers (from the input) without gap or repeat.
 *
 * <p>Quality metrics are compared to 12 significant digits: their calibration error and Brier score
 * are sums of doubles in label arrival order, and two runs interleave the two label partitions
 * differently (two clean runs differ in the last bits too); every count and weight must match exactly.
 */
class ExactlyOnceRecoveryITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    private static final int FAILURES = 5;
    private static final long SEED = 20_261_207L;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    /** Until an attempt's first checkpoint, its source is slowed so the input outlasts every planned failure. */
    private static final Duration THROTTLE = Duration.ofMillis(20);

    @TempDir
    Path tmp;

    @Test
    void shouldCommitExactlyWhatACleanRunCommitsWhenTheDetectionJobIsKilledFiveTimes() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "recovery-detection");
        DetectionJobRun.createTopics(run, 2);
        int users = 60;
        int items = 40;
        List<ContentEvent> events = DetectionFixtures.numberedEvents("", users, items, DetectionFixtures.T0);
        run.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
        Configuration options = DetectionJobRun.options(
                run, DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.statefulSpamPolicy(1))), true);
        // a bounded replay: no pause of a slow machine counts as quiet, no partition as idle
        options.set(DetectionOptions.QUIET_ADVANCE, Duration.ofHours(1));
        options.set(DetectionOptions.SOURCE_IDLENESS, Duration.ofHours(1));

        Configuration clean = DetectionJobRun.writingTo(options, run, "clean", 2);
        StreamExecutionEnvironment cleanEnv =
                DetectionJobRun.environment(tmp.resolve("clean"), DetectionJobRun.noRestarts());
        DetectionJobRun.build(
                cleanEnv, run, clean, "it-clean-" + run.prefix(), FailureInjection.none(Duration.ZERO)::applyTo);
        cleanEnv.execute("detection-clean");

        FailureInjection failures = FailureInjection.seeded(SEED, FAILURES, 1, 150, THROTTLE);
        Configuration failing = DetectionJobRun.writingTo(options, run, "failing", 2);
        StreamExecutionEnvironment failingEnv = DetectionJobRun.environment(
                tmp.resolve("failing"), DetectionJobRun.fastRestarts(FAILURES + 2, CHECKPOINT_INTERVAL));
        DetectionJobRun.build(failingEnv, run, failing, "it-failing-" + run.prefix(), failures::applyTo);
        long started = System.nanoTime();
        failingEnv.execute("detection-failing");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(failures.injected()).as("failures injected").isEqualTo(FAILURES);

        List<Committed<RiskDecision>> decisions =
                run.readCommitted("failing.risk.decisions", RiskDecision.class, events.size());
        List<Committed<ReviewTask>> tasks = run.readCommitted("failing.review.tasks", ReviewTask.class, 1);
        List<Committed<EnforcementAction>> actions =
                run.readCommitted("failing.enforcement.actions", EnforcementAction.class, 0);
        List<OutputComparison.Report> reports = RunComparison.detection(run, "clean", "failing", events.size());
        System.out.printf(
                "DetectionJob, %d events, %d planned failures (records after a checkpoint: %s) after checkpoints %s, "
                        + "%d s:%n",
                events.size(), FAILURES, failures.points(), failures.afterCheckpoints(), seconds);
        reports.forEach(r -> System.out.println("  " + r));
        assertThat(reports).allMatch(OutputComparison.Report::identical);
        assertThat(decisions).hasSize(events.size());
        assertThat(tasks).isNotEmpty();
        assertThat(decisions).anyMatch(d -> d.value().getPolicies().get(0).getEscalated());

        // per-key sequences after each stateful stage: the decider (per user), the router (per queue)
        Map<String, List<Long>> perUser = SequenceCheck.sequences(
                decisions, c -> c.value().getUserId(), d -> DetectionFixtures.sequenceOf(d.getContentId()));
        Map<String, SortedSet<Long>> everyItem = new TreeMap<>();
        for (int u = 0; u < users; u++) {
            everyItem.put("user-" + u, SequenceCheck.range(0, items - 1));
        }
        assertThat(SequenceCheck.gaps(perUser, everyItem))
                .as("decisions per user: gaps")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(SequenceCheck.sequences(
                        decisions,
                        c -> c.partition() + " " + c.value().getUserId() + " " + OutputComparison.writerOf(c.value()),
                        d -> DetectionFixtures.sequenceOf(d.getContentId()))))
                .as("decisions per user and writer")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(SequenceCheck.sequences(
                        actions,
                        c -> c.partition() + " " + c.value().getUserId(),
                        a -> DetectionFixtures.sequenceOf(a.getContentId()))))
                .as("enforcement actions per user")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(SequenceCheck.sequences(
                        tasks, c -> c.partition() + " " + c.value().getQueue(), ReviewTask::getEventTimeMillis)))
                .as("review tasks per queue, in admission (event-time) order")
                .isEmpty();
    }

    @Test
    void shouldCommitExactlyWhatACleanRunCommitsWhenTheFeedbackJobIsKilledFiveTimes() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "recovery-feedback");
        FeedbackJobRun.createTopics(run, 2);
        FeedbackFixtures.Input input = FeedbackFixtures.mixed("d", FeedbackFixtures.T0, 2_400, SEED);
        FeedbackJobRun.produce(run, input);
        Configuration options =
                FeedbackJobRun.options(run, FeedbackFixtures.spamConfig(1, 0.5, 0.9), tmp, tmp.resolve("files"), true);

        Configuration clean = FeedbackJobRun.writingTo(options, run, "clean", 2, tmp.resolve("clean-files"));
        StreamExecutionEnvironment cleanEnv =
                FeedbackJobRun.environment(tmp.resolve("clean"), DetectionJobRun.noRestarts());
        FeedbackJobRun.build(
                cleanEnv, run, clean, "it-clean-" + run.prefix(), FailureInjection.none(Duration.ZERO)::applyTo);
        cleanEnv.execute("feedback-clean");

        FailureInjection failures = FailureInjection.seeded(SEED, FAILURES, 1, 150, THROTTLE);
        Configuration failing = FeedbackJobRun.writingTo(options, run, "failing", 2, tmp.resolve("failing-files"));
        StreamExecutionEnvironment failingEnv = FeedbackJobRun.environment(
                tmp.resolve("failing"), DetectionJobRun.fastRestarts(FAILURES + 2, CHECKPOINT_INTERVAL));
        FeedbackJobRun.build(failingEnv, run, failing, "it-failing-" + run.prefix(), failures::applyTo);
        long started = System.nanoTime();
        failingEnv.execute("feedback-failing");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(failures.injected()).as("failures injected").isEqualTo(FAILURES);

        List<Committed<TrainingExample>> examples = read(run, "failing.training.examples", TrainingExample.class, 1);
        List<Committed<MetricSnapshot>> snapshots = read(run, "failing.quality.metrics", MetricSnapshot.class, 1);
        List<Committed<ComplianceReport>> compliance =
                read(run, "failing.compliance.reports", ComplianceReport.class, 1);
        List<OutputComparison.Report> reports = RunComparison.feedback(run, "clean", "failing");
        System.out.printf(
                "FeedbackJob, %d decisions + %d labels, %d planned failures (records after a checkpoint: %s) "
                        + "after checkpoints %s, %d s:%n",
                input.decisions().size(),
                input.labels().size(),
                FAILURES,
                failures.points(),
                failures.afterCheckpoints(),
                seconds);
        reports.forEach(r -> System.out.println("  " + r));
        assertThat(reports).allMatch(OutputComparison.Report::identical);
        assertThat(examples).isNotEmpty();
        // the exactly-once file sink: the same examples in committed files
        assertThat(exampleFiles(tmp.resolve("failing-files")))
                .hasSize(examples.size())
                .containsExactlyInAnyOrderElementsOf(exampleFiles(tmp.resolve("clean-files")));
        assertThat(snapshots).isNotEmpty();
        assertThat(compliance).isNotEmpty();

        // per-key sequences after each stateful stage: the join (label count per item), the metrics and
        // compliance (window or report time per key)
        Map<String, List<Long>> labelCounts =
                SequenceCheck.sequences(examples, c -> c.value().getContentId(), TrainingExample::getLabelCount);
        Map<String, SortedSet<Long>> fromOne = new TreeMap<>();
        labelCounts.forEach((id, counts) -> fromOne.put(
                id,
                SequenceCheck.range(
                        1, counts.stream().mapToLong(Long::longValue).max().orElse(0))));
        assertThat(SequenceCheck.gaps(labelCounts, fromOne))
                .as("training examples per item: gaps")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(labelCounts))
                .as("training examples per item")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(SequenceCheck.sequences(
                        snapshots,
                        c -> c.partition() + " " + RunComparison.metricKey(c.value()),
                        MetricSnapshot::getWindowEndMillis)))
                .as("metric snapshots per key and window kind")
                .isEmpty();
        assertThat(SequenceCheck.repeatsOrDisorder(SequenceCheck.sequences(
                        compliance,
                        c -> c.partition() + " " + c.value().getPolicyId() + " "
                                + c.value().getDayStartMillis(),
                        ComplianceReport::getGeneratedAtMillis)))
                .as("compliance reports per policy and day")
                .isEmpty();
    }

    private static List<String> exampleFiles(Path dir) throws Exception {
        return io.moderato.udfs.io.TrainingExampleFiles.read(List.of(dir), message -> {}).stream()
                .map(r -> r.example().toString())
                .toList();
    }

    private static <T extends SpecificRecordBase> List<Committed<T>> read(
            TopicScope run, String topic, Class<T> type, int expected) throws Exception {
        return run.readCommitted(topic, type, expected);
    }
}
