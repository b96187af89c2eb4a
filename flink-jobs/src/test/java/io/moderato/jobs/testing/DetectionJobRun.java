package io.moderato.jobs.testing;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How the DetectionJob ITCases run the real job graph on an {@link EmbeddedKafka} and a MiniCluster
 * (parallelism 2, RocksDB, exactly-once checkpoints every 500 ms): the options of a {@link TopicScope},
 * the environment, and bounded or unbounded runs through {@link DetectionJob#build}.
 */
public final class DetectionJobRun {

    /** The topics a DetectionJob run reads and writes. */
    public static final String[] TOPICS = {
        "content.events",
        "user.signals",
        "policy.config",
        "risk.decisions",
        "review.tasks",
        "enforcement.actions",
        "config.audit",
        "deadletter",
        "prepublish.verdicts"
    };

    private DetectionJobRun() {}

    /** Creates the run's topics with {@code partitions} partitions each. */
    public static void createTopics(TopicScope run, int partitions) throws Exception {
        run.createTopics(partitions, TOPICS);
    }

    /** Options of a run on {@code run}'s topics; fixture event times (fixed 2026 dates) are accepted whatever today is. */
    public static Configuration options(TopicScope run, Path defaults, boolean bounded) {
        Configuration conf = new Configuration();
        conf.set(DetectionOptions.BOOTSTRAP_SERVERS, run.kafka().bootstrapServers());
        conf.set(DetectionOptions.SCHEMA_REGISTRY_URL, run.registry());
        conf.set(DetectionOptions.BOUNDED, bounded);
        conf.set(DetectionOptions.TRANSACTION_TIMEOUT_MS, 120_000L);
        conf.set(DetectionOptions.POLICY_DEFAULTS, defaults.toString());
        conf.set(DetectionOptions.TOPIC_CONTENT, run.topic("content.events"));
        conf.set(DetectionOptions.TOPIC_USER_SIGNALS, run.topic("user.signals"));
        conf.set(DetectionOptions.TOPIC_POLICY_CONFIG, run.topic("policy.config"));
        conf.set(DetectionOptions.TOPIC_DECISIONS, run.topic("risk.decisions"));
        conf.set(DetectionOptions.TOPIC_TASKS, run.topic("review.tasks"));
        conf.set(DetectionOptions.TOPIC_ACTIONS, run.topic("enforcement.actions"));
        conf.set(DetectionOptions.TOPIC_CONFIG_AUDIT, run.topic("config.audit"));
        conf.set(DetectionOptions.TOPIC_DEADLETTER, run.topic("deadletter"));
        conf.set(DetectionOptions.TOPIC_PREPUBLISH_VERDICTS, run.topic("prepublish.verdicts"));
        conf.set(DetectionOptions.MAX_PAST, DetectionFixtures.FIXTURE_AGE_LIMIT);
        return conf;
    }

    /** The job's production settings at parallelism 2, checkpointing into {@code checkpoints} every 500 ms. */
    public static StreamExecutionEnvironment environment(Path checkpoints) {
        return environment(checkpoints, new Configuration());
    }

    /** As {@link #environment(Path)} with {@code overrides} on top (e.g. a restart strategy, a savepoint to restore). */
    public static StreamExecutionEnvironment environment(Path checkpoints, Configuration overrides) {
        Configuration conf = DetectionJob.tuned(
                JobSettings.streamingDefaults(checkpoints.toUri().toString(), Duration.ofMillis(500)));
        conf.addAll(overrides);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    /** No restarts: a run that hits any failure fails, so a test sees what would have been a restart loop. */
    public static Configuration noRestarts() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    /**
     * Up to {@code attempts} restarts, 100 ms apart (production waits 5 s), with checkpoints every
     * {@code checkpointInterval}: for runs that fail on purpose.
     */
    public static Configuration fastRestarts(int attempts, Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, checkpointInterval.dividedBy(4));
        return conf;
    }

    /** The topics a DetectionJob run writes. */
    public static final List<String> OUTPUTS = List.of(
            "risk.decisions",
            "review.tasks",
            "enforcement.actions",
            "config.audit",
            "deadletter",
            "prepublish.verdicts");

    /** Builds the job on {@code env} with Kafka I/O for {@code run}, under a transactional prefix of its own. */
    public static void build(StreamExecutionEnvironment env, TopicScope run, Configuration conf) {
        build(env, run, conf, "it-" + run.prefix(), UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, TopicScope, Configuration)} under {@code jobName} (its
     * consumer groups and transactional ids), with {@code contentSeam} applied to the raw content.events
     * stream — where tests put failure injection or throttling, through the job's own source seam.
     */
    public static void build(
            StreamExecutionEnvironment env,
            TopicScope run,
            Configuration conf,
            String jobName,
            UnaryOperator<DataStream<KafkaRecord>> contentSeam) {
        KafkaIo io = new KafkaIo(
                run.kafka().bootstrapServers(), run.registry(), jobName, conf.get(DetectionOptions.BOUNDED), 120_000L);
        DetectionJob.Sources kafka = DetectionJob.kafkaSources(env, io, conf);
        DetectionJob.build(
                env,
                new DetectionJob.Sources(
                        contentSeam.apply(kafka.contentEvents()), kafka.userSignals(), kafka.policyConfigs()),
                DetectionJob.kafkaSinks(io, conf),
                conf);
    }

    /**
     * Points the outputs of {@code conf} at topics of their own, {@code <label>.<topic>}, created here: a
     * second run over the same input topics then writes apart from the first.
     */
    public static Configuration writingTo(Configuration conf, TopicScope run, String label, int partitions)
            throws Exception {
        Configuration copy = new Configuration(conf);
        copy.set(DetectionOptions.TOPIC_DECISIONS, run.topic(label + ".risk.decisions"));
        copy.set(DetectionOptions.TOPIC_TASKS, run.topic(label + ".review.tasks"));
        copy.set(DetectionOptions.TOPIC_ACTIONS, run.topic(label + ".enforcement.actions"));
        copy.set(DetectionOptions.TOPIC_CONFIG_AUDIT, run.topic(label + ".config.audit"));
        copy.set(DetectionOptions.TOPIC_DEADLETTER, run.topic(label + ".deadletter"));
        copy.set(DetectionOptions.TOPIC_PREPUBLISH_VERDICTS, run.topic(label + ".prepublish.verdicts"));
        run.createTopics(partitions, OUTPUTS.stream().map(t -> label + "." + t).toArray(String[]::new));
        return copy;
    }

    /** Runs to the end of the input that is in the topics now. */
    public static void runBounded(StreamExecutionEnvironment env, TopicScope run, Configuration conf) throws Exception {
        build(env, run, conf);
        env.execute("detection-it");
    }

    /** Starts an unbounded run; the caller cancels or stops it. */
    public static JobClient start(StreamExecutionEnvironment env, TopicScope run, Configuration conf) throws Exception {
        build(env, run, conf);
        return env.executeAsync("detection-it");
    }
}
