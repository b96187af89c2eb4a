package io.moderato.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.cli.PolicyConfigCli;
import io.moderato.jobs.cli.TopicReader;
import io.moderato.jobs.cli.TuneCli;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.config.PolicyDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack of {@code scripts/moderato up} for a bounded run: in-process KRaft broker, Apicurio
 * Registry, both jobs on a MiniCluster (RocksDB, exactly-once), traffic from the committed corpora and
 * simulated reviewers. Everything is read back {@code read_committed}, the way any consumer sees it:
 * every event decided exactly once, review tasks only for items the decisions sent to review, every
 * label the reviewers sent joined into training examples, and those labels counted in the quality
 * metrics of the policies in force. Event times start at the wall clock (as in a live run: the jobs
 * bound accepted event times against processing time); assertions depend only on counts and ids.
 */
class LocalStackITCase {

    @TempDir
    Path work;

    @Test
    void shouldCloseTheLoopFromTrafficToDecisionsLabelsAndQualityMetrics() throws Exception {
        LocalStackOptions options = LocalStackOptions.parse(new String[] {
            "--rate",
            "25",
            "--seed",
            "7",
            "--ui-port",
            "0",
            "--status-every",
            "5",
            "--window",
            "10",
            "--label-grace",
            "6",
            "--review-delay",
            "1",
            "--review-capacity",
            "6000",
            "--data",
            "../model-artifacts/data",
            "--emails",
            work.resolve("no-emails").toString(),
            "--registry-dir",
            System.getProperty("apicurio.dir", "target/apicurio"),
            "--work-dir",
            work.toString()
        });
        try (LocalStack stack = new LocalStack(options, System.out).start()) {
            long produced = stack.run(Duration.ofSeconds(20), Duration.ofSeconds(20));
            // labels answered after the traffic stopped still have to reach the quality windows
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline
                    && (stack.status().metricSnapshots() == 0
                            || stack.reviewers().backlog().values().stream().anyMatch(n -> n > 0))) {
                Thread.sleep(250);
            }

            Set<String> sent = stack.sentContentIds();
            assertThat(sent).hasSize((int) produced).hasSizeGreaterThan(300);

            List<RiskDecision> decisions = read(stack, "risk.decisions", RiskDecision.class);
            Map<String, Long> decisionsPerContent = decisions.stream()
                    .collect(Collectors.groupingBy(RiskDecision::getContentId, Collectors.counting()));
            assertThat(decisionsPerContent.values())
                    .as("decisions per content item")
                    .allMatch(n -> n == 1);
            assertThat(sent).containsAll(decisionsPerContent.keySet());
            long lastEventTime = decisions.stream()
                    .mapToLong(RiskDecision::getEventTimeMillis)
                    .max()
                    .orElseThrow();
            long settled = sent.stream()
                    .filter(id -> eventTime(stack, id) <= lastEventTime - 5_000)
                    .count();
            assertThat(decisionsPerContent)
                    .as("every event older than the last decided by 5 s is decided")
                    .hasSizeGreaterThanOrEqualTo((int) settled);

            Set<String> sentToReview = decisions.stream()
                    .filter(d -> d.getPolicies().stream().anyMatch(LocalStackITCase::reviewed))
                    .map(RiskDecision::getContentId)
                    .collect(Collectors.toSet());
            List<ReviewTask> tasks = read(stack, "review.tasks", ReviewTask.class);
            assertThat(tasks).isNotEmpty();
            assertThat(tasks)
                    .extracting(ReviewTask::getContentId)
                    .doesNotHaveDuplicates()
                    .allMatch(sentToReview::contains);

            List<ReviewLabel> labels = read(stack, "review.labels", ReviewLabel.class);
            assertThat(labels).hasSize((int) stack.reviewers().labelsSent()).hasSizeGreaterThan(30);
            Set<String> taskIds = tasks.stream().map(ReviewTask::getContentId).collect(Collectors.toSet());
            assertThat(labels)
                    .filteredOn(l -> !l.getSource().equals("APPEAL"))
                    .extracting(ReviewLabel::getContentId)
                    .allMatch(taskIds::contains);

            List<TrainingExample> examples = read(stack, "training.examples", TrainingExample.class);
            Set<String> labelled = labels.stream()
                    .map(l -> l.getContentId() + "/" + l.getPolicyId())
                    .collect(Collectors.toSet());
            assertThat(examples)
                    .hasSizeGreaterThan(labels.size() / 2)
                    .allMatch(e -> labelled.contains(e.getContentId() + "/" + e.getPolicyId()));

            List<MetricSnapshot> metrics = read(stack, "quality.metrics", MetricSnapshot.class);
            Set<String> policies = decisions.stream()
                    .flatMap(d -> d.getPolicies().stream())
                    .map(PolicyDecision::getPolicyId)
                    .collect(Collectors.toSet());
            assertThat(metrics).isNotEmpty().allMatch(m -> policies.contains(m.getPolicyId()));
            long labelsInWindows = metrics.stream()
                    .filter(m -> m.getModality().equals("fused")
                            && m.getSurface().equals("*")
                            && m.getWindowKind().equals("10s"))
                    .mapToLong(MetricSnapshot::getLabelCount)
                    .sum();
            long firstVerdicts = labels.stream()
                    .map(l -> l.getContentId() + "/" + l.getPolicyId())
                    .distinct()
                    .count();
            assertThat(labelsInWindows)
                    .as("labelled items counted in closed 10 s windows (of %d labelled items)", firstVerdicts)
                    .isPositive()
                    .isLessThanOrEqualTo(firstVerdicts);
            assertThat(stack.status().metricSnapshots()).isPositive();
            assertThat(read(stack, "deadletter", DeadLetter.class)).isEmpty();

            // the policy team's tools against the running stack: set → the jobs' verdict, history, show, tune
            String[] stackArgs = {"--bootstrap", stack.bootstrapServers(), "--registry", stack.registryUrl()};
            Cli set = Cli.run(
                    PolicyConfigCli::run,
                    concat(
                            new String[] {
                                "set",
                                "--policy",
                                "spam",
                                "--set",
                                "actionThreshold=0.95",
                                "--note",
                                "LocalStackITCase",
                                "--wait",
                                "45"
                            },
                            stackArgs));
            assertThat(set.code()).as(set.err()).isZero();
            // the stack starts from the shipped defaults: `set` publishes the next version after theirs
            long published = PolicyDefaults.shipped().stream()
                            .filter(p -> p.getPolicyId().equals("spam"))
                            .findFirst()
                            .orElseThrow()
                            .getVersion()
                    + 1;
            assertThat(set.out())
                    .contains("- actionThreshold: 0.9")
                    .contains("+ actionThreshold: 0.95")
                    .contains("spam v" + published + ": ACCEPTED");
            Cli history =
                    Cli.run(PolicyConfigCli::run, concat(new String[] {"history", "--policy", "spam"}, stackArgs));
            assertThat(history.out())
                    .contains("spam")
                    .contains("v" + published)
                    .contains("ACCEPTED")
                    .contains("LocalStackITCase");
            Cli show = Cli.run(PolicyConfigCli::run, concat(new String[] {"show", "--policy", "spam"}, stackArgs));
            assertThat(show.out()).contains("0.950");
            Path report = work.resolve("tune-spam.html");
            Cli tune = Cli.run(
                    TuneCli::run,
                    concat(
                            new String[] {"--policy", "spam", "--target-precision", "0.8", "--out", report.toString()},
                            stackArgs));
            assertThat(tune.code()).as(tune.err()).isIn(0, 1);
            assertThat(tune.out())
                    .contains("policy spam: target precision >= 0.800")
                    .contains("(0.950)");
            assertThat(report).exists();

            System.out.printf(
                    "local stack: %d events, %d decisions, %d tasks, %d labels, %d examples, %d snapshots"
                            + " (%d labelled items in closed windows); milestones %s%n",
                    produced,
                    decisions.size(),
                    tasks.size(),
                    labels.size(),
                    examples.size(),
                    metrics.size(),
                    labelsInWindows,
                    stack.status().milestones());
        }
    }

    private static boolean reviewed(PolicyDecision p) {
        return p.getBand().equals("REVIEW") || p.getBand().equals("HOLD") || p.getAuditSampled() || p.getEscalated();
    }

    private static long eventTime(LocalStack stack, String contentId) {
        long n = Long.parseLong(contentId.substring(contentId.lastIndexOf('-') + 1));
        return stack.generator().eventTimeOf(n);
    }

    private static <T extends SpecificRecordBase> List<T> read(LocalStack stack, String topic, Class<T> type) {
        return TopicReader.readAll(stack.bootstrapServers(), stack.registryUrl(), topic, type, Duration.ofSeconds(30))
                .stream()
                .map(TopicReader.Entry::value)
                .toList();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A CLI run in-process: exit code and what it printed. */
    private record Cli(int code, String out, String err) {
        interface Main {
            int run(String[] args, java.io.PrintStream out, java.io.PrintStream err);
        }

        static Cli run(Main main, String... args) {
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            int code = main.run(
                    args,
                    new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                    new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            System.out.print(out.toString(java.nio.charset.StandardCharsets.UTF_8));
            return new Cli(
                    code,
                    out.toString(java.nio.charset.StandardCharsets.UTF_8),
                    err.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
