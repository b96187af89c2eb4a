package io.moderato.jobs.bench;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.feedback.FeedbackJob;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.jobs.feedback.FeedbackUids;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Throughput of the real {@link FeedbackJob#build} graph on this machine: RocksDB with incremental
 * checkpoints every few seconds, exactly-once mode, parallelism 2, on a local MiniCluster. Inputs
 * are pre-encoded Confluent-framed Avro (mock registry) served from memory, so decoding, the join,
 * adjudication, metrics, drift, compliance and all serialization between operators are measured;
 * outputs go to counting sinks instead of Kafka (no broker, no transactions, no file sink).
 *
 * <p>Two workloads: "production mix" (every decision, 10% of them labelled, 10% of those with a
 * second opinion) and "label heavy" (every decision labelled, 20% with a second opinion), the second
 * bounding what the label path sustains. Throughput = records / the job's net runtime (from
 * submission to the end of the last record, final checkpoint included), after one warm-up run.
 *
 * <pre>
 *   scripts/bench-feedback.sh [decisions] [out.md]
 * </pre>
 */
public final class FeedbackBenchmark {

    /** The pre-encoded inputs of the run in progress (the MiniCluster shares this JVM). */
    static volatile KafkaRecord[] decisions;

    static volatile KafkaRecord[] labels;
    static volatile KafkaRecord[] configs;

    private static final String REGISTRY = "mock://feedback-bench";
    private static final int FEATURE_INDICES = 120;

    record Workload(String name, int decisions, double labelledShare, double secondOpinionShare) {}

    record Result(Workload workload, int decisionCount, int labelCount, long netMillis, Map<String, Long> outputs) {
        double decisionsPerSecond() {
            return decisionCount * 1000.0 / netMillis;
        }

        double labelsPerSecond() {
            return labelCount * 1000.0 / netMillis;
        }
    }

    private FeedbackBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path out = Path.of(args.length > 1 ? args[1] : "target/bench/feedback.md");
        int parallelism = Integer.getInteger("bench.parallelism", 2);

        int repeats = Integer.getInteger("bench.repeats", 3);
        String loadBefore = loadAverage();

