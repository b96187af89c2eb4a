package io.moderato.jobs.detection;

import io.moderato.jobs.common.JobWiring;
import io.moderato.schemas.Topic;
import io.moderato.udfs.window.SlidingRiskWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of the DetectionJob: key, type, default and description in one place. Pass them as
 * {@code --key value} arguments or in the Flink configuration; {@link #validate} names the bad key.
 */
public final class DetectionOptions {

    private DetectionOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType()
            .defaultValue("localhost:9092")
            .withDescription("Kafka bootstrap servers.");
    public static final ConfigOption<String> SCHEMA_REGISTRY_URL = ConfigOptions.key("schema-registry.url")
            .stringType()
            .defaultValue("mock://moderato")
            .withDescription(
                    "Confluent-compatible schema registry URL; mock://<scope> is an in-JVM registry for local runs.");
    public static final ConfigOption<Duration> REGISTRY_OUTAGE_MAX_WAIT = ConfigOptions.key(
                    "schema-registry.outage-max-wait")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription(
                    "How long one schema registry outage may stall decoding (retries with backoff) before records "
                            + "whose writer schema is not cached yet are dead-lettered as REGISTRY_UNAVAILABLE; cached schemas never wait.");
    public static final ConfigOption<Long> TRANSACTION_TIMEOUT_MS = ConfigOptions.key("kafka.transaction-timeout-ms")
            .longType()
            .defaultValue(600_000L)
            .withDescription(
                    "Producer transaction.timeout.ms of the exactly-once sinks; must not exceed the broker's transaction.max.timeout.ms.");
    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("detection.bounded")
            .booleanType()
            .defaultValue(false)
            .withDescription(
                    "Stop at the input offsets that are latest at start (replays); production runs unbounded.");

    public static final ConfigOption<String> TOPIC_CONTENT = topic("content-events", Topic.CONTENT_EVENTS);
    public static final ConfigOption<String> TOPIC_USER_SIGNALS = topic("user-signals", Topic.USER_SIGNALS);
    public static final ConfigOption<String> TOPIC_POLICY_CONFIG = topic("policy-config", Topic.POLICY_CONFIG);
    public static final ConfigOption<String> TOPIC_DECISIONS = topic("risk-decisions", Topic.RISK_DECISIONS);
    public static final ConfigOption<String> TOPIC_TASKS = topic("review-tasks", Topic.REVIEW_TASKS);
    public static final ConfigOption<String> TOPIC_ACTIONS = topic("enforcement-actions", Topic.ENFORCEMENT_ACTIONS);
    public static final ConfigOption<String> TOPIC_CONFIG_AUDIT = topic("config-audit", Topic.CONFIG_AUDIT);
    public static final ConfigOption<String> TOPIC_DEADLETTER = topic("deadletter", Topic.DEADLETTER);
    public static final ConfigOption<String> TOPIC_PREPUBLISH_VERDICTS = ConfigOptions.key(
                    "detection.topic.prepublish-verdicts")
            .stringType()
            .defaultValue(Topic.PREPUBLISH_VERDICTS.topicName())
            .withDescription(
                    "Kafka topic prepublish.verdicts: the fast verdict on each pre-publish item, written at least once "
                            + "as soon as it is scored (no checkpoint wait), keyed by contentId; risk.decisions stays the exactly-once record.");

    public static final ConfigOption<Integer> BATCH_MAX_SIZE = ConfigOptions.key("detection.scoring.batch.max-size")
            .intType()
            .defaultValue(64)
            .withDescription("Most events scored in one ONNX call per subtask.");
    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("detection.scoring.batch.max-wait")
            .durationType()
            .defaultValue(Duration.ofMillis(10))
            .withDescription(
                    "Longest an event waits for its batch to fill (processing time); batches also flush at checkpoints and watermarks.");
    public static final ConfigOption<Duration> BATCH_PREPUBLISH_MAX_WAIT = ConfigOptions.key(
                    "detection.scoring.batch.prepublish-max-wait")
            .durationType()
            .defaultValue(Duration.ofMillis(1))
            .withDescription("Longest a pre-publish event waits for its batch to fill (at most "
                    + "detection.scoring.batch.max-wait; 0: its arrival flushes the batch). Its verdict on "
                    + "prepublish.verdicts leaves when the batch is scored, so this wait is part of its latency.");
    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("detection.scoring.intra-op-threads")
            .intType()
            .defaultValue(1)
            .withDescription("ONNX Runtime intra-op threads per session.");
    public static final ConfigOption<Boolean> CAPTURE_FEATURES = ConfigOptions.key("detection.features.capture")
            .booleanType()
            .defaultValue(true)
            .withDescription(
                    "Write each model's input (hashed text features, embeddings) into RiskDecision.features, so labelled items can retrain models.");
    public static final ConfigOption<String> MODELS_DIR = ConfigOptions.key("detection.models.dir")
            .stringType()
            .noDefaultValue()
            .withDescription("Folder with <name>/<version>/manifest.json; unset = the models bundled in the job jar.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key(
                    "detection.watermark.out-of-orderness")
            .durationType()
            .defaultValue(Duration.ofSeconds(2))
            .withDescription(
                    "Bounded out-of-orderness of content event times. Items are decided in event-time order once "
                            + "the watermark passes them, so this is also the wait before a decision while content flows.");
    public static final ConfigOption<Duration> QUIET_ADVANCE = ConfigOptions.key("detection.watermark.quiet-after")
            .durationType()
            .defaultValue(Duration.ofSeconds(1))
            .withDescription(
                    "After this long without a content event on a source subtask, its watermark advances to the newest "
                            + "event time it has seen, so that the last items before a quiet period are decided without waiting for more.");
    public static final ConfigOption<Duration> SOURCE_IDLENESS = ConfigOptions.key("detection.watermark.idleness")
            .durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription(
                    "A content source subtask without events this long stops holding back the watermark of the others.");
    public static final ConfigOption<Duration> MAX_PAST = ConfigOptions.key("detection.event-time.max-past")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription(
                    "Content events whose event time is more than this before processing time are dead-lettered "
                            + "(the default matches Kafka's default 7-day retention of content.events).");
    public static final ConfigOption<Duration> MAX_FUTURE = ConfigOptions.key("detection.event-time.max-future")
            .durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription(
                    "Content events whose event time is more than this after processing time are dead-lettered; "
                            + "an accepted future time does not move the watermark before wall-clock time reaches it.");
    public static final ConfigOption<Integer> MAX_TEXT_CHARS = ConfigOptions.key("detection.input.max-text-chars")
            .intType()
            .defaultValue(200_000)
            .withDescription(
                    "Longest text or transcript accepted (characters); a longer one is dead-lettered. Every other "
                            + "string field is limited to 1,024 characters and every list or map to 1,024 entries.");
    public static final ConfigOption<Duration> DEDUP_HORIZON = ConfigOptions.key("detection.dedup.horizon")
            .durationType()
            .defaultValue(Duration.ofHours(24))
            .withDescription(
                    "A content event with a contentId and content already decided within this horizon (state TTL, "
                            + "processing time) is a duplicate and is dropped; the same contentId with changed content is an edit and is decided again.");
    public static final ConfigOption<Integer> MAX_REQUEST_SIZE = ConfigOptions.key("kafka.max-request-size")
            .intType()
            .defaultValue(1_048_576)
            .withDescription(
                    "Producer max.request.size of every sink, in bytes; must not exceed the broker's message.max.bytes. "
                            + "Every output record is bounded far below the default (see docs/detection-job.md, limits).");
    public static final ConfigOption<Duration> WINDOW_LENGTH = ConfigOptions.key("detection.user-window.length")
            .durationType()
            .defaultValue(Duration.ofMinutes(15))
            .withDescription("Length of the sliding per-user risk window.");
    public static final ConfigOption<Duration> WINDOW_SLIDE = ConfigOptions.key("detection.user-window.slide")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription("Bucket size (slide) of the per-user risk window.");
    public static final ConfigOption<Duration> USER_SIGNAL_TTL = ConfigOptions.key("detection.user-signal.ttl")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription("A user signal not updated for this long is forgotten (state TTL).");
    public static final ConfigOption<Long> SAMPLING_SEED = ConfigOptions.key("detection.sampling.seed")
            .longType()
            .defaultValue(20_251_124L)
            .withDescription(
                    "Seed of the audit-sample and capacity draws (hash of contentId): replays decide identically.");
    public static final ConfigOption<String> POLICY_DEFAULTS = ConfigOptions.key("detection.policy.defaults")
            .stringType()
            .defaultValue("policy-defaults.json")
            .withDescription(
                    "Classpath resource (or file path) with the policy configs used until policy.config has some.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("detection.checkpoint.interval")
            .durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("Exactly-once checkpoint interval.");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOptions.key("detection.checkpoint.dir")
            .stringType()
            .defaultValue("file:///tmp/moderato/checkpoints/detection")
            .withDescription("Checkpoint storage URI (s3://, hdfs://, file://).");

    /** A topic option whose default is the topic's name in {@link Topic}, the one list of Moderato's topics. */
    private static ConfigOption<String> topic(String name, Topic topic) {
        return ConfigOptions.key("detection.topic." + name)
                .stringType()
                .defaultValue(topic.topicName())
                .withDescription("Kafka topic " + topic.topicName() + ".");
    }

    /** All options declared above. */
    public static List<ConfigOption<?>> all() {
        return JobWiring.optionsOf(DetectionOptions.class);
    }

    /** Problems with {@code conf}, each naming its key; empty when the job can start. */
    public static List<String> validate(Configuration conf) {
        List<String> problems = new ArrayList<>();
        positive(problems, conf, BATCH_MAX_SIZE, 4096);
        positive(problems, conf, INTRA_OP_THREADS, 64);
        positive(problems, conf, BATCH_MAX_WAIT);
        Duration prepublishWait = conf.get(BATCH_PREPUBLISH_MAX_WAIT);
        Duration maxWait = conf.get(BATCH_MAX_WAIT);
        if (prepublishWait.isNegative() || (maxWait.toMillis() >= 1 && prepublishWait.compareTo(maxWait) > 0)) {
            problems.add(BATCH_PREPUBLISH_MAX_WAIT.key() + " must be in [0, " + BATCH_MAX_WAIT.key() + " = " + maxWait
                    + "], got " + prepublishWait);
        }
        positive(problems, conf, WINDOW_LENGTH);
        positive(problems, conf, WINDOW_SLIDE);
        positive(problems, conf, USER_SIGNAL_TTL);
        positive(problems, conf, CHECKPOINT_INTERVAL);
        if (conf.get(OUT_OF_ORDERNESS).isNegative()) {
            problems.add(OUT_OF_ORDERNESS.key() + " must be >= 0, got " + conf.get(OUT_OF_ORDERNESS));
        }
        Duration length = conf.get(WINDOW_LENGTH);
        Duration slide = conf.get(WINDOW_SLIDE);
        if (slide.toMillis() >= 1 && length.toMillis() % slide.toMillis() != 0) {
            problems.add(WINDOW_LENGTH.key() + " (" + length + ") must be a multiple of " + WINDOW_SLIDE.key() + " ("
                    + slide + ")");
        } else if (slide.toMillis() >= 1 && length.toMillis() / slide.toMillis() > SlidingRiskWindow.MAX_BUCKETS) {
            problems.add(WINDOW_LENGTH.key() + " (" + length + ") / " + WINDOW_SLIDE.key() + " (" + slide
                    + ") must be at most " + SlidingRiskWindow.MAX_BUCKETS + " buckets, got "
                    + length.toMillis() / slide.toMillis());
        }
        positive(problems, conf, QUIET_ADVANCE);
        positive(problems, conf, SOURCE_IDLENESS);
        positive(problems, conf, DEDUP_HORIZON);
        positive(problems, conf, MAX_PAST);
        if (conf.get(MAX_FUTURE).isNegative()) {
            problems.add(MAX_FUTURE.key() + " must be >= 0, got " + conf.get(MAX_FUTURE));
        }
        if (conf.get(REGISTRY_OUTAGE_MAX_WAIT).isNegative()) {
            problems.add(REGISTRY_OUTAGE_MAX_WAIT.key() + " must be >= 0, got " + conf.get(REGISTRY_OUTAGE_MAX_WAIT));
        }
        positive(problems, conf, MAX_TEXT_CHARS, 10_000_000);
        if (conf.get(MAX_REQUEST_SIZE) < 65_536) {
            problems.add(MAX_REQUEST_SIZE.key() + " must be at least 65536 bytes, got " + conf.get(MAX_REQUEST_SIZE));
        }
        if (conf.get(TRANSACTION_TIMEOUT_MS) <= 0) {
            problems.add(TRANSACTION_TIMEOUT_MS.key() + " must be positive, got " + conf.get(TRANSACTION_TIMEOUT_MS));
        }
        for (ConfigOption<?> option : all()) {
            if (option.key().startsWith("detection.topic.") && ((String) conf.get(option)).isBlank()) {
                problems.add(option.key() + " must name a topic");
            }
        }
        if (conf.get(BOOTSTRAP_SERVERS).isBlank()) {
            problems.add(BOOTSTRAP_SERVERS.key() + " must not be blank");
        }
        return problems;
    }

    private static void positive(List<String> problems, Configuration conf, ConfigOption<Integer> option, int max) {
        int value = conf.get(option);
        if (value < 1 || value > max) {
            problems.add(option.key() + " must be in [1, " + max + "], got " + value);
        }
    }

    private static void positive(List<String> problems, Configuration conf, ConfigOption<Duration> option) {
        Duration value = conf.get(option);
        // the job works in whole milliseconds (timers, state TTL, window buckets): 0.5 ms would be 0
        if (value.toMillis() < 1) {
            problems.add(option.key() + " must be at least 1 ms, got " + value);
        }
    }
}
