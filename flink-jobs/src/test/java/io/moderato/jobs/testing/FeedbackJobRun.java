package io.moderato.jobs.testing;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.feedback.FeedbackJob;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How the FeedbackJob ITCases run the real job graph on an {@link EmbeddedKafka} and a MiniCluster
 * (parallelism 2, RocksDB, exactly-once checkpoints every 500 ms): the options of a {@link TopicScope},
 * the environment, and bounded or unbounded runs through {@link FeedbackJob#build}.
 */
public final class FeedbackJobRun {

    /** The topics a FeedbackJob run reads and writes. */
    public static final String[] TOPICS = {
        "risk.decisions",
        "review.labels",
        "review.tasks",
        "policy.config",
        "training.examples",
        "quality.metrics",
        "drift.alerts",
        "compliance.reports",
        "review.labels.unmatched",
        "deadletter"
    };
    /** The Kafka topics a FeedbackJob run writes. */
    public static final List<String> OUTPUTS = List.of(
            "training.examples",
            "quality.metrics",
            "drift.alerts",
            "compliance.reports",
            "review.labels.unmatched",
            "deadletter");

    private FeedbackJobRun() {}

    public static void createTopics(TopicScope run, int partitions) throws Exception {
        run.createTopics(partitions, TOPICS);
    }

    /** Produces {@code input} to {@code run}'s risk.decisions, review.tasks and review.labels. */
    public static void produce(TopicScope run, FeedbackFixtures.Input input) {
        produce(run, input, contentId -> true, contentId -> true);
    }

    /**
     * Produces the part of {@code input} whose contentIds {@code decisions} (decisions and their review tasks) and
     * {@code labels} (labels) accept.
     */
    public static void produce(
            TopicScope run, FeedbackFixtures.Input input, Predicate<String> decisions, Predicate<String> labels) {
        produceWhere(
                run, "risk.decisions", RiskDecision.class, input.decisions(), RiskDecision::getContentId, decisions);
        produceWhere(run, "review.tasks", ReviewTask.class, input.tasks(), ReviewTask::getContentId, decisions);
        produceWhere(run, "review.labels", ReviewLabel.class, input.labels(), ReviewLabel::getContentId, labels);
    }

    /** Produces the {@code records} whose contentId (also their key) {@code keep} accepts. */
    private static <T extends SpecificRecordBase> void produceWhere(
            TopicScope run,
            String topic,
            Class<T> type,
            List<T> records,
            Function<T, String> contentId,
            Predicate<String> keep) {
        run.produce(
                topic,
                type,
                records.stream().filter(r -> keep.test(contentId.apply(r))).toList(),
                contentId);
    }

    /**
     * Options of a run on {@code run}'s topics with {@code config} as the default policy (written into
     * {@code dir}) and training example files under {@code files}: hourly drift windows from 100
     * items, a one-hour label grace, and event time made deterministic for bounded replays (no
     * partition declared idle, no pause counted as quiet); fixture times (fixed 2026 dates) accepted.
     */
    public static Configuration options(TopicScope run, PolicyConfig config, Path dir, Path files, boolean bounded) {
        Configuration conf = new Configuration();
        conf.set(FeedbackOptions.BOOTSTRAP_SERVERS, run.kafka().bootstrapServers());
        conf.set(FeedbackOptions.SCHEMA_REGISTRY_URL, run.registry());
        conf.set(FeedbackOptions.BOUNDED, bounded);
        conf.set(FeedbackOptions.TRANSACTION_TIMEOUT_MS, 120_000L);
        conf.set(
                FeedbackOptions.POLICY_DEFAULTS,
                DetectionFixtures.writeDefaults(dir, List.of(config)).toString());
        for (var option : FeedbackOptions.all()) {
            if (option.key().startsWith("feedback.topic.")) {
                conf.setString(option.key(), run.topic((String) option.defaultValue()));
            }
        }
        conf.set(FeedbackOptions.METRICS_LABEL_GRACE, Duration.ofHours(1));
        conf.set(FeedbackOptions.DRIFT_WINDOWS, List.of(Duration.ofHours(1)));
        conf.set(FeedbackOptions.DRIFT_MIN_ITEMS, 100);
        // bounded replay: never let a slow-starting partition be declared idle, nor a pause count as quiet
        conf.set(FeedbackOptions.SOURCE_IDLENESS, Duration.ofHours(1));
        conf.set(FeedbackOptions.QUIET_ADVANCE, Duration.ofHours(1));
        conf.set(FeedbackOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        conf.set(FeedbackOptions.MAX_PAST, DetectionFixtures.FIXTURE_AGE_LIMIT);
        conf.set(FeedbackOptions.FILES_PATH, files.toUri().toString());
        return conf;
    }

    /**
     * Points the Kafka outputs of {@code conf} at topics of their own, {@code <label>.<topic>} (created
     * here), and its files under {@code files}: a second run over the same inputs writes apart from the first.
     */
    public static Configuration writingTo(Configuration conf, TopicScope run, String label, int partitions, Path files)
            throws Exception {
        Configuration copy = new Configuration(conf);
        for (var option : FeedbackOptions.all()) {
            if (option.key().startsWith("feedback.topic.") && OUTPUTS.contains((String) option.defaultValue())) {
                copy.setString(option.key(), run.topic(label + "." + option.defaultValue()));
            }
        }
        copy.set(FeedbackOptions.FILES_PATH, files.toUri().toString());
        run.createTopics(partitions, OUTPUTS.stream().map(t -> label + "." + t).toArray(String[]::new));
        return copy;
    }

    /** The job's production settings at parallelism 2, checkpointing into {@code checkpoints} every 500 ms, plus {@code overrides}. */
    public static StreamExecutionEnvironment environment(Path checkpoints, Configuration overrides) {
        Configuration conf = FeedbackJob.tuned(
                JobSettings.streamingDefaults(checkpoints.toUri().toString(), Duration.ofMillis(500)));
        conf.addAll(overrides);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    /** Builds the job with Kafka I/O for {@code run} under its own consumer groups and transactional ids. */
    public static void build(StreamExecutionEnvironment env, TopicScope run, Configuration conf) {
        build(env, run, conf, "it-" + run.prefix(), UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, TopicScope, Configuration)} under {@code jobName}, with
     * {@code decisionsSeam} applied to the raw risk.decisions stream (failure injection, throttling).
     */
    public static void build(
            StreamExecutionEnvironment env,
            TopicScope run,
            Configuration conf,
            String jobName,
            UnaryOperator<DataStream<KafkaRecord>> decisionsSeam) {
        KafkaIo io = FeedbackJob.kafkaIo(conf, jobName);
        FeedbackJob.Sources kafka = FeedbackJob.kafkaSources(env, io, conf);
        FeedbackJob.build(
                env,
                new FeedbackJob.Sources(
                        decisionsSeam.apply(kafka.decisions()),
                        kafka.labels(),
                        kafka.policyConfigs(),
                        kafka.reviewTasks()),
                FeedbackJob.kafkaSinks(io, conf),
                conf);
    }

    /** Runs to the end of the input that is in the topics now. */
    public static void runBounded(StreamExecutionEnvironment env, TopicScope run, Configuration conf) throws Exception {
        build(env, run, conf);
        env.execute("feedback-it");
    }

    /** Starts an unbounded run; the caller cancels or stops it. */
    public static JobClient start(StreamExecutionEnvironment env, TopicScope run, Configuration conf) throws Exception {
        build(env, run, conf);
        return env.executeAsync("feedback-it");
    }
}