        run(new Workload("warm-up", 20_000, 0.5, 0.2), parallelism); // JIT, class loading, RocksDB natives
        List<List<Result>> results = new ArrayList<>();
        String only = System.getProperty("bench.only", "");
        for (Workload workload : List.of(
                new Workload("production mix", n, 0.10, 0.10),
                new Workload("label heavy", Math.max(2, n / 3), 1.0, 0.20))) {
            if (!workload.name().startsWith(only)) {
                continue;
            }
            List<Result> runs = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                runs.add(run(workload, parallelism));
            }
            runs.sort(Comparator.comparingLong(Result::netMillis));
            results.add(runs);
        }
        String report = markdown(results, parallelism, loadBefore, loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out.toAbsolutePath());
    }

    // ---------------------------------------------------------------- one run

    static Result run(Workload workload, int parallelism) throws Exception {
        prepare(workload);
        Path checkpoints = Files.createTempDirectory("feedback-bench-checkpoints");
        Configuration jobConf =
                JobSettings.streamingDefaults(checkpoints.toUri().toString(), Duration.ofSeconds(5));
        // RocksDB's memory (write buffers, block cache) comes from managed memory; the local default (128 MiB
        // for the whole MiniCluster) is far below a real TaskManager's
        jobConf.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse(System.getProperty("bench.managed", "512m")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FeedbackJob.tuned(jobConf));
        env.setParallelism(parallelism);

        Configuration conf = new Configuration();
        conf.set(FeedbackOptions.SCHEMA_REGISTRY_URL, REGISTRY);
        Path defaults = DetectionFixtures.writeDefaults(checkpoints, List.of(config()));
        conf.set(FeedbackOptions.POLICY_DEFAULTS, defaults.toString());
        conf.set(FeedbackOptions.SOURCE_IDLENESS, Duration.ofHours(1));
        conf.set(FeedbackOptions.QUIET_ADVANCE, Duration.ofHours(1));
        // the replay's event times are fixed offsets from 2026-01-01, whatever today is
        conf.set(FeedbackOptions.MAX_PAST, Duration.ofDays(36_500));

        CountingSink.reset();
        FeedbackJob.build(
                env,
                new FeedbackJob.Sources(
                        source(env, "decisions", decisions.length, FeedbackUids.SOURCE_DECISIONS),
                        source(env, "labels", labels.length, FeedbackUids.SOURCE_LABELS),
                        source(env, "configs", configs.length, FeedbackUids.SOURCE_POLICY_CONFIG),
                        null),
                new CountingSinks(),
                conf);
        JobExecutionResult result = env.execute("feedback-benchmark " + workload.name());
        long net = result.getNetRuntime(TimeUnit.MILLISECONDS);
        Result r = new Result(workload, decisions.length, labels.length, net, CountingSink.snapshot());
        System.out.printf(
                Locale.ROOT,
                "%s: %,d decisions, %,d labels in %.1f s: %,.0f decisions/s, %,.0f labels/s %s%n",
                workload.name(),
                r.decisionCount(),
                r.labelCount(),
                net / 1000.0,
                r.decisionsPerSecond(),
                r.labelsPerSecond(),
                r.outputs());
        deleteRecursively(checkpoints);
        return r;
    }

    /** In-memory source of one input: a number sequence mapped to the pre-encoded records. */
    private static DataStream<KafkaRecord> source(StreamExecutionEnvironment env, String input, int count, String uid) {
        int total = count;
        return env.fromSource(
                        new NumberSequenceSource(0, Math.max(0, count - 1)),
                        WatermarkStrategy.noWatermarks(),
                        "Read " + input + " (in memory)")
                .uid(uid)
                .map(
                        (MapFunction<Long, KafkaRecord>) i -> records(input)[interleaved(i, total)],
                        TypeInformation.of(KafkaRecord.class))
                .uid(uid + "-records")
                .name("Pre-encoded " + input);
    }

    private static KafkaRecord[] records(String input) {
        return switch (input) {
            case "decisions" -> decisions;
            case "labels" -> labels;
            default -> configs;
        };
    }

    /**
     * The number sequence is split into two contiguous halves, one per reader: map the halves onto
     * even and odd positions so both readers walk through event time together.
     */
    static int interleaved(long i, int total) {
        int half = (total + 1) / 2;
        return (int) (i < half ? 2 * i : 2 * (i - half) + 1);
    }

    // ---------------------------------------------------------------- the inputs

    private static PolicyConfig config() {
        return FeedbackFixtures.spamConfig(1, 0.5, 0.9);
    }

    /** Decisions 250 ms apart (event time), scored like the spam reference; labels 20–80 min later. */
    static void prepare(Workload workload) {
        Random random = new Random(20_251_124L);
        RegistryAvroSerializer<RiskDecision> decisionCodec =
                RegistryAvroSerializer.forTopic(RiskDecision.class, REGISTRY, "risk.decisions");
        RegistryAvroSerializer<ReviewLabel> labelCodec =
                RegistryAvroSerializer.forTopic(ReviewLabel.class, REGISTRY, "review.labels");
        RegistryAvroSerializer<PolicyConfig> configCodec =
                RegistryAvroSerializer.forTopic(PolicyConfig.class, REGISTRY, "policy.config");
        decisionCodec.open(null);
        labelCodec.open(null);
        configCodec.open(null);

        int n = workload.decisions() + workload.decisions() % 2;
        KafkaRecord[] decisionRecords = new KafkaRecord[n];
        List<ReviewLabel> labelList = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long eventTime = FeedbackFixtures.T0 + i * 250L;
            double score = score(random);
            RiskDecision d = FeedbackFixtures.spamDecision(
                    "c" + i, eventTime, random.nextInt(4) == 0 ? "post" : "comment", score);
            d.setFeatures(List.of(features(random)));
            decisionRecords[i] = record("risk.decisions", i, eventTime, d.getContentId(), decisionCodec.serialize(d));
            if (random.nextDouble() < workload.labelledShare()) {
                boolean violating = random.nextDouble() < score;
                long at = eventTime + 20 * FeedbackFixtures.MINUTE + random.nextInt(60) * FeedbackFixtures.MINUTE;
                String source = score >= 0.5 && score < 0.9 ? "REVIEW" : "AUDIT";
                labelList.add(
                        FeedbackFixtures.label(d.getContentId(), violating, "r" + random.nextInt(50), source, at));
                if (random.nextDouble() < workload.secondOpinionShare()) {
                    labelList.add(FeedbackFixtures.label(
                            d.getContentId(),
                            random.nextBoolean(),
                            "r" + (50 + random.nextInt(50)),
                            "REVIEW",
                            at + 10 * FeedbackFixtures.MINUTE));
                }
            }
        }
        labelList.sort(Comparator.comparingLong(ReviewLabel::getLabelledAtMillis));
        if (labelList.size() % 2 == 1) {
            labelList.remove(labelList.size() - 1);
        }
        KafkaRecord[] labelRecords = new KafkaRecord[labelList.size()];
        for (int i = 0; i < labelRecords.length; i++) {
            ReviewLabel l = labelList.get(i);
            labelRecords[i] =
                    record("review.labels", i, l.getLabelledAtMillis(), l.getContentId(), labelCodec.serialize(l));
        }
        decisions = decisionRecords;
        labels = labelRecords;
        configs = new KafkaRecord[] {
            record("policy.config", 0, FeedbackFixtures.T0, "spam", configCodec.serialize(config()))
        };
    }

    /** Mostly clean, some borderline, some clear spam: roughly the reference's shape. */
    private static double score(Random random) {
        double u = random.nextDouble();
        if (u < 0.80) {
            return random.nextDouble() * 0.05;
        }
        if (u < 0.90) {
            return 0.05 + random.nextDouble() * 0.85;
        }
        return 0.9 + random.nextDouble() * 0.1;
    }

    /** A hashed text feature vector of {@value #FEATURE_INDICES} non-zeros, as the DetectionJob captures it. */
    private static FeatureVector features(Random random) {
        TreeMap<Integer, Float> sparse = new TreeMap<>();
        while (sparse.size() < FEATURE_INDICES) {
            sparse.put(random.nextInt(1 << 18), 1.0f + random.nextInt(3));
        }
        return new FeatureVector(
                "text",
                FeedbackFixtures.TEXT_SPAM,
                1 << 18,
                new ArrayList<>(sparse.keySet()),
                new ArrayList<>(sparse.values()));
    }

    private static KafkaRecord record(String topic, int offset, long timestamp, String key, byte[] value) {
        return new KafkaRecord(
                topic, offset % 2, offset / 2, timestamp, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value);
    }

    // ---------------------------------------------------------------- sinks

    /** Counts what the job writes, per output. */
    static final class CountingSink<T> implements Sink<T>, Serializable {
        private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();
        private final String name;

        CountingSink(String name) {
            this.name = name;
            COUNTS.computeIfAbsent(name, k -> new AtomicLong());
        }

        static void reset() {
            COUNTS.clear();
        }

        static Map<String, Long> snapshot() {
            Map<String, Long> counts = new TreeMap<>();
            COUNTS.forEach((k, v) -> counts.put(k, v.get()));
            return counts;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            AtomicLong count = COUNTS.computeIfAbsent(name, k -> new AtomicLong());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    count.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    static final class CountingSinks implements FeedbackJob.Sinks {
        @Override
        public Sink<TrainingExample> trainingExamples() {
            return new CountingSink<>("training.examples");
        }

        @Override
        public Sink<TrainingExample> trainingExampleFiles() {
            return new CountingSink<>("training files (not written)");
        }

        @Override
        public Sink<MetricSnapshot> qualityMetrics() {
            return new CountingSink<>("quality.metrics");
        }

        @Override
        public Sink<DriftAlert> driftAlerts() {
            return new CountingSink<>("drift.alerts");
        }

        @Override
        public Sink<ComplianceReport> complianceReports() {
            return new CountingSink<>("compliance.reports");
        }

        @Override
        public Sink<ReviewLabel> unmatchedLabels() {
            return new CountingSink<>("unmatched");
        }

        @Override
        public Sink<DeadLetter> deadLetters() {
            return new CountingSink<>("deadletter");
        }
    }

    // ---------------------------------------------------------------- report

    static String markdown(List<List<Result>> results, int parallelism, String loadBefore, String loadAfter) {
        StringBuilder md = new StringBuilder();
        md.append("# FeedbackJob throughput\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Measured %s on %d cores (`nproc`), %s %s, max heap %d MiB; "
                        + "parallelism %d, RocksDB (incremental, bloom filters, %s managed memory), exactly-once checkpoints every 5 s, "
                        + "object reuse, "
                        + "local MiniCluster. Load average (1/5/15 min) before: %s, after: %s (a shared machine).%n%n",
                Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                parallelism,
                System.getProperty("bench.managed", "512m"),
                loadBefore,
                loadAfter));
        md.append("Each workload ran " + results.get(0).size()
                + " times after a warm-up run; the table gives the median " + "run and, in brackets, the fastest.\n\n");
        md.append(
                "| workload | decisions | labels | net runtime | decisions/s | labels/s | training examples | metric snapshots | drift alerts | compliance reports |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (List<Result> runs : results) {
            Result r = runs.get(runs.size() / 2);
            Result best = runs.get(0);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %.1f s (%.1f s) | %,.0f (%,.0f) | %,.0f (%,.0f) | %,d | %,d | %,d | %,d |%n",
                    r.workload().name(),
                    r.decisionCount(),
                    r.labelCount(),
                    r.netMillis() / 1000.0,
                    best.netMillis() / 1000.0,
                    r.decisionsPerSecond(),
                    best.decisionsPerSecond(),
                    r.labelsPerSecond(),
                    best.labelsPerSecond(),
                    r.outputs().getOrDefault("training.examples", 0L),
                    r.outputs().getOrDefault("quality.metrics", 0L),
                    r.outputs().getOrDefault("drift.alerts", 0L),
                    r.outputs().getOrDefault("compliance.reports", 0L)));
        }
        md.append("""

                What is measured: the real `FeedbackJob.build` graph — decode (Confluent-framed Avro, mock registry),
                event time, the keyed label join with adjudication and RocksDB state, training examples, quality metrics
                (1 h / 24 h windows, cumulative, ADWIN / Page-Hinkley), score pre-aggregation and PSI / KS drift,
                compliance days — from pre-encoded in-memory inputs to counting sinks. Not measured: Kafka reads and
                exactly-once Kafka writes (transactions), the Avro file sink, the schema registry over HTTP.
                Decisions carry one 120-non-zero text feature vector (≈ 1 KB encoded); labels arrive 20–80 min
                (event time) after their decision, 10–20 % with a second opinion. "production mix": 10 % of
                decisions labelled; "label heavy": every decision labelled — its labels/s is what the label path
                sustains. Net runtime = `JobExecutionResult.getNetRuntime()`: job start to finish, including
                deployment (~1–2 s) and the final checkpoint, so short runs understate the steady rate. The machine
                is shared: other processes' load shows up in the numbers.
                """);
        return md.toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
