package io.moderato.jobs.local;

import io.moderato.jobs.cli.Reachability;
import io.moderato.jobs.cli.TopicReader;
import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.feedback.FeedbackJob;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.jobs.feedback.ScoreDriftFunction;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.UserSignal;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The whole Moderato loop on one machine ({@code scripts/moderato up}): an in-process KRaft broker
 * and an Apicurio schema registry (or external ones), both jobs on a MiniCluster with the Flink web
 * UI, the traffic generator, the simulated reviewers and a status line. {@link #start} brings it up
 * and prints where everything is; {@link #run} paces the traffic until the duration ends or the
 * thread is interrupted; {@link #close} stops everything in reverse order (Ctrl-C runs it too).
 */
public final class LocalStack implements AutoCloseable {

    /** Every topic both jobs read or write, with their default names. */
    public static final List<String> TOPICS = List.of(
            DetectionOptions.TOPIC_CONTENT.defaultValue(),
            DetectionOptions.TOPIC_USER_SIGNALS.defaultValue(),
            DetectionOptions.TOPIC_POLICY_CONFIG.defaultValue(),
            DetectionOptions.TOPIC_DECISIONS.defaultValue(),
            DetectionOptions.TOPIC_TASKS.defaultValue(),
            DetectionOptions.TOPIC_ACTIONS.defaultValue(),
            DetectionOptions.TOPIC_CONFIG_AUDIT.defaultValue(),
            DetectionOptions.TOPIC_DEADLETTER.defaultValue(),
            DetectionOptions.TOPIC_PREPUBLISH_VERDICTS.defaultValue(),
            FeedbackOptions.TOPIC_LABELS.defaultValue(),
            FeedbackOptions.TOPIC_TRAINING_EXAMPLES.defaultValue(),
            FeedbackOptions.TOPIC_QUALITY_METRICS.defaultValue(),
            FeedbackOptions.TOPIC_DRIFT_ALERTS.defaultValue(),
            FeedbackOptions.TOPIC_COMPLIANCE_REPORTS.defaultValue(),
            FeedbackOptions.TOPIC_UNMATCHED_LABELS.defaultValue());
    /** Changelog topics: the latest record per key is what counts. */
    public static final List<String> COMPACTED = List.of(
            DetectionOptions.TOPIC_USER_SIGNALS.defaultValue(), DetectionOptions.TOPIC_POLICY_CONFIG.defaultValue());

    private final LocalStackOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private volatile long trafficStartMillis;
    private volatile long trafficStartNanos;
    private final Map<String, GroundTruth> truths = new ConcurrentHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private LocalKafka kafka;
    private ApicurioRegistry registry;
    private MiniCluster cluster;
    private final List<JobID> jobs = new ArrayList<>();
    private String bootstrap;
    private String registryUrl;
    private String uiUrl;
    private TrafficGenerator generator;
    private SimulatedReviewers reviewers;
    private StatusBoard status;
    private AvroProducer producer;
    private volatile boolean closed;

    public LocalStack(LocalStackOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Brings up broker, registry, topics, both jobs, reviewers and status board; prints where everything is. */
    public LocalStack start() throws Exception {
        Consumer<String> log = m -> out.println("[moderato] " + m);
        // the registry's JVM, the corpora and the broker start side by side
        CompletableFuture<ApicurioRegistry> registryStart =
                options.registry() != null ? null : CompletableFuture.supplyAsync(this::startRegistry);
        CompletableFuture<Corpora> corporaLoad =
                CompletableFuture.supplyAsync(() -> Corpora.load(options.dataDir(), options.emailDir(), log));
        connectBrokerAndRegistry(registryStart, log);
        LocalKafka.createTopics(bootstrap, options.partitions(), TOPICS, COMPACTED, Map.of());

        registerSchemas();
        Configuration detection = detectionConf();
        Configuration feedback = feedbackConf();
        List<PolicyConfig> policies = policiesInForce(detection);
        log.accept("policies in force: "
                + policies.stream()
                        .filter(PolicyConfig::getEnabled)
                        .map(PolicyConfig::getPolicyId)
                        .toList());

        Corpora corpora = join(corporaLoad);
        generator = new TrafficGenerator(
                corpora,
                policies,
                detection.getOptional(DetectionOptions.MODELS_DIR).orElse(null),
                new TrafficGenerator.Settings(
                        options.rate(),
                        options.seed(),
                        options.startMillis(),
                        options.spamWaveAtSeconds(),
                        options.spamWaveShare(),
                        0.2),
                log);

        submitJobs(detection, feedback, log);
        startTrafficSide(log);
        printWhereEverythingIs();
        return this;
    }

    private ApicurioRegistry startRegistry() {
        try {
            return ApicurioRegistry.start(options.registryDir(), options.registryPort());
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** The in-process broker and registry (or the given ones, checked reachable). */
    private void connectBrokerAndRegistry(CompletableFuture<ApicurioRegistry> registryStart, Consumer<String> log)
            throws Exception {
        if (options.bootstrap() == null) {
            kafka = LocalKafka.start();
            resources.add(kafka);
            bootstrap = kafka.bootstrapServers();
            log.accept(
                    String.format(Locale.ROOT, "Kafka (in-process, KRaft) at %s after %.1f s", bootstrap, seconds()));
        } else {
            bootstrap = options.bootstrap();
        }
        if (registryStart != null) {
            registry = join(registryStart);
            resources.add(registry);
            registryUrl = registry.url();
            log.accept(String.format(
                    Locale.ROOT,
                    "schema registry (Apicurio, Confluent API) at %s after %.1f s",
                    registryUrl,
                    seconds()));
        } else {
            registryUrl = options.registry();
        }
        if (kafka == null) {
            Reachability.requireBroker(bootstrap);
        }
        if (registry == null) {
            Reachability.requireRegistry(registryUrl);
        }
    }

    /** A MiniCluster running both jobs against the stack's Kafka and registry. */
    private void submitJobs(Configuration detection, Configuration feedback, Consumer<String> log) throws Exception {
        cluster = startCluster();
        uiUrl = cluster.getRestAddress().get().toString();
        jobs.add(submit(
                detection,
                DetectionJob.QUALIFIED_NAME,
                env -> {
                    KafkaIo io = new KafkaIo(
                            bootstrap,
                            registryUrl,
                            DetectionJob.QUALIFIED_NAME,
                            false,
                            detection.get(DetectionOptions.TRANSACTION_TIMEOUT_MS));
                    DetectionJob.build(
                            env,
                            DetectionJob.kafkaSources(env, io, detection),
                            DetectionJob.kafkaSinks(io, detection),
                            detection);
                },
                DetectionJob.tuned(JobSettings.streamingDefaults(
                        detection.get(DetectionOptions.CHECKPOINT_DIR),
                        detection.get(DetectionOptions.CHECKPOINT_INTERVAL)))));
        jobs.add(submit(
                feedback,
                FeedbackJob.QUALIFIED_NAME,
                env -> {
                    KafkaIo io = FeedbackJob.kafkaIo(feedback, FeedbackJob.QUALIFIED_NAME);
                    FeedbackJob.build(
                            env,
                            FeedbackJob.kafkaSources(env, io, feedback),
                            FeedbackJob.kafkaSinks(io, feedback),
                            feedback);
                },
                FeedbackJob.tuned(JobSettings.streamingDefaults(
                        feedback.get(FeedbackOptions.CHECKPOINT_DIR),
                        feedback.get(FeedbackOptions.CHECKPOINT_INTERVAL)))));
        log.accept(String.format(Locale.ROOT, "both jobs submitted after %.1f s", seconds()));
    }

    /** The status board, the simulated reviewers and the traffic producer. */
    private void startTrafficSide(Consumer<String> log) throws Exception {
        status = new StatusBoard(
                        bootstrap,
                        registryUrl,
                        new StatusBoard.Topics(
                                topic(DetectionOptions.TOPIC_DECISIONS),
                                topic(DetectionOptions.TOPIC_TASKS),
                                topic(FeedbackOptions.TOPIC_LABELS),
                                topic(FeedbackOptions.TOPIC_QUALITY_METRICS),
                                topic(FeedbackOptions.TOPIC_DRIFT_ALERTS),
                                topic(DetectionOptions.TOPIC_DEADLETTER)),
                        startNanos,
                        log)
                .start();
        resources.add(status);
        reviewers = new SimulatedReviewers(
                        bootstrap,
                        registryUrl,
                        new SimulatedReviewers.Topics(
                                topic(DetectionOptions.TOPIC_TASKS),
                                topic(DetectionOptions.TOPIC_ACTIONS),
                                topic(FeedbackOptions.TOPIC_LABELS)),
                        options.reviewers(),
                        truths,
                        options.harms(),
                        generator.embeddingPolicies(),
                        this::eventTimeNow,
                        log)
                .start();
        resources.add(reviewers);
        producer = new AvroProducer(bootstrap, registryUrl, "moderato-traffic");
        resources.add(producer);
        producer.prepare(topic(DetectionOptions.TOPIC_CONTENT), ContentEvent.class);
        producer.prepare(topic(DetectionOptions.TOPIC_USER_SIGNALS), UserSignal.class);
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void printWhereEverythingIs() {
        out.println();
        out.println("  Flink web UI     " + uiUrl + "   (jobs: " + DetectionJob.QUALIFIED_NAME + ", "
                + FeedbackJob.QUALIFIED_NAME + ")");
        out.println("  Kafka bootstrap  " + bootstrap + (kafka == null ? "   (external)" : "   (in-process, KRaft)"));
        out.println("  schema registry  " + registryUrl
                + (registry == null ? "   (external)" : "   (Apicurio, in-memory)"));
        out.println("  topics           " + String.join(", ", TOPICS));
        out.println("  work dir         " + options.workDir() + "   (checkpoints, training example files)");
        out.println("  try              scripts/moderato config show --bootstrap " + bootstrap + " --registry "
                + registryUrl);
        out.printf(
                Locale.ROOT,
                "  traffic          %.1f events/s, seed %d%s%s%n",
                options.rate(),
                options.seed(),
                options.spamWaveAtSeconds() >= 0
                        ? String.format(
                                Locale.ROOT,
                                ", spam wave at %.0f s (%.0f %% spam)",
                                options.spamWaveAtSeconds(),
                                100 * options.spamWaveShare())
                        : "",
                options.duration().isZero()
                        ? ", until Ctrl-C"
                        : ", for " + options.duration().toSeconds() + " s");
        out.println();
    }

    /**
     * Paces the traffic (an item every 1/rate seconds; a user's signals before their first item) and prints the
     * status line until {@code duration} has passed (zero: until interrupted); then waits up to {@code drain}
     * for the jobs to catch up. Returns the number of items produced.
     */
    public long run(Duration duration, Duration drain) throws InterruptedException {
        long trafficStart = System.nanoTime();
        trafficStartNanos = trafficStart;
        trafficStartMillis = generator.begin();
        long nextStatus = trafficStart + options.statusInterval().toNanos();
        long lastCount = 0;
        long lastStatus = trafficStart;
        long end = duration.isZero() ? Long.MAX_VALUE : trafficStart + duration.toNanos();
        boolean waveAnnounced = false;
        while (!closed && System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            long n = generator.generated();
            long due = trafficStart + Math.round(n * 1e9 / options.rate());
            long now = System.nanoTime();
            if (due > now) {
                TimeUnit.NANOSECONDS.sleep(Math.min(due - now, 50_000_000L));
            } else {
                if (!waveAnnounced && generator.inSpamWave(n)) {
                    waveAnnounced = true;
                    out.printf(
                            Locale.ROOT,
                            "[moderato] spam wave starts at %.1f s: %.0f %% of the items are spam now%n",
                            seconds(),
                            100 * options.spamWaveShare());
                }
                send(generator.next());
            }
            if (System.nanoTime() >= nextStatus) {
                long count = generator.generated();
                double rate = (count - lastCount) / ((System.nanoTime() - lastStatus) / 1e9);
                out.println(status.line(rate, reviewers.backlog()));
                lastCount = count;
                lastStatus = System.nanoTime();
                nextStatus += options.statusInterval().toNanos();
            }
        }
        producer.flush();
        long drainEnd = System.nanoTime() + drain.toNanos();
        while (!closed && System.nanoTime() < drainEnd && status.decisions() < generator.generated()) {
            Thread.sleep(500);
        }
        if (!closed) {
            out.println(status.line(0, reviewers.backlog()));
        }
        return generator.generated();
    }

    private void send(TrafficGenerator.Item item) {
        if (item.newUser() != null) {
            producer.send(
                    topic(DetectionOptions.TOPIC_USER_SIGNALS), item.newUser().getUserId(), item.newUser());
        }
        truths.put(item.event().getContentId(), item.truth());
        producer.send(topic(DetectionOptions.TOPIC_CONTENT), item.event().getContentId(), item.event());
    }

    /** The stack's event-time clock: the first item's event time plus the time elapsed since the traffic started. */
    private long eventTimeNow() {
        return trafficStartMillis + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - trafficStartNanos);
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private String topic(org.apache.flink.configuration.ConfigOption<String> option) {
        return option.defaultValue();
    }

    /** The value record of every topic, as the jobs write or read it. */
    static final Map<String, Class<? extends SpecificRecordBase>> RECORDS = Map.ofEntries(
            Map.entry(DetectionOptions.TOPIC_CONTENT.defaultValue(), ContentEvent.class),
            Map.entry(DetectionOptions.TOPIC_USER_SIGNALS.defaultValue(), UserSignal.class),
            Map.entry(DetectionOptions.TOPIC_POLICY_CONFIG.defaultValue(), PolicyConfig.class),
            Map.entry(DetectionOptions.TOPIC_DECISIONS.defaultValue(), RiskDecision.class),
            Map.entry(DetectionOptions.TOPIC_TASKS.defaultValue(), ReviewTask.class),
            Map.entry(DetectionOptions.TOPIC_ACTIONS.defaultValue(), EnforcementAction.class),
            Map.entry(DetectionOptions.TOPIC_CONFIG_AUDIT.defaultValue(), ConfigAudit.class),
            Map.entry(DetectionOptions.TOPIC_DEADLETTER.defaultValue(), DeadLetter.class),
            Map.entry(DetectionOptions.TOPIC_PREPUBLISH_VERDICTS.defaultValue(), PrepublishVerdict.class),
            Map.entry(FeedbackOptions.TOPIC_LABELS.defaultValue(), ReviewLabel.class),
            Map.entry(FeedbackOptions.TOPIC_TRAINING_EXAMPLES.defaultValue(), TrainingExample.class),
            Map.entry(FeedbackOptions.TOPIC_QUALITY_METRICS.defaultValue(), MetricSnapshot.class),
            Map.entry(FeedbackOptions.TOPIC_DRIFT_ALERTS.defaultValue(), DriftAlert.class),
            Map.entry(FeedbackOptions.TOPIC_COMPLIANCE_REPORTS.defaultValue(), ComplianceReport.class),
            Map.entry(FeedbackOptions.TOPIC_UNMATCHED_LABELS.defaultValue(), ReviewLabel.class));

    /**
     * Registers every topic's value schema before the jobs start: two sinks of one topic (decisions and routed
     * decisions) registering the same new subject at the same moment got HTTP 409 from Apicurio, and the job restarted.
     */
    private void registerSchemas() throws java.io.IOException {
        for (var entry : RECORDS.entrySet()) {
            RegistryAvroSerializer<? extends SpecificRecordBase> serializer =
                    RegistryAvroSerializer.forTopic(entry.getValue(), registryUrl, entry.getKey());
            serializer.open(null);
            serializer.writerSchemaId();
        }
    }

    /**
     * Main inputs are never declared idle here: every partition of the stack's topics carries traffic, so
     * waiting for them holds nothing back for long, and a quiet start (jobs up before the first event) never
     * lets an idle input's neighbours race ahead. (Side inputs mark themselves idle: JobSettings.)
     */
    static final Duration MAIN_INPUT_IDLENESS = Duration.ofMinutes(30);

    /** The DetectionJob as the local stack runs it: short checkpoints (outputs visible within ~2 s), 1 s out-of-orderness. */
    Configuration detectionConf() {
        Configuration conf = new Configuration();
        conf.set(DetectionOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(DetectionOptions.SCHEMA_REGISTRY_URL, registryUrl);
        conf.set(DetectionOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        conf.set(
                DetectionOptions.CHECKPOINT_DIR,
                options.workDir().resolve("checkpoints/detection").toUri().toString());
        conf.set(DetectionOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        conf.set(DetectionOptions.SOURCE_IDLENESS, MAIN_INPUT_IDLENESS);
        conf.set(DetectionOptions.SAMPLING_SEED, options.seed());
        options.policyDefaults().ifPresent(f -> conf.set(DetectionOptions.POLICY_DEFAULTS, f));
        conf.addAll(Configuration.fromMap(options.jobOptions("detection.")));
        return conf;
    }

    /**
     * The FeedbackJob with windows short enough to watch: 30 s metric and drift windows, 20 s label grace; drift
     * against each model's first window of this traffic (the manifests' references are the corpora's validation
     * splits, a different mix: they alert on every window).
     */
    Configuration feedbackConf() {
        Configuration conf = new Configuration();
        conf.set(FeedbackOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(FeedbackOptions.SCHEMA_REGISTRY_URL, registryUrl);
        conf.set(FeedbackOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        conf.set(
                FeedbackOptions.CHECKPOINT_DIR,
                options.workDir().resolve("checkpoints/feedback").toUri().toString());
        conf.set(
                FeedbackOptions.FILES_PATH,
                options.workDir().resolve("training-examples").toUri().toString());
        conf.set(FeedbackOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        conf.set(FeedbackOptions.SOURCE_IDLENESS, MAIN_INPUT_IDLENESS);
        conf.set(FeedbackOptions.METRICS_WINDOWS, List.of(options.windowLength()));
        conf.set(FeedbackOptions.METRICS_LABEL_GRACE, options.labelGrace());
        conf.set(FeedbackOptions.DRIFT_WINDOWS, List.of(options.windowLength()));
        conf.set(FeedbackOptions.DRIFT_MIN_ITEMS, 100);
        conf.set(FeedbackOptions.DRIFT_REFERENCE, ScoreDriftFunction.Reference.TRAFFIC);
        conf.set(FeedbackOptions.DRIFT_BASELINE, options.windowLength());
        conf.set(FeedbackOptions.COMPLIANCE_UPDATE_INTERVAL, Duration.ofMinutes(1));
        options.policyDefaults().ifPresent(f -> conf.set(FeedbackOptions.POLICY_DEFAULTS, f));
        conf.addAll(Configuration.fromMap(options.jobOptions("feedback.")));
        return conf;
    }

    /** The defaults with every config on policy.config replayed through the jobs' own {@link PolicyBook}. */
    private List<PolicyConfig> policiesInForce(Configuration detection) {
        PolicyBook book = new PolicyBook(JobWiring.policyDefaults(
                detection.get(DetectionOptions.POLICY_DEFAULTS), DetectionOptions.POLICY_DEFAULTS));
        for (var entry : TopicReader.readAll(
                bootstrap,
                registryUrl,
                topic(DetectionOptions.TOPIC_POLICY_CONFIG),
                PolicyConfig.class,
                Duration.ofSeconds(30))) {
            book.offer(entry.value());
        }
        return List.copyOf(book.current());
    }

    private MiniCluster startCluster() throws Exception {
        Configuration conf = new Configuration();
        if (options.uiPort() == 0) {
            conf.set(RestOptions.BIND_PORT, "0");
        } else {
            conf.set(RestOptions.PORT, options.uiPort());
        }
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        MiniCluster miniCluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(4)
                .build());
        try {
            miniCluster.start();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot start the Flink MiniCluster with its web UI on port " + options.uiPort()
                            + " (is another Flink running? pass --ui-port): " + e.getMessage(),
                    e);
        }
        resources.add(miniCluster::close);
        return miniCluster;
    }

    @FunctionalInterface
    private interface GraphBuilder {
        void build(StreamExecutionEnvironment env) throws Exception;
    }

    private JobID submit(Configuration jobOptions, String name, GraphBuilder graph, Configuration runtime)
            throws Exception {
        runtime.addAll(jobOptions);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(runtime);
        env.setParallelism(options.parallelism());
        graph.build(env);
        StreamGraph streamGraph = env.getStreamGraph();
        streamGraph.setJobName(name);
        return cluster.submitJob(streamGraph.getJobGraph()).get().getJobID();
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String registryUrl() {
        return registryUrl;
    }

    public String uiUrl() {
        return uiUrl;
    }

    public StatusBoard status() {
        return status;
    }

    public SimulatedReviewers reviewers() {
        return reviewers;
    }

    /** Ids of every content event sent so far. */
    public java.util.Set<String> sentContentIds() {
        return java.util.Set.copyOf(truths.keySet());
    }

    public TrafficGenerator generator() {
        return generator;
    }

    /**
     * Stops traffic, reviewers and status board, then the registry's child JVM (first: nothing else would stop
     * it if this JVM were halted half-way), cancels both jobs, and stops the cluster and the broker.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable client : new AutoCloseable[] {producer, reviewers, status, registry}) {
            closeQuietly(client);
        }
        for (JobID job : jobs) {
            try {
                cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("[moderato] cancelling job " + job + ": " + e.getMessage());
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            closeQuietly(resources.get(i));
        }
    }

    /** True once {@link #close} has begun: {@link #run} then returns. */
    public boolean isClosed() {
        return closed;
    }

    private final java.util.Set<AutoCloseable> closedResources =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private void closeQuietly(AutoCloseable resource) {
        if (resource == null || !closedResources.add(resource)) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            out.println("[moderato] stopping " + resource.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** {@code scripts/moderato up}: see {@link LocalStackOptions#USAGE}. */
    public static void main(String[] args) throws Exception {
        LocalStackOptions options;
        try {
            options = LocalStackOptions.parse(args);
        } catch (LocalStackOptions.HelpRequested e) {
            System.out.print(LocalStackOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("moderato up: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(options.workDir());
        LocalStack stack = new LocalStack(options, System.out);
        // Ctrl-C: the hook closes the stack; run() sees it and returns, main then waits in System.exit for the hook
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (!stack.isClosed()) {
                                System.out.println("\n[moderato] stopping (Ctrl-C) ...");
                                stack.close();
                                System.out.println("[moderato] stopped");
                            }
                        },
                        "moderato-shutdown"));
        int exit = 0;
        try {
            stack.start();
            long produced =
                    stack.run(options.duration(), options.duration().isZero() ? Duration.ZERO : Duration.ofSeconds(20));
            if (!stack.isClosed()) {
                stack.summary(produced);
            }
        } catch (Exception e) {
            if (!stack.isClosed()) {
                System.err.println("moderato up: " + e.getMessage());
                exit = 1;
            }
        }
        if (!stack.isClosed()) {
            stack.close();
            System.out.println("[moderato] stopped");
        }
        System.exit(exit);
    }

    /** What the run produced and when the milestones came (seconds since start). */
    void summary(long produced) {
        out.println();
        out.printf(
                Locale.ROOT,
                "[moderato] produced %d events; %d decided, %d labels returned, %d quality snapshots, %d drift alerts, %d dead letters%n",
                produced,
                status.decisions(),
                status.labels(),
                status.metricSnapshots(),
                status.alerts().size(),
                status.deadLetters());
        status.milestones().forEach((name, s) -> out.printf(Locale.ROOT, "[moderato]   %-22s %6.1f s%n", name, s));
        if (options.spamWaveAtSeconds() >= 0) {
            long waveStartMillis = generator.eventTimeOf(Math.round(options.spamWaveAtSeconds() * options.rate()));
            long before = status.alerts().stream()
                    .filter(a -> a.windowEndMillis() <= waveStartMillis)
                    .count();
            long after = status.alerts().size() - before;
            out.printf(
                    Locale.ROOT,
                    "[moderato]   drift alerts on windows before the spam wave: %d, on windows reaching into it: %d%n",
                    before,
                    after);
            status.alerts().stream()
                    .filter(a -> a.windowEndMillis() > waveStartMillis)
                    .findFirst()
                    .ifPresent(a -> out.printf(
                            Locale.ROOT,
                            "[moderato]   first alert covering the wave: %s %s on %s, read %.1f s after start%n",
                            a.severity(),
                            a.detector(),
                            a.policyId(),
                            a.atSeconds()));
        }
    }
}
