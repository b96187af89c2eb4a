package io.moderato.jobs.feedback;

import static io.moderato.jobs.testing.FeedbackFixtures.HOUR;
import static io.moderato.jobs.testing.FeedbackFixtures.MINUTE;
import static io.moderato.jobs.testing.FeedbackFixtures.SPAM_MODELS;
import static io.moderato.jobs.testing.FeedbackFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.jobs.testing.Checkpoints;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FailureInjection;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.jobs.testing.FeedbackJobRun;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FeedbackJob end to end on an embedded Kafka broker and a MiniCluster (parallelism 2, RocksDB,
 * exactly-once checkpoints): Confluent-framed decisions, labels, tasks and config in; training
 * examples, metric snapshots, drift alerts, compliance reports, unmatched labels and dead letters
 * out, read with read_committed; the training example files read back by the retraining hook's
 * reader. Every expected count is computed here from the inputs.
 *
 * <p>Inputs: hour 0 has 600 spam decisions whose text scores reproduce the text-spam manifest's
 * reference histogram exactly (shuffled); hour 1 has 300 decisions scored in [0.40, 0.60], where the
 * reference has almost no mass: the injected drift. Every fifth decision is labelled 20 minutes
 * later (a quarter of them violating, independently of the score, so the label-based detectors see
 * stationary rates); five labelled items get a second, disagreeing review (the verdict flips), ten
 * labels are redelivered, one label has no decision, one is for a policy the decision lacks.
 */
class FeedbackJobITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    @TempDir
    Path tmp;

    /** Options of a bounded run on {@code run}'s topics with {@code config} as the default policy. */
    private Configuration options(TopicScope run, PolicyConfig config, Path files) {
        return FeedbackJobRun.options(run, config, tmp, files, true);
    }

    /** Runs the job to the end of its input; {@code overrides} on top of the production settings. */
    private void run(TopicScope run, Configuration conf, Configuration overrides) throws Exception {
        FeedbackJobRun.runBounded(FeedbackJobRun.environment(tmp.resolve("checkpoints"), overrides), run, conf);
    }

    /**
     * Issue 7, defect 1 on the FeedbackJob: a label dated hours ahead used to reach the unmatched-labels
     * sink with its own time as the record timestamp, which the broker refuses (more than 1 h ahead);
     * the exactly-once sink then failed the job on every replay.
     */
    @Test
    void shouldDeadLetterLabelsDatedOutsideTheBoundsAndStampEveryOutputAtWriteTime() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "feedback-hostile");
        FeedbackJobRun.createTopics(run, 2);
        long now = System.currentTimeMillis() / MINUTE * MINUTE; // the bounds are relative to processing time
        RiskDecision decision = FeedbackFixtures.spamDecision("d1", now - 30 * MINUTE, "comment", 0.6);
        List<ReviewLabel> labels = List.of(
                FeedbackFixtures.label("d1", true, "r1", "REVIEW", now - 20 * MINUTE),
                FeedbackFixtures.label(
                        "no-decision", true, "r1", "REVIEW", now + 3 * MINUTE), // within bounds: unmatched
                FeedbackFixtures.label("ahead-2h", true, "r1", "REVIEW", now + 120 * MINUTE),
                FeedbackFixtures.label("year-3000", true, "r1", "REVIEW", 32_503_680_000_000L),
                FeedbackFixtures.label("ancient", true, "r1", "REVIEW", now - 60L * 24 * 60 * MINUTE));
        run.produce("risk.decisions", RiskDecision.class, List.of(decision), RiskDecision::getContentId);
        run.produce("review.labels", ReviewLabel.class, labels, ReviewLabel::getContentId);
        PolicyConfig config = FeedbackFixtures.spamConfig(1, 0.5, 0.9);
        Configuration conf = options(run, config, tmp.resolve("hostile-files"));
        conf.set(FeedbackOptions.MAX_PAST, Duration.ofDays(30));

        run(run, conf, DetectionJobRun.noRestarts());

        List<DeadLetter> deadLetters = run.read("deadletter", DeadLetter.class, 3);
        assertThat(deadLetters).hasSize(3);
        assertThat(deadLetters)
                .extracting(DeadLetter::getError)
                .allMatch(e -> e.contains("'labelledAtMillis'"))
                .anyMatch(e -> e.contains("feedback.event-time.max-future"))
                .anyMatch(e -> e.contains("feedback.event-time.max-past"));
        assertThat(run.read("training.examples", TrainingExample.class, 1))
                .extracting(TrainingExample::getContentId)
                .containsExactly("d1");
        List<ConsumerRecord<byte[], byte[]>> unmatched =
                CLUSTER.kafka().readCommitted(run.topic("review.labels.unmatched"), 1, TopicScope.READ_TIMEOUT);
        assertThat(unmatched).hasSize(1);
        // stamped when written, not with the label's time three minutes ahead
        assertThat(unmatched.get(0).timestamp()).isLessThanOrEqualTo(System.currentTimeMillis());
    }

    /** One labelled decision: its item, the final verdict, and whether its verdict flipped. */
    record Labelled(RiskDecision decision, boolean finalViolating, boolean flipped) {
        PolicyDecision spam() {
            return decision.getPolicies().get(0);
        }
    }

    @Test
    void shouldTurnDecisionsAndLabelsIntoExamplesMetricsDriftAlertsAndComplianceExactlyOnce() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "feedback");
        FeedbackJobRun.createTopics(run, 2);

        // ---- decisions: hour 0 like the reference, hour 1 shifted
        List<Double> hour0 = new ArrayList<>(ScoreDriftTest.referenceLikeScores());
        assertThat(hour0).hasSize(600);
        Collections.shuffle(hour0, new Random(42));
        List<RiskDecision> decisions = new ArrayList<>();
        for (int i = 0; i < hour0.size(); i++) {
            decisions.add(FeedbackFixtures.spamDecision(
                    "a" + i, T0 + i * 5_000L, i % 2 == 0 ? "comment" : "post", hour0.get(i)));
        }
        for (int i = 0; i < 300; i++) {
            decisions.add(FeedbackFixtures.spamDecision(
                    "b" + i, T0 + HOUR + i * 10_000L, i % 2 == 0 ? "comment" : "post", 0.40 + (i % 21) * 0.01));
        }

        // ---- labels on every fifth decision, conflicts, redeliveries, an orphan, a foreign policy
        List<ReviewLabel> labels = new ArrayList<>();
        List<Labelled> labelled = new ArrayList<>();
        for (int i = 0; i < decisions.size(); i += 5) {
            RiskDecision d = decisions.get(i);
            String source = d.getPolicies().get(0).getBand().equals("REVIEW") ? "REVIEW" : "AUDIT";
            boolean violating = (i / 5) % 4 == 0;
            labels.add(FeedbackFixtures.label(
                    d.getContentId(), violating, "r1", source, d.getEventTimeMillis() + 20 * MINUTE));
            boolean flipped = i / 5 >= 10 && i / 5 < 15;
            if (flipped) {
                labels.add(FeedbackFixtures.label(
                        d.getContentId(), !violating, "r2", "REVIEW", d.getEventTimeMillis() + 30 * MINUTE));
            }
            if (i / 5 >= 20 && i / 5 < 30) {
                labels.add(ReviewLabel.newBuilder(labels.get(labels.size() - 1)).build()); // redelivered
            }
            labelled.add(new Labelled(d, flipped != violating, flipped));
        }
        ReviewLabel orphan = FeedbackFixtures.label("ghost", true, "r1", "REVIEW", T0 + 30 * MINUTE);
        ReviewLabel foreign = ReviewLabel.newBuilder(
                        FeedbackFixtures.label("a7", true, "r1", "REVIEW", T0 + 40 * MINUTE))
                .setPolicyId("nudity")
                .build();
        labels.add(orphan);
        labels.add(foreign);
        labels.sort(Comparator.comparingLong(ReviewLabel::getLabelledAtMillis));

        // ---- review tasks for the REVIEW band, the config in force
        List<ReviewTask> tasks = new ArrayList<>();
        for (RiskDecision d : decisions) {
            if (d.getPolicies().get(0).getBand().equals("REVIEW")) {
                tasks.add(FeedbackFixtures.spamReviewTask(d, d.getDecidedAtMillis() + 86_400_000L));
            }
        }
        assertThat(tasks).isNotEmpty();
        PolicyConfig config = FeedbackFixtures.spamConfig(1, 0.5, 0.9);

        // one poison pill on each of the two main inputs, among the valid records
        List<byte[]> decisionBytes = run.encode("risk.decisions", RiskDecision.class, decisions);
        List<String> decisionKeys = new ArrayList<>(
                decisions.stream().map(RiskDecision::getContentId).toList());
        decisionBytes.add(300, "not avro".getBytes(StandardCharsets.UTF_8));
        decisionKeys.add(300, "poison-decision");
        CLUSTER.kafka().produce(run.topic("risk.decisions"), decisionKeys, decisionBytes);
        List<byte[]> labelBytes = run.encode("review.labels", ReviewLabel.class, labels);
        List<String> labelKeys =
                new ArrayList<>(labels.stream().map(ReviewLabel::getContentId).toList());
        labelBytes.add(50, new byte[] {0, 0, 0, 0});
        labelKeys.add(50, "poison-label");
        CLUSTER.kafka().produce(run.topic("review.labels"), labelKeys, labelBytes);
        run.produce("review.tasks", ReviewTask.class, tasks, ReviewTask::getContentId);
        run.produce("policy.config", PolicyConfig.class, List.of(config), PolicyConfig::getPolicyId);

        // ---- run the job over everything produced, in the style of flink-connector-kafka's KafkaSinkITCase:
        // a first run (parallelism 2) fails after a completed checkpoint with output that must be rolled
        // back, and does not restart; a second starts from the checkpoint it retained at parallelism 1,
        // reads the rest, and is stopped with a drain (end of event time: every window and day closes).
        // Both runs are unbounded: a bounded KafkaSource restored from a checkpoint never finishes (FLINK-31006),
        // and a split the bounded first run had read to its end comes back finished, so the restored reader
        // commits its offset through a short-lived fetcher per checkpoint that can close before the commit
        // completes — the group offset of that partition then never appears (seen once in six runs: 200
        // fetchers in 2 min, the wait below timing out). The second run's out-of-orderness covers the skew of
        // the two partitions that one reader now takes.
        Path files = tmp.resolve("training-files");
        Configuration conf = FeedbackJobRun.options(run, config, tmp, files, false);
        FailureInjection failure = FailureInjection.seeded(11, 1, 1, 30, Duration.ofMillis(20));
        Path checkpoints = tmp.resolve("checkpoints");
        StreamExecutionEnvironment first =
                FeedbackJobRun.environment(checkpoints, Checkpoints.retainedWithoutRestarts());
        FeedbackJobRun.build(first, run, conf, "it-" + run.prefix(), failure::applyTo);
        Checkpoints.expectPlannedFailure(() -> first.execute("feedback-it-fails"));
        assertThat(failure.injected()).isEqualTo(1);

        StreamExecutionEnvironment second = FeedbackJobRun.environment(
                tmp.resolve("checkpoints-2"), Checkpoints.restoreFrom(Checkpoints.latest(checkpoints)));
        second.setParallelism(1);
        Configuration restoredConf = new Configuration(conf);
        restoredConf.set(FeedbackOptions.OUT_OF_ORDERNESS, Duration.ofMinutes(10));
        FeedbackJobRun.build(second, run, restoredConf, "it-" + run.prefix(), failure::applyTo);
        JobClient restored = second.executeAsync("feedback-it-restored");
        try {
            for (String input : List.of("risk.decisions", "review.labels", "review.tasks", "policy.config")) {
                CLUSTER.kafka()
                        .awaitConsumed(
                                "it-" + run.prefix() + "." + run.topic(input),
                                run.topic(input),
                                Duration.ofSeconds(120));
            }
        } catch (Exception e) {
            restored.cancel();
            throw e;
        }
        Checkpoints.stopWithSavepoint(restored, tmp.resolve("savepoints"), true);

        // ---- training examples: one per labelled item, one more per flipped verdict, none for redeliveries
        int flips = (int) labelled.stream().filter(Labelled::flipped).count();
        assertThat(labelled).hasSize(180);
        assertThat(flips).isEqualTo(5);
        int expectedExamples = labelled.size() + flips;
        List<TrainingExample> examples = run.read("training.examples", TrainingExample.class, expectedExamples);
        assertThat(examples).hasSize(expectedExamples);
        Map<String, TrainingExample> latest = new HashMap<>();
        for (TrainingExample e : examples) {
            latest.merge(e.getContentId(), e, (a, b) -> a.getLabelCount() >= b.getLabelCount() ? a : b);
        }
        assertThat(latest).hasSize(labelled.size());
        for (Labelled item : labelled) {
            TrainingExample e = latest.get(item.decision().getContentId());
            assertThat(e.getViolating()).as(item.decision().getContentId()).isEqualTo(item.finalViolating());
            assertThat(e.getWeight()).isEqualTo(1.0 / item.spam().getPropensity());
            assertThat(e.getFusedRisk()).isEqualTo(item.spam().getFusedRisk());
            assertThat(e.getFeatures()).isEqualTo(item.decision().getFeatures());
            assertThat(e.getLabelCount()).isEqualTo(item.flipped() ? 2 : 1);
        }

        // ---- the same examples as Avro container files, read back with the retraining hook's reader
        List<io.moderato.udfs.io.TrainingExampleFiles.Read> fromFiles =
                io.moderato.udfs.io.TrainingExampleFiles.read(List.of(files), message -> {});
        assertThat(fromFiles).hasSize(expectedExamples);
        assertThat(fromFiles)
                .extracting(r -> r.example().getContentId())
                .containsExactlyInAnyOrderElementsOf(
                        examples.stream().map(TrainingExample::getContentId).toList());
        assertThat(fromFiles).allMatch(r -> r.file().toString().contains("policy=spam/day=2026-01-01"));

        // ---- unmatched labels and dead letters
        assertThat(run.read("review.labels.unmatched", ReviewLabel.class, 2))
                .containsExactlyInAnyOrder(orphan, foreign);
        List<DeadLetter> deadLetters = run.read("deadletter", DeadLetter.class, 2);
        assertThat(deadLetters)
                .extracting(d -> d.getSourceTopic().substring(run.prefix().length()))
                .containsExactlyInAnyOrder("risk.decisions", "review.labels");
        assertThat(deadLetters).allMatch(d -> d.getJob().equals("feedback"));

        // ---- metric snapshots: 3 keys (comment, post, *) × (two 1h, one 24h, two cumulative)
        List<MetricSnapshot> snapshots = run.read("quality.metrics", MetricSnapshot.class, 15);
        assertThat(snapshots).hasSize(15);
        assertThat(snapshots)
                .allMatch(s -> s.getPolicyId().equals("spam")
                        && s.getModelVersion().equals(SPAM_MODELS)
                        && s.getModality().equals("fused")
                        && s.getThreshold() == 0.9);
        for (String surface : List.of("comment", "post", "*")) {
            assertThat(snapshots.stream()
                            .filter(s -> s.getSurface().equals(surface))
                            .map(MetricSnapshot::getWindowKind))
                    .as(surface)
                    .containsExactlyInAnyOrder("1h", "1h", "24h", "cumulative", "cumulative");
        }
        // the whole day, all surfaces: weighted confusion of the final verdicts, computed here from the inputs
        MetricSnapshot day = snapshots.stream()
                .filter(s -> s.getSurface().equals("*") && s.getWindowKind().equals("24h"))
                .findFirst()
                .orElseThrow();
        double tp = 0, fp = 0, tn = 0, fn = 0;
        for (Labelled item : labelled) {
            double w = 1.0 / item.spam().getPropensity();
            boolean predicted = item.spam().getFusedRisk() >= 0.9;
            if (predicted) {
                if (item.finalViolating()) {
                    tp += w;
                } else {
                    fp += w;
                }
            } else {
                if (item.finalViolating()) {
                    fn += w;
                } else {
                    tn += w;
                }
            }
        }
        assertThat(day.getLabelCount()).isEqualTo(labelled.size());
        assertThat(day.getTruePositives()).isCloseTo(tp, within(1e-9));
        assertThat(day.getFalsePositives()).isCloseTo(fp, within(1e-9));
        assertThat(day.getTrueNegatives()).isCloseTo(tn, within(1e-9));
        assertThat(day.getFalseNegatives()).isCloseTo(fn, within(1e-9));
        assertThat(day.getPrecision().getValue()).isCloseTo(tp / (tp + fp), within(1e-12));
        assertThat(day.getWindowStartMillis()).isEqualTo(T0);
        MetricSnapshot lastCumulative = snapshots.stream()
                .filter(s -> s.getSurface().equals("*") && s.getWindowKind().equals("cumulative"))
                .max(Comparator.comparingLong(MetricSnapshot::getWindowEndMillis))
                .orElseThrow();
        assertThat(lastCumulative.getLabelCount()).isEqualTo(labelled.size());
        assertThat(lastCumulative.getTruePositives()).isCloseTo(tp, within(1e-9));

        // ---- drift: only the shifted hour, by both score detectors; the labelled rates are stationary
        List<DriftAlert> alerts = run.read("drift.alerts", DriftAlert.class, 2);
        assertThat(alerts).extracting(DriftAlert::getDetector).containsExactlyInAnyOrder("PSI", "KS");
        for (DriftAlert alert : alerts) {
            assertThat(alert.getPolicyId()).isEqualTo("spam");
            assertThat(alert.getModality()).isEqualTo("text");
            assertThat(alert.getModelVersion()).isEqualTo("text-spam:1.0.0");
            assertThat(alert.getWindowStartMillis()).isEqualTo(T0 + HOUR);
            assertThat(alert.getWindowEndMillis()).isEqualTo(T0 + 2 * HOUR);
            assertThat(alert.getStatistic()).isGreaterThan(alert.getThreshold());
            assertThat(alert.getSeverity()).isEqualTo("CRITICAL");
            assertThat(alert.getDetails()).containsEntry("items", "300");
        }

        // ---- compliance: one report for the one policy-day
        List<ComplianceReport> reports = run.read("compliance.reports", ComplianceReport.class, 1);
        assertThat(reports).hasSize(1);
        ComplianceReport report = reports.get(0);
        long automated = decisions.stream()
                .filter(d -> d.getPolicies().get(0).getBand().equals("ACTION"))
                .count();
        assertThat(report.getPolicyId()).isEqualTo("spam");
        assertThat(report.getDayStartMillis()).isEqualTo(T0);
        assertThat(report.getDecisions()).isEqualTo(decisions.size());
        assertThat(report.getActionsAutomated()).isEqualTo(automated);
        assertThat(report.getReviewTasks()).isEqualTo(tasks.size());
        assertThat(report.getLabelledItems()).isEqualTo(labelled.size());
        assertThat(report.getLabelsBySource().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .as("distinct labels, redeliveries once")
                .isEqualTo(labelled.size() + flips);
        assertThat(report.getGeneratedAtMillis()).isEqualTo(T0 + 86_400_000L - 1);

        // ---- and rendered from the topic by the CLI
        Path markdown = tmp.resolve("compliance.md");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = ComplianceReportFromKafkaCli.run(
                new String[] {
                    "--bootstrap",
                    CLUSTER.kafka().bootstrapServers(),
                    "--registry",
                    run.registry(),
                    "--topic",
                    run.topic("compliance.reports"),
                    "--out",
                    markdown.toString()
                },
                System.out,
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 report(s) read");
        assertThat(java.nio.file.Files.readString(markdown)).contains("spam").contains("2026-01-01");
    }
}
