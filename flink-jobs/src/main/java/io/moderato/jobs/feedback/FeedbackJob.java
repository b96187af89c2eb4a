package io.moderato.jobs.feedback;

import io.moderato.jobs.common.DeadLetters;
import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.detection.DetectionInputs;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.util.List;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Labels in, learning out: decode → event time → join labels to decisions by contentId (keyed
 * state with TTL, adjudication) → training examples (Kafka exactly once + Avro files) → per policy ×
 * model × surface windowed IPW quality metrics and label-based change detection → score drift of
 * every decision against the models' reference histograms → compliance numbers per policy × day.
 * Policy config is broadcast to the metrics (live threshold, precision obligation). Design notes:
 * flink-jobs/README-feedback.md.
 */
public final class FeedbackJob {

    /**
     * The job's one name. It is the {@code job} of the dead letters it writes; the product-qualified
     * {@link #QUALIFIED_NAME} is the Flink job name, the FlinkDeployment's name and the prefix of its Kafka consumer
     * groups and transactional ids.
     */
    public static final String NAME = "feedback";

    /**
     * {@code moderato-feedback}. Never change it: it prefixes the Kafka transactional ids, and a restored job with
     * another prefix would not abort the transactions its predecessor left open.
     */
    public static final String QUALIFIED_NAME = "moderato-" + NAME;

    /**
     * Raw Kafka records of the inputs (decoding happens in the graph). {@code reviewTasks} may be
     * null: the compliance reports then count no review tasks.
     */
    public record Sources(
            DataStream<KafkaRecord> decisions,
            DataStream<KafkaRecord> labels,
            DataStream<KafkaRecord> policyConfigs,
            DataStream<KafkaRecord> reviewTasks) {}

    /** Where the outputs go: exactly-once Kafka sinks and a FileSink in production, collecting sinks in tests. */
    public interface Sinks {
        Sink<TrainingExample> trainingExamples();

        Sink<TrainingExample> trainingExampleFiles();

        Sink<MetricSnapshot> qualityMetrics();

        Sink<DriftAlert> driftAlerts();

        Sink<ComplianceReport> complianceReports();

        Sink<ReviewLabel> unmatchedLabels();

        Sink<DeadLetter> deadLetters();
    }

    private FeedbackJob() {}

