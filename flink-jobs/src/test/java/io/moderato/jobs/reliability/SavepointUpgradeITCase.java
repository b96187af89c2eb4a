package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.jobs.testing.Committed;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.jobs.testing.FeedbackJobRun;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.OutputComparison;
import io.moderato.jobs.testing.RunComparison;
import io.moderato.jobs.testing.RunningJob;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.fusion.ContextFeatures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrade from a savepoint (issue 10, item 3) and offsets across downtime (item 12). Each job runs
 * twice at once over the same input topics, fed in three stages: a reference run that is never
 * stopped, and an upgraded run that is stopped with a savepoint (no drain: pending state stays
 * pending) after each stage and started again from it at parallelism 2, then 1, then 2. The input of
 * stages 2 and 3 is produced while the upgraded run is down. In the end both are stopped with a drain
 * (end of event time) and every output of the upgraded run must equal the reference's: nothing lost,
 * nothing duplicated, same order per key. Besides the equality, the test checks that what only state
 * could carry did carry: the user signals and the policy config read before the first savepoint, the
 * per-user windows, the decisions still waiting for their watermark, and the labels and decisions
 * still waiting for their join.
 *
 * <p>Event times: at parallelism 1 one reader takes both partitions of an input, so records of one
 * stage reach the watermark out of order by up to the stage's span; the out-of-orderness covers it
 * (docs/reliability.md tells operators to do the same when they rescale down with a backlog).
 */
class SavepointUpgradeITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER =
            MiniClusterWithKafka.withSlots(4); // the reference and the upgraded run, parallelism 2 each

    /** The parallelism of the upgraded run in stages 1, 2 and 3. */
    private static final int[] PARALLELISM = {2, 1, 2};

    @TempDir
    Path tmp;

    @Test
    void shouldCarryDetectionStateThroughSavepointsAtParallelismTwoThenOneThenTwo() throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "upgrade-detection");
        DetectionJobRun.createTopics(run, 2);
        int users = 20;
        int items = 30; // 10 per stage, 15 s apart: the whole input fits in one 15-minute user window
        List<ContentEvent> events = DetectionFixtures.numberedEvents("", users, items, DetectionFixtures.T0);
        Configuration options = DetectionJobRun.options(
                run, DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.statefulSpamPolicy(1))), false);
        options.set(DetectionOptions.QUIET_ADVANCE, Duration.ofHours(1));
        options.set(DetectionOptions.SOURCE_IDLENESS, Duration.ofHours(1));
        options.set(DetectionOptions.OUT_OF_ORDERNESS, Duration.ofMinutes(3)); // a stage spans 2.5 min
        RunningJob reference = new RunningJob(
                "it-reference-" + run.prefix(),
                DetectionJobRun.writingTo(options, run, "reference", 2),
                true,
                List.of("content.events", "user.signals", "policy.config"));
        RunningJob upgraded = new RunningJob(
                "it-upgraded-" + run.prefix(),
                DetectionJobRun.writingTo(options, run, "upgraded", 2),
                true,
                reference.inputs());
        PolicyConfig published = PolicyConfig.newBuilder(DetectionFixtures.statefulSpamPolicy(2))
                .setReviewThreshold(0.45)
                .build();
        int strikes = 5;
        List<UserSignal> signals = new ArrayList<>();
        for (int u = 0; u < 5; u++) {
            signals.add(DetectionFixtures.userSignal("user-" + u, 3, strikes, 2, false));
        }

        CLUSTER.cancelAfterTest(reference, upgraded);
        long started = System.nanoTime();
        reference.start(run, tmp, 2, null);
        upgraded.start(run, tmp, PARALLELISM[0], null);
        // before the first savepoint only: a config on the topic (version 2 over the defaults' 1) and user signals
        run.produce("policy.config", PolicyConfig.class, List.of(published), PolicyConfig::getPolicyId);
        run.produce("user.signals", UserSignal.class, signals, UserSignal::getUserId);
        reference.awaitConsumed(run);
        upgraded.awaitConsumed(run);
        List<Integer> committedAtSavepoint = new ArrayList<>();
        for (int stage = 0; stage < 3; stage++) {
            int s = stage;
            List<ContentEvent> batch = events.stream()
                    .filter(e -> DetectionFixtures.sequenceOf(e.getContentId()) / 10 == s)
                    .toList();
            run.produce(
                    "content.events",
                    ContentEvent.class,
                    batch,
                    ContentEvent::getContentId); // stages 2, 3: run is down
            if (stage > 0) {
                upgraded.start(run, tmp, PARALLELISM[stage], upgraded.savepoint());
            }
            reference.awaitConsumed(run);
            upgraded.awaitConsumed(run);
            if (stage < 2) {
                upgraded.stop(tmp, false);
                committedAtSavepoint.add(run.readCommitted("upgraded.risk.decisions", RiskDecision.class, 0)
                        .size());
            }
        }
        reference.stop(tmp, true);
        upgraded.stop(tmp, true);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        List<OutputComparison.Report> reports = RunComparison.detection(run, "reference", "upgraded", events.size());
        List<RiskDecision> decisions = run.read("upgraded.risk.decisions", RiskDecision.class, events.size());
        Set<String> producedWhileDown = events.stream()
                .map(ContentEvent::getContentId)
                .filter(id -> DetectionFixtures.sequenceOf(id) >= 10)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> decided = decisions.stream().map(RiskDecision::getContentId).collect(Collectors.toSet());
        System.out.printf(
                "DetectionJob upgraded at parallelism %s through 2 savepoints, %d events (%d produced while it "
                        + "was down, %d of them decided), decisions committed at the savepoints %s, %d s:%n",
                java.util.Arrays.toString(PARALLELISM),
                events.size(),
                producedWhileDown.size(),
                producedWhileDown.stream().filter(decided::contains).count(),
                committedAtSavepoint,
                seconds);
        reports.forEach(r -> System.out.println("  " + r));
        assertThat(reports).allMatch(OutputComparison.Report::identical);
        assertThat(decisions).hasSize(events.size());
        assertThat(decided)
                .as("offsets: every record produced while the job was down is decided")
                .containsAll(producedWhileDown);
        // decisions of the first stage were still waiting for their watermark at the first savepoint
        assertThat(committedAtSavepoint.get(0)).isLessThan(events.size() / 3);

        Predicate<RiskDecision> lastStage = d -> DetectionFixtures.sequenceOf(d.getContentId()) >= 20;
        for (RiskDecision d : decisions.stream().filter(lastStage).toList()) {
            long k = DetectionFixtures.sequenceOf(d.getContentId());
            assertThat(d.getConfigVersions())
                    .as("config of %s", d.getContentId())
                    .containsEntry("spam", 2L);
            // the window holds the user's items of stages 1 and 2, decided before two restores
            assertThat(d.getPolicies().get(0).getUserRisk().getItemCount())
                    .as("window of %s", d.getContentId())
                    .isGreaterThanOrEqualTo((int) k);
            int user = Integer.parseInt(d.getUserId().substring("user-".length()));
            Map<String, Double> context = d.getContextFeatures();
            assertThat(context.get(ContextFeatures.UNKNOWN_USER))
                    .as("user signal of %s", d.getUserId())
                    .isEqualTo(user < 5 ? 0.0 : 1.0);
            assertThat(context.get(ContextFeatures.PRIOR_STRIKES)).isEqualTo(user < 5 ? Math.log1p(strikes) : 0.0);
        }
    }

    @Test
    void shouldCarryPendingJoinsAndWindowsOfTheFeedbackJobThroughSavepointsAtParallelismTwoThenOneThenTwo()
            throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), "upgrade-feedback");
        FeedbackJobRun.createTopics(run, 2);
        int count = 600; // one decision every 4 s: 40 minutes, in thirds of 200
        FeedbackFixtures.Input input = FeedbackFixtures.mixed("u", FeedbackFixtures.T0, count, 20_261_207L);
        Configuration options =
                FeedbackJobRun.options(run, FeedbackFixtures.spamConfig(1, 0.5, 0.9), tmp, tmp.resolve("files"), false);
        // one reader of both partitions at parallelism 1 sees a stage's records up to its span apart
        options.set(FeedbackOptions.OUT_OF_ORDERNESS, Duration.ofHours(1));
        RunningJob reference = new RunningJob(
                "it-reference-" + run.prefix(),
                FeedbackJobRun.writingTo(options, run, "reference", 2, tmp.resolve("reference-files")),
                false,
                List.of("risk.decisions", "review.labels", "review.tasks"));
        RunningJob upgraded = new RunningJob(
                "it-upgraded-" + run.prefix(),
                FeedbackJobRun.writingTo(options, run, "upgraded", 2, tmp.resolve("upgraded-files")),
                false,
                reference.inputs());

        // stage 1: decisions of the first third, labels of the second (they wait for their decisions);
        // stage 2: decisions of the second and third thirds, labels of the first; stage 3: labels of the third
        CLUSTER.cancelAfterTest(reference, upgraded);
        long started = System.nanoTime();
        reference.start(run, tmp, 2, null);
        upgraded.start(run, tmp, PARALLELISM[0], null);
        for (int stage = 0; stage < 3; stage++) {
            int s = stage;
            Predicate<String> decisionsNow = id -> stage(id) == 0 ? s == 0 : s == 1;
            Predicate<String> labelsNow = id -> stage(id) == 0 ? s == 1 : stage(id) == 1 ? s == 0 : s == 2;
            FeedbackJobRun.produce(run, input, decisionsNow, labelsNow);
            if (stage > 0) {
                upgraded.start(run, tmp, PARALLELISM[stage], upgraded.savepoint());
            }
            reference.awaitConsumed(run);
            upgraded.awaitConsumed(run);
            if (stage < 2) {
                upgraded.stop(tmp, false);
            }
        }
        reference.stop(tmp, true);
        upgraded.stop(tmp, true);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        List<OutputComparison.Report> reports = RunComparison.feedback(run, "reference", "upgraded");
        List<Committed<TrainingExample>> examples =
                run.readCommitted("upgraded.training.examples", TrainingExample.class, 1);
        Set<String> labelled =
                input.labels().stream().map(ReviewLabel::getContentId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> joined =
                examples.stream().map(e -> e.value().getContentId()).collect(Collectors.toCollection(TreeSet::new));
        System.out.printf(
                "FeedbackJob upgraded at parallelism %s through 2 savepoints, %d decisions + %d labels (%d labelled "
                        + "items, %d joined, %d training examples), %d s:%n",
                java.util.Arrays.toString(PARALLELISM),
                input.decisions().size(),
                input.labels().size(),
                labelled.size(),
                joined.size(),
                examples.size(),
                seconds);
        reports.forEach(r -> System.out.println("  " + r));
        assertThat(reports).allMatch(OutputComparison.Report::identical);
        assertThat(joined)
                .as("every label joined its decision across the savepoints")
                .isEqualTo(labelled);
        assertThat(run.read("upgraded.review.labels.unmatched", ReviewLabel.class, 0))
                .isEmpty();
    }

    /** Which third of the FeedbackJob's input item {@code "u<i>"} is in. */
    private static int stage(String contentId) {
        return Integer.parseInt(contentId.substring(1)) / 200;
    }
}
