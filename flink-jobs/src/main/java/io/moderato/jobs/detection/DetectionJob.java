package io.moderato.jobs.detection;

import io.moderato.jobs.common.DeadLetters;
import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.internal.UserInput;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.Topic;
import io.moderato.schemas.UserSignal;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Content in, decisions out: decode → event time → score each modality (ONNX, micro-batched; a
 * pre-publish item's fast verdict leaves here, at least once) → key by user: fuse with user signals,
 * windowed user risk, bands, audit sample → key by queue: review routing under capacity →
 * exactly-once sinks. Policy config is broadcast to the scorer (model choice, pre-publish verdicts)
 * and to the decider (thresholds, weights, rates, queues), applied without restart.
 */
public final class DetectionJob {

    /**
     * The job's one name. It is the {@code job} of the dead letters and config audits it writes; the
     * product-qualified {@link #QUALIFIED_NAME} is the Flink job name, the FlinkDeployment's name and
     * the prefix of its Kafka consumer groups and transactional ids.
     */
    public static final String NAME = "detection";

    /**
     * {@code moderato-detection}. Never change it: it prefixes the Kafka transactional ids, and a
     * restored job with another prefix would not abort the transactions its predecessor left open
     * (read_committed consumers would stall on them until the transaction timeout).
     */
    public static final String QUALIFIED_NAME = "moderato-" + NAME;

    /** Raw Kafka records of the three inputs (decoding happens in the graph). */
    public record Sources(
            DataStream<KafkaRecord> contentEvents,
            DataStream<KafkaRecord> userSignals,
            DataStream<KafkaRecord> policyConfigs) {}

    /**
     * Where the outputs go: exactly-once Kafka sinks in production (the pre-publish verdicts at least
     * once), collecting sinks in tests.
     */
    public interface Sinks {
        /** Decisions straight from the decider (chained to it: the heaviest record never crosses a network hop). */
        Sink<RiskDecision> decisions();

        /** Decisions of items sent to review, written after routing; same topic as {@link #decisions()}. */
        Sink<RiskDecision> routedDecisions();

        Sink<ReviewTask> reviewTasks();

        Sink<EnforcementAction> enforcementActions();

        Sink<ConfigAudit> configAudit();

        Sink<DeadLetter> deadLetters();

        /**
         * Fast verdicts on pre-publish items, straight from the scorer (chained to it). At least once is
         * enough and exactly once would defeat the purpose: a verdict is keyed and deterministic, so a
         * replayed one is a harmless duplicate, and a transaction would hold it until the next checkpoint.
         */
        Sink<PrepublishVerdict> prepublishVerdicts();
    }

    private DetectionJob() {}

    public static void build(StreamExecutionEnvironment env, Sources sources, Sinks sinks, Configuration conf) {
        List<String> problems = DetectionOptions.validate(conf);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid DetectionJob configuration: " + String.join("; ", problems));
        }
        List<PolicyConfig> defaults =
                JobWiring.policyDefaults(conf.get(DetectionOptions.POLICY_DEFAULTS), DetectionOptions.POLICY_DEFAULTS);
        Inputs in = decode(sources, conf);
        SingleOutputStreamOperator<PolicyConfig> acceptedConfigs = acceptConfigs(in.configs(), defaults, conf);
        SingleOutputStreamOperator<ScoredContent> scored = score(in.timedContent(), acceptedConfigs, defaults, conf);
        SingleOutputStreamOperator<RiskDecision> decided =
                decide(scored, in.userSignals(), acceptedConfigs, defaults, conf);
        SingleOutputStreamOperator<RiskDecision> routed = decided.getSideOutput(DetectionState.REVIEW_CANDIDATES)
                .keyBy(ReviewCandidate::getQueue)
                .process(
                        new RouteReviewFunction(conf.get(DetectionOptions.SAMPLING_SEED)),
                        new AvroTypeInfo<>(RiskDecision.class))
                .uid(DetectionUids.ROUTE)
                .name("Route review tasks (per-queue capacity, event-time order)");
        write(sinks, in, acceptedConfigs, scored, decided, routed);
    }

    /** The decoded inputs (bad records dead-lettered) with their event time. */
    private record Inputs(
            SingleOutputStreamOperator<ContentEvent> content,
            DataStream<ContentEvent> timedContent,
            SingleOutputStreamOperator<UserSignal> signals,
            DataStream<UserSignal> userSignals,
            SingleOutputStreamOperator<PolicyConfig> configs) {}

    private static Inputs decode(Sources sources, Configuration conf) {
        String registry = conf.get(DetectionOptions.SCHEMA_REGISTRY_URL);
        Duration outage = conf.get(DetectionOptions.REGISTRY_OUTAGE_MAX_WAIT);
        SingleOutputStreamOperator<ContentEvent> content = JobWiring.decode(
                sources.contentEvents(),
                ContentEvent.class,
                registry,
                outage,
                DetectionInputs.content(conf),
                NAME,
                DetectionUids.DECODE_CONTENT,
                "Decode " + Topic.CONTENT_EVENTS.topicName());
        SingleOutputStreamOperator<UserSignal> signals = JobWiring.decode(
                sources.userSignals(),
                UserSignal.class,
                registry,
                outage,
                DetectionInputs.userSignal(),
                NAME,
                DetectionUids.DECODE_USER_SIGNALS,
                "Decode " + Topic.USER_SIGNALS.topicName());
        SingleOutputStreamOperator<PolicyConfig> configs = JobWiring.decode(
                sources.policyConfigs(),
                PolicyConfig.class,
                registry,
                outage,
                DetectionInputs.policyConfig(),
                NAME,
                DetectionUids.DECODE_POLICY_CONFIG,
                "Decode " + Topic.POLICY_CONFIG.topicName());
        DataStream<ContentEvent> timedContent = content.assignTimestampsAndWatermarks(JobSettings.eventTime(
                        (ContentEvent event, long ts) -> event.getEventTimeMillis(),
                        conf.get(DetectionOptions.OUT_OF_ORDERNESS),
                        conf.get(DetectionOptions.QUIET_ADVANCE),
                        conf.get(DetectionOptions.SOURCE_IDLENESS)))
                .uid(DetectionUids.WATERMARKS_CONTENT)
                .name("Event time (bounded out-of-orderness)");
        DataStream<UserSignal> userSignals = signals.assignTimestampsAndWatermarks(
                        JobSettings.<UserSignal>neverHoldsBackWatermarks())
                .uid(DetectionUids.WATERMARKS_USER_SIGNALS)
                .name("User signals (no event time)");
        return new Inputs(content, timedContent, signals, userSignals, configs);
    }

    private static SingleOutputStreamOperator<PolicyConfig> acceptConfigs(
            DataStream<PolicyConfig> configs, List<PolicyConfig> defaults, Configuration conf) {
        return configs.assignTimestampsAndWatermarks(JobSettings.<PolicyConfig>neverHoldsBackWatermarks())
                .uid(DetectionUids.WATERMARKS_POLICY_CONFIG)
                .name("Policy config (no event time)")
                .process(
                        new ConfigGate(defaults, modelsDir(conf), conf.get(DetectionOptions.INTRA_OP_THREADS)),
                        new AvroTypeInfo<>(PolicyConfig.class))
                // one gate, but no explicit max parallelism: at job parallelism 1 the gate chains to its source and
                // a savepoint records the chain's 128; an explicit 1 then refused that savepoint at parallelism 2
                // (SavepointUpgradeITCase). Left implicit, a restore adopts whatever the savepoint recorded.
                .setParallelism(1)
                .uid(DetectionUids.CONFIG_GATE)
                .name("Validate policy config (rules, sizes, models load)");
    }

    private static String modelsDir(Configuration conf) {
        return conf.getOptional(DetectionOptions.MODELS_DIR).orElse(null);
    }

    private static SingleOutputStreamOperator<ScoredContent> score(
            DataStream<ContentEvent> timedContent,
            DataStream<PolicyConfig> acceptedConfigs,
            List<PolicyConfig> defaults,
            Configuration conf) {
        return timedContent
                .connect(acceptedConfigs.broadcast())
                .transform(
                        "Score modalities (ONNX, micro-batched)",
                        new AvroTypeInfo<>(ScoredContent.class),
                        new ScoringOperator(
                                new ScoringOperator.Batching(
                                        conf.get(DetectionOptions.BATCH_MAX_SIZE),
                                        conf.get(DetectionOptions.BATCH_MAX_WAIT)
                                                .toMillis(),
                                        conf.get(DetectionOptions.BATCH_PREPUBLISH_MAX_WAIT)
                                                .toMillis()),
                                modelsDir(conf),
                                conf.get(DetectionOptions.INTRA_OP_THREADS),
                                defaults,
                                conf.get(DetectionOptions.CAPTURE_FEATURES)))
                .uid(DetectionUids.SCORE);
    }

    private static SingleOutputStreamOperator<RiskDecision> decide(
            DataStream<ScoredContent> scored,
            DataStream<UserSignal> userSignals,
            DataStream<PolicyConfig> acceptedConfigs,
            List<PolicyConfig> defaults,
            Configuration conf) {
        DataStream<UserInput> byUser = scored.map(
                        s -> new UserInput(s.getEvent().getUserId(), s, null), new AvroTypeInfo<>(UserInput.class))
                .uid(DetectionUids.TO_USER_INPUT_CONTENT)
                .name("Scored content by user")
                .union(userSignals
                        .map(s -> new UserInput(s.getUserId(), null, s), new AvroTypeInfo<>(UserInput.class))
                        .uid(DetectionUids.TO_USER_INPUT_SIGNAL)
                        .name("User signals by user"));
        return byUser.keyBy(UserInput::getUserId)
                .connect(acceptedConfigs.broadcast(DetectionState.POLICY_CONFIGS))
                .process(
                        new DecideFunction(
                                defaults,
                                conf.get(DetectionOptions.WINDOW_LENGTH),
                                conf.get(DetectionOptions.WINDOW_SLIDE),
                                conf.get(DetectionOptions.USER_SIGNAL_TTL),
                                conf.get(DetectionOptions.DEDUP_HORIZON),
                                conf.get(DetectionOptions.SAMPLING_SEED)),
                        new AvroTypeInfo<>(RiskDecision.class))
                .uid(DetectionUids.DECIDE)
                .name("Fuse risk per user, window, decide (event-time order)");
    }

    private static void write(
            Sinks sinks,
            Inputs in,
            SingleOutputStreamOperator<PolicyConfig> acceptedConfigs,
            SingleOutputStreamOperator<ScoredContent> scored,
            SingleOutputStreamOperator<RiskDecision> decided,
            SingleOutputStreamOperator<RiskDecision> routed) {
        // pre-publish items: the fast, at-least-once verdict, before the decider's event-time wait
        scored.getSideOutput(DetectionState.PREPUBLISH_VERDICTS)
                .sinkTo(sinks.prepublishVerdicts())
                .uid(DetectionUids.SINK_PREPUBLISH_VERDICTS)
                .name("Write " + Topic.PREPUBLISH_VERDICTS.topicName() + " (at least once)");
        decided.sinkTo(sinks.decisions())
                .uid(DetectionUids.SINK_DECISIONS)
                .name("Write " + Topic.RISK_DECISIONS.topicName());
        routed.sinkTo(sinks.routedDecisions())
                .uid(DetectionUids.SINK_ROUTED_DECISIONS)
                .name("Write " + Topic.RISK_DECISIONS.topicName() + " (routed to review)");
        routed.getSideOutput(DetectionState.REVIEW_TASKS)
                .sinkTo(sinks.reviewTasks())
                .uid(DetectionUids.SINK_TASKS)
                .name("Write " + Topic.REVIEW_TASKS.topicName());
        decided.getSideOutput(DetectionState.ACTIONS)
                .sinkTo(sinks.enforcementActions())
                .uid(DetectionUids.SINK_ACTIONS)
                .name("Write " + Topic.ENFORCEMENT_ACTIONS.topicName());
        // one writer, chained to the single config gate: two writers would interleave one policy's verdicts in
        // its partition, and config.audit is read as the policy's history in order
        acceptedConfigs
                .getSideOutput(DetectionState.CONFIG_AUDIT)
                .sinkTo(sinks.configAudit())
                .setParallelism(1)
                .uid(DetectionUids.SINK_CONFIG_AUDIT)
                .name("Write " + Topic.CONFIG_AUDIT.topicName());
        in.content()
                .getSideOutput(DeadLetters.TAG)
                .union(in.signals().getSideOutput(DeadLetters.TAG), in.configs().getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters())
                .uid(DetectionUids.SINK_DEADLETTER)
                .name("Write " + Topic.DEADLETTER.topicName());
    }

    /**
     * The settings this job runs with on top of {@link JobSettings#streamingDefaults} (production, the
     * ITCases and the benchmark alike; any of them can be overridden):
     * <ul>
     *   <li>{@code execution.buffer-timeout.interval: 5 ms}. Flink's default 100 ms lets a half-full
     *       network buffer wait up to 100 ms on each of the job's hops; pre-publish items are waiting.</li>
     *   <li>{@code pipeline.object-reuse: true}: chained operators hand records over without an Avro
     *       deep copy. Safe here: network inputs always deserialize fresh objects, the scorer buffers
     *       only those, and no chained function keeps or mutates a record after handing it on.</li>
     * </ul>
     */
    public static Configuration tuned(Configuration jobConf) {
        jobConf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(5));
        jobConf.set(PipelineOptions.OBJECT_REUSE, true);
        return jobConf;
    }

    /** Production wiring: Kafka in, exactly-once Kafka out, checkpointing always on. */
    public static void main(String[] args) throws Exception {
        Configuration conf = Configuration.fromMap(JobWiring.parseArgs(args));
        Configuration jobConf = tuned(JobSettings.streamingDefaults(
                conf.get(DetectionOptions.CHECKPOINT_DIR), conf.get(DetectionOptions.CHECKPOINT_INTERVAL)));
        jobConf.addAll(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        KafkaIo kafka = new KafkaIo(
                conf.get(DetectionOptions.BOOTSTRAP_SERVERS),
                conf.get(DetectionOptions.SCHEMA_REGISTRY_URL),
                QUALIFIED_NAME,
                conf.get(DetectionOptions.BOUNDED),
                conf.get(DetectionOptions.TRANSACTION_TIMEOUT_MS),
                conf.get(DetectionOptions.MAX_REQUEST_SIZE));
        build(env, kafkaSources(env, kafka, conf), kafkaSinks(kafka, conf), conf);
        env.execute(QUALIFIED_NAME);
    }

    public static Sources kafkaSources(StreamExecutionEnvironment env, KafkaIo kafka, Configuration conf) {
        return new Sources(
                source(env, kafka, conf.get(DetectionOptions.TOPIC_CONTENT), DetectionUids.SOURCE_CONTENT),
                source(env, kafka, conf.get(DetectionOptions.TOPIC_USER_SIGNALS), DetectionUids.SOURCE_USER_SIGNALS),
                source(env, kafka, conf.get(DetectionOptions.TOPIC_POLICY_CONFIG), DetectionUids.SOURCE_POLICY_CONFIG));
    }

    private static DataStream<KafkaRecord> source(
            StreamExecutionEnvironment env, KafkaIo kafka, String topic, String uid) {
        return env.fromSource(kafka.source(topic), WatermarkStrategy.noWatermarks(), "Read " + topic)
                .uid(uid);
    }

    public static Sinks kafkaSinks(KafkaIo kafka, Configuration conf) {
        return new Sinks() {
            @Override
            public Sink<RiskDecision> decisions() {
                return kafka.sink(
                        conf.get(DetectionOptions.TOPIC_DECISIONS), RiskDecision.class, RiskDecision::getContentId);
            }

            @Override
            public Sink<RiskDecision> routedDecisions() {
                return kafka.sink(
                        conf.get(DetectionOptions.TOPIC_DECISIONS),
                        RiskDecision.class,
                        RiskDecision::getContentId,
                        "routed");
            }

            @Override
            public Sink<ReviewTask> reviewTasks() {
                return kafka.sink(conf.get(DetectionOptions.TOPIC_TASKS), ReviewTask.class, ReviewTask::getContentId);
            }

            @Override
            public Sink<EnforcementAction> enforcementActions() {
                return kafka.sink(
                        conf.get(DetectionOptions.TOPIC_ACTIONS),
                        EnforcementAction.class,
                        EnforcementAction::getContentId);
            }

            @Override
            public Sink<ConfigAudit> configAudit() {
                return kafka.sink(
                        conf.get(DetectionOptions.TOPIC_CONFIG_AUDIT), ConfigAudit.class, ConfigAudit::getPolicyId);
            }

            @Override
            public Sink<DeadLetter> deadLetters() {
                return kafka.sink(conf.get(DetectionOptions.TOPIC_DEADLETTER), DeadLetter.class, null);
            }

            @Override
            public Sink<PrepublishVerdict> prepublishVerdicts() {
                return kafka.atLeastOnceSink(
                        conf.get(DetectionOptions.TOPIC_PREPUBLISH_VERDICTS),
                        PrepublishVerdict.class,
                        PrepublishVerdict::getContentId);
            }
        };
    }
}