    public static void build(StreamExecutionEnvironment env, Sources sources, Sinks sinks, Configuration conf) {
        List<String> problems = FeedbackOptions.validate(conf);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid FeedbackJob configuration: " + String.join("; ", problems));
        }
        Decoded in = decode(sources, conf);
        SingleOutputStreamOperator<TrainingExample> examples = joinLabels(in.decisions(), in.labels(), conf, sinks);
        SingleOutputStreamOperator<MetricSnapshot> snapshots = qualityMetrics(examples, in.configs(), conf, sinks);
        scoreDrift(in.decisions(), snapshots.getSideOutput(FeedbackState.LABEL_DRIFT_ALERTS), conf, sinks);
        compliance(in.decisions(), examples, in.tasks(), conf, sinks);
        in.deadLetters()
                .sinkTo(sinks.deadLetters())
                .uid(FeedbackUids.SINK_DEADLETTER)
                .name("Write deadletter");
    }

    /** The decoded inputs with event time, and every input's undecodable records. {@code tasks} may be null. */
    private record Decoded(
            DataStream<RiskDecision> decisions,
            DataStream<ReviewLabel> labels,
            DataStream<PolicyConfig> configs,
            DataStream<ReviewTask> tasks,
            DataStream<DeadLetter> deadLetters) {}

    /** Decode (bad bytes → deadletter) and assign event time; policy config never holds back watermarks. */
    private static Decoded decode(Sources sources, Configuration conf) {
        String registry = conf.get(FeedbackOptions.SCHEMA_REGISTRY_URL);
        SingleOutputStreamOperator<RiskDecision> decisions = JobWiring.decode(
                sources.decisions(),
                RiskDecision.class,
                registry,
                FeedbackInputs.decision(conf),
                NAME,
                FeedbackUids.DECODE_DECISIONS,
                "Decode risk.decisions");
        SingleOutputStreamOperator<ReviewLabel> labels = JobWiring.decode(
                sources.labels(),
                ReviewLabel.class,
                registry,
                FeedbackInputs.label(conf),
                NAME,
                FeedbackUids.DECODE_LABELS,
                "Decode review.labels");
        SingleOutputStreamOperator<PolicyConfig> configs = JobWiring.decode(
                sources.policyConfigs(),
                PolicyConfig.class,
                registry,
                DetectionInputs.policyConfig(),
                NAME,
                FeedbackUids.DECODE_POLICY_CONFIG,
                "Decode policy.config");
        DataStream<DeadLetter> deadLetters = decisions
                .getSideOutput(DeadLetters.TAG)
                .union(labels.getSideOutput(DeadLetters.TAG), configs.getSideOutput(DeadLetters.TAG));
        DataStream<ReviewTask> timedTasks = null;
        if (sources.reviewTasks() != null) {
            SingleOutputStreamOperator<ReviewTask> tasks = decodeTasks(sources, registry, conf);
            timedTasks = withEventTime(tasks, conf);
            deadLetters = deadLetters.union(tasks.getSideOutput(DeadLetters.TAG));
        }
        return new Decoded(
                decisions
                        .assignTimestampsAndWatermarks(
                                eventTime(conf, (RiskDecision d, long ts) -> d.getEventTimeMillis()))
                        .uid(FeedbackUids.WATERMARKS_DECISIONS)
                        .name("Event time of decisions"),
                labels.assignTimestampsAndWatermarks(
                                eventTime(conf, (ReviewLabel l, long ts) -> l.getLabelledAtMillis()))
                        .uid(FeedbackUids.WATERMARKS_LABELS)
                        .name("Event time of labels"),
                configs.assignTimestampsAndWatermarks(JobSettings.<PolicyConfig>neverHoldsBackWatermarks())
                        .uid(FeedbackUids.WATERMARKS_POLICY_CONFIG)
                        .name("Policy config (no event time)"),
                timedTasks,
                deadLetters);
    }

    private static SingleOutputStreamOperator<ReviewTask> decodeTasks(
            Sources sources, String registry, Configuration conf) {
        return JobWiring.decode(
                sources.reviewTasks(),
                ReviewTask.class,
                registry,
                FeedbackInputs.task(conf),
                NAME,
                FeedbackUids.DECODE_TASKS,
                "Decode review.tasks");
    }

    private static DataStream<ReviewTask> withEventTime(DataStream<ReviewTask> tasks, Configuration conf) {
        return tasks.assignTimestampsAndWatermarks(eventTime(conf, (ReviewTask t, long ts) -> t.getEventTimeMillis()))
                .uid(FeedbackUids.WATERMARKS_TASKS)
                .name("Event time of review tasks");
    }

    /** 1. join labels to decisions, 2. training examples (Kafka and files); unmatched labels go to their topic. */
    private static SingleOutputStreamOperator<TrainingExample> joinLabels(
            DataStream<RiskDecision> decisions, DataStream<ReviewLabel> labels, Configuration conf, Sinks sinks) {
        SingleOutputStreamOperator<TrainingExample> examples = decisions
                .keyBy(RiskDecision::getContentId)
                .connect(labels.keyBy(ReviewLabel::getContentId))
                .process(
                        new JoinLabelsFunction(conf.get(FeedbackOptions.JOIN_TTL)),
                        new AvroTypeInfo<>(TrainingExample.class))
                .uid(FeedbackUids.JOIN)
                .name("Join labels to decisions, adjudicate");
        examples.sinkTo(sinks.trainingExamples())
                .uid(FeedbackUids.SINK_TRAINING_EXAMPLES)
                .name("Write training.examples");
        examples.sinkTo(sinks.trainingExampleFiles())
                .uid(FeedbackUids.SINK_TRAINING_FILES)
                .name("Write training example files (Avro)");
        examples.getSideOutput(FeedbackState.UNMATCHED_LABELS)
                .sinkTo(sinks.unmatchedLabels())
                .uid(FeedbackUids.SINK_UNMATCHED_LABELS)
                .name("Write unmatched labels");
        return examples;
    }

    /** 3. quality metrics per policy × model version × surface (+ label-based change detection). */
    private static SingleOutputStreamOperator<MetricSnapshot> qualityMetrics(
            SingleOutputStreamOperator<TrainingExample> examples,
            DataStream<PolicyConfig> configChanges,
            Configuration conf,
            Sinks sinks) {
        List<PolicyConfig> defaults =
                JobWiring.policyDefaults(conf.get(FeedbackOptions.POLICY_DEFAULTS), FeedbackOptions.POLICY_DEFAULTS);
        SingleOutputStreamOperator<MetricSnapshot> snapshots = examples.getSideOutput(FeedbackState.LABELLED_ITEMS)
                .flatMap(new PerSurfaceAndOverall(), TypeInformation.of(LabelledItem.class))
                .uid(FeedbackUids.SURFACES)
                .name("Labelled items per surface and overall")
                .keyBy(LabelledItem::key)
                .connect(configChanges.broadcast(FeedbackState.POLICY_CONFIGS))
                .process(
                        new QualityMetricsFunction(defaults, FeedbackOptions.qualityMetrics(conf)),
                        new AvroTypeInfo<>(MetricSnapshot.class))
                .uid(FeedbackUids.METRICS)
                .name("Quality metrics per policy, model, surface");
        snapshots
                .sinkTo(sinks.qualityMetrics())
                .uid(FeedbackUids.SINK_QUALITY_METRICS)
                .name("Write quality.metrics");
        return snapshots;
    }

    /** Each labelled item counts for its own surface and for all surfaces. */
    private static final class PerSurfaceAndOverall implements FlatMapFunction<LabelledItem, LabelledItem> {
        @Override
        public void flatMap(LabelledItem item, Collector<LabelledItem> out) {
            out.collect(item);
            out.collect(item.withSurface(QualityMetricsFunction.ALL_SURFACES));
        }
    }

    /** 4. score drift of every decision against the manifests' reference histograms, with the label drift alerts. */
    private static void scoreDrift(
            DataStream<RiskDecision> decisions,
            DataStream<DriftAlert> labelDriftAlerts,
            Configuration conf,
            Sinks sinks) {
        decisions
                .transform(
                        "Pre-aggregate scores",
                        TypeInformation.of(ScoreWindow.class),
                        new DecisionPreAggregator(Windows.sizes(conf.get(FeedbackOptions.DRIFT_WINDOWS))))
                .uid(FeedbackUids.PRE_AGGREGATE)
                .keyBy(ScoreWindow::key)
                .process(
                        new ScoreDriftFunction(
                                new ReferenceHistograms(conf.getOptional(FeedbackOptions.MODELS_DIR)
                                        .orElse(null)),
                                FeedbackOptions.scoreDrift(conf)),
                        new AvroTypeInfo<>(DriftAlert.class))
                .uid(FeedbackUids.SCORE_DRIFT)
                .name("Score drift vs reference (PSI, KS)")
                .union(labelDriftAlerts)
                .sinkTo(sinks.driftAlerts())
                .uid(FeedbackUids.SINK_DRIFT_ALERTS)
                .name("Write drift.alerts");
    }

    /** 5. compliance numbers per policy × UTC day, from every decision, label and (if read) review task. */
    private static void compliance(
            DataStream<RiskDecision> decisions,
            SingleOutputStreamOperator<TrainingExample> examples,
            DataStream<ReviewTask> tasks,
            Configuration conf,
            Sinks sinks) {
        DataStream<ComplianceDelta> deltas = decisions
                .transform(
                        "Count decisions per policy and day",
                        TypeInformation.of(ComplianceDelta.class),
                        new DecisionComplianceCounter())
                .uid(FeedbackUids.COUNT_DECISION_COMPLIANCE)
                .union(examples.getSideOutput(FeedbackState.COMPLIANCE_DELTAS)
                        .transform(
                                "Combine label compliance deltas per policy and day",
                                TypeInformation.of(ComplianceDelta.class),
                                new ComplianceCombiner())
                        .uid(FeedbackUids.COMBINE_LABEL_COMPLIANCE));
        if (tasks != null) {
            deltas = deltas.union(tasks.flatMap(new ReviewTaskCompliance(), TypeInformation.of(ComplianceDelta.class))
                    .uid(FeedbackUids.TASKS_TO_COMPLIANCE)
                    .name("Review tasks per policy and day")
                    .transform(
                            "Combine task compliance deltas per policy and day",
                            TypeInformation.of(ComplianceDelta.class),
                            new ComplianceCombiner())
                    .uid(FeedbackUids.COMBINE_TASK_COMPLIANCE));
        }
        deltas.keyBy(ComplianceDelta::key)
                .process(
                        new ComplianceFunction(FeedbackOptions.compliance(conf)),
                        new AvroTypeInfo<>(ComplianceReport.class))
                .uid(FeedbackUids.COMPLIANCE)
                .name("Compliance numbers per policy and day")
                .sinkTo(sinks.complianceReports())
                .uid(FeedbackUids.SINK_COMPLIANCE_REPORTS)
                .name("Write compliance.reports");
    }

    private static <T> WatermarkStrategy<T> eventTime(Configuration conf, SerializableTimestampAssigner<T> time) {
        return JobSettings.eventTime(
                time,
                conf.get(FeedbackOptions.OUT_OF_ORDERNESS),
                conf.get(FeedbackOptions.QUIET_ADVANCE),
                conf.get(FeedbackOptions.SOURCE_IDLENESS));
    }

    /**
     * The settings this job runs with on top of {@link JobSettings#streamingDefaults} (production, the
     * ITCase and the benchmark alike):
     * <ul>
     *   <li>{@code pipeline.object-reuse: true}. Without it every record is deep-copied between chained
     *       operators (a quarter of the decode chain's time, measured). The graph is safe with it: no
     *       function keeps or mutates a record after handing it on — decoders and every keyed function
     *       emit new records, the pre-aggregators only read their input, state is serialized by
     *       RocksDB, sinks serialize what they receive.</li>
     *   <li>RocksDB bloom filters ({@code state.backend.rocksdb.use-bloom-filter: true}). The join looks
     *       up the decision and the expiry of every incoming item, and almost all of those keys do not
     *       exist yet: without filters each miss searches every level, and with join state growing over
     *       the TTL that made RocksDB.get the join's hottest frame (measured: throughput fell several-fold
     *       between 100k and 300k decisions).</li>
     * </ul>
     */
    public static Configuration tuned(Configuration jobConf) {
        jobConf.set(PipelineOptions.OBJECT_REUSE, true);
        jobConf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        return jobConf;
    }

    /** Production wiring: Kafka in, exactly-once Kafka and Avro files out, checkpointing always on. */
    public static void main(String[] args) throws Exception {
        Configuration conf = Configuration.fromMap(JobWiring.parseArgs(args));
        Configuration jobConf = JobSettings.streamingDefaults(
                conf.get(FeedbackOptions.CHECKPOINT_DIR), conf.get(FeedbackOptions.CHECKPOINT_INTERVAL));
        tuned(jobConf);
        jobConf.addAll(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        KafkaIo kafka = kafkaIo(conf, QUALIFIED_NAME);
        build(env, kafkaSources(env, kafka, conf), kafkaSinks(kafka, conf), conf);
        env.execute(QUALIFIED_NAME);
    }

    public static KafkaIo kafkaIo(Configuration conf, String jobName) {
        return new KafkaIo(
                conf.get(FeedbackOptions.BOOTSTRAP_SERVERS),
                conf.get(FeedbackOptions.SCHEMA_REGISTRY_URL),
                jobName,
                conf.get(FeedbackOptions.BOUNDED),
                conf.get(FeedbackOptions.TRANSACTION_TIMEOUT_MS),
                conf.get(FeedbackOptions.MAX_REQUEST_SIZE));
    }

    public static Sources kafkaSources(StreamExecutionEnvironment env, KafkaIo kafka, Configuration conf) {
        return new Sources(
                source(env, kafka, conf.get(FeedbackOptions.TOPIC_DECISIONS), FeedbackUids.SOURCE_DECISIONS),
                source(env, kafka, conf.get(FeedbackOptions.TOPIC_LABELS), FeedbackUids.SOURCE_LABELS),
                source(env, kafka, conf.get(FeedbackOptions.TOPIC_POLICY_CONFIG), FeedbackUids.SOURCE_POLICY_CONFIG),
                conf.get(FeedbackOptions.READ_TASKS)
                        ? source(env, kafka, conf.get(FeedbackOptions.TOPIC_TASKS), FeedbackUids.SOURCE_TASKS)
                        : null);
    }

    private static DataStream<KafkaRecord> source(
            StreamExecutionEnvironment env, KafkaIo kafka, String topic, String uid) {
        return env.fromSource(kafka.source(topic), WatermarkStrategy.noWatermarks(), "Read " + topic)
                .uid(uid);
    }

    public static Sinks kafkaSinks(KafkaIo kafka, Configuration conf) {
        return new Sinks() {
            @Override
            public Sink<TrainingExample> trainingExamples() {
                return kafka.sink(
                        conf.get(FeedbackOptions.TOPIC_TRAINING_EXAMPLES),
                        TrainingExample.class,
                        TrainingExample::getContentId);
            }

            @Override
            public Sink<TrainingExample> trainingExampleFiles() {
                return TrainingExampleFileSink.sink(
                        conf.get(FeedbackOptions.FILES_PATH),
                        conf.get(FeedbackOptions.FILES_MAX_PART_SIZE).getBytes());
            }

            @Override
            public Sink<MetricSnapshot> qualityMetrics() {
                return kafka.sink(
                        conf.get(FeedbackOptions.TOPIC_QUALITY_METRICS),
                        MetricSnapshot.class,
                        MetricSnapshot::getPolicyId);
            }

            @Override
            public Sink<DriftAlert> driftAlerts() {
                return kafka.sink(
                        conf.get(FeedbackOptions.TOPIC_DRIFT_ALERTS), DriftAlert.class, DriftAlert::getPolicyId);
            }

            @Override
            public Sink<ComplianceReport> complianceReports() {
                return kafka.sink(
                        conf.get(FeedbackOptions.TOPIC_COMPLIANCE_REPORTS),
                        ComplianceReport.class,
                        ComplianceReport::getPolicyId);
            }

            @Override
            public Sink<ReviewLabel> unmatchedLabels() {
                return kafka.sink(
                        conf.get(FeedbackOptions.TOPIC_UNMATCHED_LABELS), ReviewLabel.class, ReviewLabel::getContentId);
            }

            @Override
            public Sink<DeadLetter> deadLetters() {
                return kafka.sink(conf.get(FeedbackOptions.TOPIC_DEADLETTER), DeadLetter.class, null);
            }
        };
    }
}
