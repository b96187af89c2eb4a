package io.moderato.jobs.feedback;

import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the FeedbackJob: key, type, default and description in one place. Pass them as
 * {@code --key value} arguments or in the Flink configuration; {@link #validate} names the bad key.
 * Kafka and registry connection keys are shared with the DetectionJob.
 */
public final class FeedbackOptions {

    private FeedbackOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = DetectionOptions.BOOTSTRAP_SERVERS;
    public static final ConfigOption<String> SCHEMA_REGISTRY_URL = DetectionOptions.SCHEMA_REGISTRY_URL;
    public static final ConfigOption<Long> TRANSACTION_TIMEOUT_MS = DetectionOptions.TRANSACTION_TIMEOUT_MS;
    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("feedback.bounded")
            .booleanType()
            .defaultValue(false)
            .withDescription(
                    "Stop at the input offsets that are latest at start (replays); production runs unbounded.");

    public static final ConfigOption<String> TOPIC_DECISIONS = topic("risk-decisions", Topic.RISK_DECISIONS);
    public static final ConfigOption<String> TOPIC_LABELS = topic("review-labels", Topic.REVIEW_LABELS);
    public static final ConfigOption<String> TOPIC_TASKS = topic("review-tasks", Topic.REVIEW_TASKS);
    public static final ConfigOption<String> TOPIC_POLICY_CONFIG = topic("policy-config", Topic.POLICY_CONFIG);
    public static final ConfigOption<String> TOPIC_TRAINING_EXAMPLES =
            topic("training-examples", Topic.TRAINING_EXAMPLES);
    public static final ConfigOption<String> TOPIC_QUALITY_METRICS = topic("quality-metrics", Topic.QUALITY_METRICS);
    public static final ConfigOption<String> TOPIC_DRIFT_ALERTS = topic("drift-alerts", Topic.DRIFT_ALERTS);
    public static final ConfigOption<String> TOPIC_COMPLIANCE_REPORTS =
            topic("compliance-reports", Topic.COMPLIANCE_REPORTS);
    public static final ConfigOption<String> TOPIC_UNMATCHED_LABELS =
            topic("unmatched-labels", Topic.REVIEW_LABELS_UNMATCHED);
    public static final ConfigOption<String> TOPIC_DEADLETTER = topic("deadletter", Topic.DEADLETTER);

    public static final ConfigOption<Boolean> READ_TASKS = ConfigOptions.key("feedback.review-tasks.enabled")
            .booleanType()
            .defaultValue(true)
            .withDescription(
                    "Read review.tasks for the compliance reports' reviewTasks count; off = that count stays 0.");
    public static final ConfigOption<String> POLICY_DEFAULTS = ConfigOptions.key("feedback.policy.defaults")
            .stringType()
            .defaultValue("policy-defaults.json")
            .withDescription(
                    "Classpath resource (or file path) with the policy configs used until policy.config has some (same file as the DetectionJob's).");
    public static final ConfigOption<String> MODELS_DIR = ConfigOptions.key("feedback.models.dir")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Folder with <name>/<version>/manifest.json holding the reference score histograms; unset = the models bundled in the job jar.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key(
                    "feedback.watermark.out-of-orderness")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("Bounded out-of-orderness of decision event times and label times.");
    public static final ConfigOption<Duration> SOURCE_IDLENESS = ConfigOptions.key("feedback.watermark.idleness")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription(
                    "An input partition silent this long stops holding back the watermark (labels are bursty).");
    public static final ConfigOption<Duration> QUIET_ADVANCE = ConfigOptions.key("feedback.watermark.quiet-after")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription(
                    "After this long without a record on a source subtask, its watermark advances to the newest event "
                            + "time it has seen, so that windows of a quiet input close without waiting for more records.");
    public static final ConfigOption<Duration> MAX_PAST = ConfigOptions.key("feedback.event-time.max-past")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription(
                    "Decisions, labels and review tasks whose event time (labels: labelledAtMillis) is more than this "
                            + "before processing time are dead-lettered.");
    public static final ConfigOption<Duration> MAX_FUTURE = ConfigOptions.key("feedback.event-time.max-future")
            .durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription(
                    "Decisions, labels and review tasks whose event time is more than this after processing time are "
                            + "dead-lettered; an accepted future time does not move the watermark before wall-clock time reaches it.");
    public static final ConfigOption<Integer> MAX_REQUEST_SIZE = DetectionOptions.MAX_REQUEST_SIZE;

    public static final ConfigOption<Duration> JOIN_TTL = ConfigOptions.key("feedback.join.ttl")
            .durationType()
            .defaultValue(Duration.ofDays(14))
            .withDescription(
                    "How long (event time) a content item's decision and labels are kept after its last decision or label; a label still without decision then goes to the unmatched output.");

    public static final ConfigOption<List<Duration>> METRICS_WINDOWS = ConfigOptions.key("feedback.metrics.windows")
            .durationType()
            .asList()
            .defaultValues(Duration.ofHours(1), Duration.ofHours(24))
            .withDescription(
                    "Tumbling event-time windows (of the decisions' event time) of the quality metrics; the shortest also feeds the cumulative snapshot.");
    public static final ConfigOption<Duration> METRICS_LABEL_GRACE = ConfigOptions.key("feedback.metrics.label-grace")
            .durationType()
            .defaultValue(Duration.ofHours(24))
            .withDescription(
                    "How long after a window's end its labels are awaited before its MetricSnapshot is emitted (>= the review SLA of the audit queues); later labels reach the cumulative snapshot only.");
    public static final ConfigOption<Double> METRICS_CONFIDENCE = ConfigOptions.key(
                    "feedback.metrics.interval-confidence")
            .doubleType()
            .defaultValue(0.95)
            .withDescription("Two-sided confidence level of the metric intervals.");
    public static final ConfigOption<Integer> METRICS_MIN_FALSE_NEGATIVES = ConfigOptions.key(
                    "feedback.metrics.recall.min-false-negative-labels")
            .intType()
            .defaultValue(3)
            .withDescription(
                    "Recall (in quality.metrics and compliance.reports) is published only when at least this many audited misses back it: violating items below the action threshold that were audit samples (PolicyDecision.auditSampled), not the routed review band; and, when the items at or above the threshold are audited rather than all reviewed, at least this many audited hits. With fewer, recall is withheld with its reason: its interval could not keep its confidence (udfs/docs/statistics.md).");

    public static final ConfigOption<List<Duration>> DRIFT_WINDOWS = ConfigOptions.key("feedback.drift.windows")
            .durationType()
            .asList()
            .defaultValues(Duration.ofHours(1), Duration.ofHours(24))
            .withDescription(
                    "Tumbling event-time windows over which each model's scores are compared with its reference histogram (PSI, KS).");
    public static final ConfigOption<ScoreDriftFunction.Reference> DRIFT_REFERENCE = ConfigOptions.key(
                    "feedback.drift.reference")
            .enumType(ScoreDriftFunction.Reference.class)
            .defaultValue(ScoreDriftFunction.Reference.MANIFEST)
            .withDescription(
                    "What score drift compares each window with. MANIFEST: the model manifest's reference histogram (the scores of its validation data; a platform whose traffic differs from that data alerts from the first window). TRAFFIC: the model version's own first windows on this platform, those ending within feedback.drift.baseline of the first one's start (not tested themselves; each new model version starts a new baseline).");
    public static final ConfigOption<Duration> DRIFT_BASELINE = ConfigOptions.key("feedback.drift.baseline")
            .durationType()
            .defaultValue(Duration.ofHours(24))
            .withDescription(
                    "With feedback.drift.reference TRAFFIC: how long after a model version's first drift window starts its windows still form the reference (per window kind). A baseline still holding fewer than feedback.drift.min-window-items scores at the end of that period takes the following windows too until it does.");
    public static final ConfigOption<Duration> DRIFT_BASELINE_IDLE = ConfigOptions.key("feedback.drift.baseline-idle")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription(
                    "With feedback.drift.reference TRAFFIC: a baseline no window has been compared with for this long (processing time: its model version retired) is dropped from state; if the version scores again, it starts a new baseline.");
    public static final ConfigOption<Integer> DRIFT_MIN_ITEMS = ConfigOptions.key("feedback.drift.min-window-items")
            .intType()
            .defaultValue(200)
            .withDescription("Windows with fewer scores are not tested (PSI noise alone is about 9/n).");
    public static final ConfigOption<Double> PSI_THRESHOLD = ConfigOptions.key("feedback.drift.psi.threshold")
            .doubleType()
            .defaultValue(0.2)
            .withDescription("PSI above which a window alerts.");
    public static final ConfigOption<Double> KS_ALPHA = ConfigOptions.key("feedback.drift.ks.alpha")
            .doubleType()
            .defaultValue(0.001)
            .withDescription("Significance level of the KS alert.");
    public static final ConfigOption<Double> KS_MIN_STATISTIC = ConfigOptions.key("feedback.drift.ks.min-statistic")
            .doubleType()
            .defaultValue(0.0)
            .withDescription("KS distance below which no alert is raised however significant (large windows).");
    public static final ConfigOption<Double> CRITICAL_RATIO = ConfigOptions.key("feedback.drift.critical-ratio")
            .doubleType()
            .defaultValue(2.0)
            .withDescription("statistic / threshold at or above which an alert is CRITICAL (else WARNING).");
    public static final ConfigOption<Double> ADWIN_DELTA = ConfigOptions.key("feedback.drift.adwin.delta")
            .doubleType()
            .defaultValue(0.002)
            .withDescription("ADWIN confidence δ on the error and positive indicators.");
    public static final ConfigOption<Double> PH_DELTA = ConfigOptions.key("feedback.drift.page-hinkley.delta")
            .doubleType()
            .defaultValue(0.02)
            .withDescription("Page-Hinkley tolerated change δ.");
    public static final ConfigOption<Double> PH_LAMBDA = ConfigOptions.key("feedback.drift.page-hinkley.lambda")
            .doubleType()
            .defaultValue(50.0)
            .withDescription("Page-Hinkley alarm threshold λ.");

    public static final ConfigOption<Duration> COMPLIANCE_UPDATE_INTERVAL = ConfigOptions.key(
                    "feedback.compliance.update-interval")
            .durationType()
            .defaultValue(Duration.ofHours(1))
            .withDescription(
                    "After a day's first report (at its end), a changed report is re-emitted at most this often (event time).");
    public static final ConfigOption<Duration> COMPLIANCE_RETENTION = ConfigOptions.key("feedback.compliance.retention")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription(
                    "How long after its end a day's accumulator is kept for late labels; must be >= feedback.join.ttl. Later updates are dropped and counted.");

    public static final ConfigOption<String> FILES_PATH = ConfigOptions.key("feedback.files.path")
            .stringType()
            .defaultValue("file:///tmp/moderato/training-examples")
            .withDescription(
                    "Folder (URI) where TrainingExamples are written as Avro container files for offline retraining.");
    public static final ConfigOption<MemorySize> FILES_MAX_PART_SIZE = ConfigOptions.key("feedback.files.max-part-size")
            .memoryType()
            .defaultValue(MemorySize.ofMebiBytes(128))
            .withDescription("A part file is rolled when it reaches this size, and always at a checkpoint.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("feedback.checkpoint.interval")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("Exactly-once checkpoint interval (also when training files are committed).");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOptions.key("feedback.checkpoint.dir")
            .stringType()
            .defaultValue("file:///tmp/moderato/checkpoints/feedback")
            .withDescription("Checkpoint storage URI (s3://, hdfs://, file://).");

    private static ConfigOption<String> topic(String name, Topic defaultTopic) {
        return ConfigOptions.key("feedback.topic." + name)
                .stringType()
                .defaultValue(defaultTopic.topicName())
                .withDescription("Kafka topic " + defaultTopic.topicName() + ".");
    }

    /** All options declared above. */
    public static List<ConfigOption<?>> all() {
        return JobWiring.optionsOf(FeedbackOptions.class);
    }

    /** Problems with {@code conf}, each naming its key; empty when the job can start. */
    public static List<String> validate(Configuration conf) {
        List<String> problems = new ArrayList<>();
        Configuration parsed = new Configuration(conf);
        for (ConfigOption<?> option : all()) {
            try {
                conf.get(option);
            } catch (IllegalArgumentException e) {
                // a value that does not even parse (e.g. "1 fortnight"); Flink's message names the key
                problems.add(e.getMessage());
                parsed.removeConfig(option);
            }
        }
        check(parsed, problems);
        return problems;
    }

    private static void check(Configuration conf, List<String> problems) {
        positive(problems, conf, JOIN_TTL);
        positive(problems, conf, COMPLIANCE_UPDATE_INTERVAL);
        positive(problems, conf, COMPLIANCE_RETENTION);
        positive(problems, conf, CHECKPOINT_INTERVAL);
        notNegative(problems, conf, OUT_OF_ORDERNESS);
        notNegative(problems, conf, METRICS_LABEL_GRACE);
        positive(problems, conf, SOURCE_IDLENESS);
        positive(problems, conf, QUIET_ADVANCE);
        positive(problems, conf, MAX_PAST);
        notNegative(problems, conf, MAX_FUTURE);
        if (conf.get(MAX_REQUEST_SIZE) < 65_536) {
            problems.add(MAX_REQUEST_SIZE.key() + " must be at least 65536 bytes, got " + conf.get(MAX_REQUEST_SIZE));
        }
        windows(problems, conf, METRICS_WINDOWS);
        windows(problems, conf, DRIFT_WINDOWS);
        if (conf.get(COMPLIANCE_RETENTION).compareTo(conf.get(JOIN_TTL)) < 0) {
            problems.add(COMPLIANCE_RETENTION.key() + " (" + conf.get(COMPLIANCE_RETENTION) + ") must be >= "
                    + JOIN_TTL.key() + " (" + conf.get(JOIN_TTL)
                    + "): a day must outlive the labels that can still join");
        }
        checkStatistics(conf, problems);
        if (conf.get(TRANSACTION_TIMEOUT_MS) <= 0) {
            problems.add(TRANSACTION_TIMEOUT_MS.key() + " must be positive, got " + conf.get(TRANSACTION_TIMEOUT_MS));
        }
        if (conf.get(FILES_MAX_PART_SIZE).getBytes() < 1024) {
            problems.add(FILES_MAX_PART_SIZE.key() + " must be at least 1 kb, got " + conf.get(FILES_MAX_PART_SIZE));
        }
        if (conf.get(FILES_PATH).isBlank()) {
            problems.add(FILES_PATH.key() + " must name a folder");
        }
        for (ConfigOption<?> option : all()) {
            if (option.key().startsWith("feedback.topic.") && ((String) conf.get(option)).isBlank()) {
                problems.add(option.key() + " must name a topic");
            }
        }
        if (conf.get(BOOTSTRAP_SERVERS).isBlank()) {
            problems.add(BOOTSTRAP_SERVERS.key() + " must not be blank");
        }
    }

    /** The quality metrics operator's settings from {@code conf}. */
    static QualityMetricsFunction.Settings qualityMetrics(Configuration conf) {
        return new QualityMetricsFunction.Settings(
                Windows.sizes(conf.get(METRICS_WINDOWS)),
                conf.get(METRICS_LABEL_GRACE).toMillis(),
                conf.get(METRICS_CONFIDENCE),
                conf.get(METRICS_MIN_FALSE_NEGATIVES),
                new QualityMetricsFunction.LabelDrift(
                        conf.get(ADWIN_DELTA), conf.get(PH_DELTA), conf.get(PH_LAMBDA), conf.get(CRITICAL_RATIO)));
    }

    /** The score drift operator's settings from {@code conf}. */
    static ScoreDriftFunction.Settings scoreDrift(Configuration conf) {
        return new ScoreDriftFunction.Settings(
                conf.get(DRIFT_MIN_ITEMS),
                conf.get(PSI_THRESHOLD),
                conf.get(KS_ALPHA),
                conf.get(KS_MIN_STATISTIC),
                conf.get(CRITICAL_RATIO),
                conf.get(DRIFT_REFERENCE),
                conf.get(DRIFT_BASELINE).toMillis(),
                conf.get(DRIFT_BASELINE_IDLE).toMillis());
    }

    /** The compliance operator's settings from {@code conf}: the same confidence and recall guard as the metrics. */
    static ComplianceFunction.Settings compliance(Configuration conf) {
        return new ComplianceFunction.Settings(
                conf.get(COMPLIANCE_UPDATE_INTERVAL).toMillis(),
                conf.get(COMPLIANCE_RETENTION).toMillis(),
                conf.get(METRICS_CONFIDENCE),
                conf.get(METRICS_MIN_FALSE_NEGATIVES));
    }

    /** Confidence levels, detector thresholds and the thin-data guards of the metrics and drift tests. */
    private static void checkStatistics(Configuration conf, List<String> problems) {
        openUnit(problems, conf, METRICS_CONFIDENCE);
        openUnit(problems, conf, KS_ALPHA);
        openUnit(problems, conf, ADWIN_DELTA);
        double ksFloor = conf.get(KS_MIN_STATISTIC);
        if (!(ksFloor >= 0.0 && ksFloor < 1.0)) {
            problems.add(KS_MIN_STATISTIC.key() + " must be in [0, 1), got " + ksFloor);
        }
        if (!(conf.get(PSI_THRESHOLD) > 0.0)) {
            problems.add(PSI_THRESHOLD.key() + " must be > 0, got " + conf.get(PSI_THRESHOLD));
        }
        if (!(conf.get(CRITICAL_RATIO) >= 1.0)) {
            problems.add(CRITICAL_RATIO.key() + " must be >= 1, got " + conf.get(CRITICAL_RATIO));
        }
        if (!(conf.get(PH_DELTA) >= 0.0)) {
            problems.add(PH_DELTA.key() + " must be >= 0, got " + conf.get(PH_DELTA));
        }
        if (!(conf.get(PH_LAMBDA) > 0.0)) {
            problems.add(PH_LAMBDA.key() + " must be > 0, got " + conf.get(PH_LAMBDA));
        }
        positive(problems, conf, DRIFT_BASELINE);
        // at least 1 ms: the state TTL is set in whole milliseconds, and 0 would switch it off
        Duration idle = conf.get(DRIFT_BASELINE_IDLE);
        if (idle.compareTo(Duration.ofMillis(1)) < 0) {
            problems.add(DRIFT_BASELINE_IDLE.key() + " must be at least 1 ms, got " + idle);
        }
        if (conf.get(DRIFT_MIN_ITEMS) < 1) {
            problems.add(DRIFT_MIN_ITEMS.key() + " must be >= 1, got " + conf.get(DRIFT_MIN_ITEMS));
        }
        if (conf.get(METRICS_MIN_FALSE_NEGATIVES) < 0) {
            problems.add(
                    METRICS_MIN_FALSE_NEGATIVES.key() + " must be >= 0, got " + conf.get(METRICS_MIN_FALSE_NEGATIVES));
        }
    }

    private static void windows(List<String> problems, Configuration conf, ConfigOption<List<Duration>> option) {
        List<Duration> windows = conf.get(option);
        if (windows.isEmpty()) {
            problems.add(option.key() + " must list at least one window");
        }
        Set<String> kinds = new HashSet<>();
        for (Duration window : windows) {
            if (window.isZero() || window.isNegative()) {
                problems.add(option.key() + " must hold positive durations, got " + window);
            } else if (!kinds.add(Windows.kind(window.toMillis()))) {
                problems.add(option.key() + " lists " + window + " twice");
            }
        }
    }

    private static void positive(List<String> problems, Configuration conf, ConfigOption<Duration> option) {
        Duration value = conf.get(option);
        if (value.isZero() || value.isNegative()) {
            problems.add(option.key() + " must be positive, got " + value);
        }
    }

    private static void notNegative(List<String> problems, Configuration conf, ConfigOption<Duration> option) {
        if (conf.get(option).isNegative()) {
            problems.add(option.key() + " must be >= 0, got " + conf.get(option));
        }
    }

    private static void openUnit(List<String> problems, Configuration conf, ConfigOption<Double> option) {
        double value = conf.get(option);
        if (!(value > 0.0 && value < 1.0)) {
            problems.add(option.key() + " must be in (0, 1), got " + value);
        }
    }
}
