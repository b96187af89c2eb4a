package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.jobs.testing.FeedbackJobRun;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.RunningJob;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.fusion.ContextFeatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed savepoints (issue 10, item 4): a savepoint of each job, taken by this test from fixed input
 * and committed under {@code src/test/resources/savepoints/}, is restored by every build. A change
 * that breaks restore of state written by the committed code — an operator uid, a state name or type,
 * a serializer, a schema change Avro cannot resolve, a max parallelism — fails the build here.
 *
 * <p>Each test produces a placeholder for each record the savepoint was taken over (same topics, same
 * keys, so the same offsets the savepoint's sources hold; bytes that would be dead-lettered if read),
 * restores the savepoint, produces the next stage, drains the job and checks that nothing was
 * dead-lettered and that what only the restored state could give is there: the DetectionJob decides the items
 * that were waiting for their watermark in the savepoint exactly once, with the user signals, the
 * topic's config (version 2) and the per-user windows of before; the FeedbackJob joins the labels that
 * were waiting in the savepoint for their decisions.
 *
 * <p>To refresh the savepoints on purpose (after a deliberate, documented state change), run
 * {@code mvn -pl flink-jobs -am verify -Dit.test=CommittedSavepointITCase -Dmoderato.savepoints.refresh=true}
 * and commit the new directories (docs/reliability.md).
 */
class CommittedSavepointITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    /** Where the committed savepoints live (failsafe runs in the module's directory). */
    private static final Path COMMITTED = Path.of("src", "test", "resources", "savepoints");

    private static final boolean REFRESH = Boolean.getBoolean("moderato.savepoints.refresh");
    private static final int STRIKES = 5;

    @TempDir
    Path tmp;

    @Test
    void shouldRestoreTheCommittedDetectionJobSavepointWithItsState() throws Exception {
        // fixed names: the savepoint's sources hold these topics' offsets, its sinks this transactional prefix
        TopicScope run = new TopicScope(
                CLUSTER.kafka(), "committed-savepoint-detection.", "mock://committed-savepoint-detection");
        DetectionJobRun.createTopics(run, 2);
        Configuration options = DetectionJobRun.options(
                run, DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.statefulSpamPolicy(1))), false);
        options.set(DetectionOptions.QUIET_ADVANCE, Duration.ofHours(1));
        options.set(DetectionOptions.SOURCE_IDLENESS, Duration.ofHours(1));
        options.set(DetectionOptions.OUT_OF_ORDERNESS, Duration.ofMinutes(3));
        RunningJob job = new RunningJob(
                "it-committed-savepoint-detection",
                options,
                true,
                List.of("content.events", "user.signals", "policy.config"));
        CLUSTER.cancelAfterTest(job);
        List<ContentEvent> events = DetectionFixtures.numberedEvents("", 20, 20, DetectionFixtures.T0);
        Predicate<ContentEvent> beforeSavepoint = e -> DetectionFixtures.sequenceOf(e.getContentId()) < 10;

        // the input the savepoint was taken over: a config (version 2), five users' signals, 10 items per user
        produceBeforeSavepoint(
                run,
                "policy.config",
                PolicyConfig.class,
                List.of(PolicyConfig.newBuilder(DetectionFixtures.statefulSpamPolicy(2))
                        .setReviewThreshold(0.45)
                        .build()),
                PolicyConfig::getPolicyId);
        List<UserSignal> signals = new ArrayList<>();
        for (int u = 0; u < 5; u++) {
            signals.add(DetectionFixtures.userSignal("user-" + u, 3, STRIKES, 2, false));
        }
        produceBeforeSavepoint(run, "user.signals", UserSignal.class, signals, UserSignal::getUserId);
        produceBeforeSavepoint(
                run,
                "content.events",
                ContentEvent.class,
                events.stream().filter(beforeSavepoint).toList(),
                ContentEvent::getContentId);
        Path savepoint = committedOrRefreshed(run, job, "detection-job");

        job.start(run, tmp, 2, savepoint.toUri().toString());
        List<ContentEvent> after =
                events.stream().filter(beforeSavepoint.negate()).toList();
        run.produce("content.events", ContentEvent.class, after, ContentEvent::getContentId);
        job.awaitConsumed(run);
        job.stop(tmp, true);

        List<RiskDecision> decisions = run.read("risk.decisions", RiskDecision.class, events.size());
        System.out.printf(
                "DetectionJob restored from %s (%d kB): %d decisions for %d events (%d produced before the "
                        + "savepoint, decided after it)%n",
                savepoint.getFileName(),
                sizeKb(savepoint),
                decisions.size(),
                events.size(),
                events.size() - after.size());
        // the placeholders stand where the savepoint's sources had read: had any been read, it would be dead-lettered
        assertThat(run.read("deadletter", io.moderato.schemas.DeadLetter.class, 0))
                .as("placeholders read")
                .isEmpty();
        // nothing of the savepoint's input was decided before it (3 minutes of out-of-orderness) or twice after;
        // its items, config and signals exist only in the restored state
        assertThat(decisions.stream().map(RiskDecision::getContentId).sorted().toList())
                .isEqualTo(
                        events.stream().map(ContentEvent::getContentId).sorted().toList());
        for (RiskDecision d : decisions) {
            long k = DetectionFixtures.sequenceOf(d.getContentId());
            int user = Integer.parseInt(d.getUserId().substring("user-".length()));
            assertThat(d.getConfigVersions())
                    .as("config of %s", d.getContentId())
                    .containsEntry("spam", 2L);
            assertThat(d.getContextFeatures().get(ContextFeatures.PRIOR_STRIKES))
                    .as("user signal of %s", d.getContentId())
                    .isEqualTo(user < 5 ? Math.log1p(STRIKES) : 0.0);
            // the window holds the user's earlier items, read before the savepoint or after it
            assertThat(d.getPolicies().get(0).getUserRisk().getItemCount())
                    .as("window of %s", d.getContentId())
                    .isGreaterThanOrEqualTo((int) k);
        }
    }

    @Test
    void shouldRestoreTheCommittedFeedbackJobSavepointWithItsPendingJoins() throws Exception {
        TopicScope run =
                new TopicScope(CLUSTER.kafka(), "committed-savepoint-feedback.", "mock://committed-savepoint-feedback");
        FeedbackJobRun.createTopics(run, 2);
        Configuration options =
                FeedbackJobRun.options(run, FeedbackFixtures.spamConfig(1, 0.5, 0.9), tmp, tmp.resolve("files"), false);
        options.set(FeedbackOptions.OUT_OF_ORDERNESS, Duration.ofHours(1));
        RunningJob job = new RunningJob(
                "it-committed-savepoint-feedback",
                options,
                false,
                List.of("risk.decisions", "review.labels", "review.tasks"));
        CLUSTER.cancelAfterTest(job);
        FeedbackFixtures.Input input = FeedbackFixtures.mixed("u", FeedbackFixtures.T0, 200, 20_261_207L);
        // before the savepoint: decisions and tasks of the first half, labels of the second (waiting for decisions)
        Predicate<String> firstHalf = id -> Integer.parseInt(id.substring(1)) < 100;

        if (REFRESH) {
            FeedbackJobRun.produce(run, input, firstHalf, firstHalf.negate());
        } else {
            placeholders(
                    run,
                    "risk.decisions",
                    input.decisions().stream()
                            .map(RiskDecision::getContentId)
                            .filter(firstHalf)
                            .toList());
            placeholders(
                    run,
                    "review.tasks",
                    input.tasks().stream()
                            .map(ReviewTask::getContentId)
                            .filter(firstHalf)
                            .toList());
            placeholders(
                    run,
                    "review.labels",
                    input.labels().stream()
                            .map(ReviewLabel::getContentId)
                            .filter(firstHalf.negate())
                            .toList());
        }
        Path savepoint = committedOrRefreshed(run, job, "feedback-job");

        job.start(run, tmp, 2, savepoint.toUri().toString());
        FeedbackJobRun.produce(run, input, firstHalf.negate(), firstHalf);
        job.awaitConsumed(run);
        job.stop(tmp, true);

        List<TrainingExample> examples = run.read("training.examples", TrainingExample.class, 1);
        Set<String> labelled =
                input.labels().stream().map(ReviewLabel::getContentId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> joined =
                examples.stream().map(TrainingExample::getContentId).collect(Collectors.toCollection(TreeSet::new));
        long waitingInSavepoint = labelled.stream().filter(firstHalf.negate()).count();
        System.out.printf(
                "FeedbackJob restored from %s (%d kB): %d of %d labelled items joined (%d labelled before "
                        + "their decisions, waiting in the savepoint), %d training examples%n",
                savepoint.getFileName(),
                sizeKb(savepoint),
                joined.size(),
                labelled.size(),
                waitingInSavepoint,
                examples.size());
        assertThat(waitingInSavepoint).isPositive();
        assertThat(run.read("deadletter", io.moderato.schemas.DeadLetter.class, 0))
                .as("placeholders read")
                .isEmpty();
        assertThat(joined)
                .as("every label joined its decision, across the savepoint")
                .isEqualTo(labelled);
        assertThat(run.read("review.labels.unmatched", ReviewLabel.class, 0)).isEmpty();
    }

    /**
     * The savepoint's input: the records themselves when the savepoint is taken; when it is restored, a
     * placeholder per record (same key, so the same partition and offset; bytes that cannot decode). The
     * restored sources start after them, so the records' effects can only come from the restored state.
     */
    private static <T extends org.apache.avro.specific.SpecificRecordBase> void produceBeforeSavepoint(
            TopicScope run, String topic, Class<T> type, List<T> records, java.util.function.Function<T, String> key) {
        if (REFRESH) {
            run.produce(topic, type, records, key);
        } else {
            placeholders(run, topic, records.stream().map(key).toList());
        }
    }

    private static void placeholders(TopicScope run, String topic, List<String> keys) {
        byte[] placeholder = "placeholder, not Avro".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        run.kafka()
                .produce(
                        run.topic(topic),
                        keys,
                        keys.stream().map(k -> placeholder).toList());
    }

    /**
     * The committed savepoint {@code name}; in refresh mode first a new one, taken over the input now in the
     * topics (stop without drain, so what waits for event time stays in state) and copied over the old one.
     */
    private Path committedOrRefreshed(TopicScope run, RunningJob job, String name) throws Exception {
        Path committed = COMMITTED.resolve(name).toAbsolutePath();
        if (REFRESH) {
            job.start(run, tmp, 2, null);
            job.awaitConsumed(run);
            job.stop(tmp, false);
            replace(committed, Path.of(java.net.URI.create(job.savepoint())));
        }
        assertThat(committed.resolve("_metadata"))
                .as("committed savepoint %s (refresh with -Dmoderato.savepoints.refresh=true)", committed)
                .exists();
        return committed;
    }

    private static void replace(Path target, Path source) throws IOException {
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
    }

    private static long sizeKb(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                            .mapToLong(p -> p.toFile().length())
                            .sum()
                    / 1024;
        }
    }
}
