package io.moderato.jobs.bench;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.serde.DecodeResult;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.EmbeddedKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PrepublishVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 10, item 14: how long after a pre-publish item is produced its verdict becomes visible, measured
 * end to end on the embedded broker — the real DetectionJob (Kafka sources, exactly-once Kafka sinks and
 * the at-least-once {@code prepublish.verdicts} sink, parallelism 2, RocksDB) with the production
 * checkpoint interval. In one run:
 * <ol>
 *   <li><b>Maximum rate.</b> A burst of pre-publish events is produced faster than the job reads; the
 *       rate at which their verdicts then appear on {@code prepublish.verdicts} (the middle 80 % of the
 *       arrivals, so start-up and the tail do not count) is the path's maximum rate on this machine.</li>
 *   <li><b>Latency at half of it.</b> Once the burst is decided, pre-publish events are produced at half
 *       that rate (or {@code --rate}) with wall-clock event times; consumers note when each item first
 *       appears on {@code prepublish.verdicts} ({@code read_committed}) and on {@code risk.decisions}
 *       ({@code read_committed}: the exactly-once contract; {@code read_uncommitted}: when the job wrote it).</li>
 * </ol>
 * A wall-clock harness, not a test: run it with {@code scripts/bench-prepublish.sh}; it prints a Markdown
 * report (with the machine's load average) and writes it to the output file.
 */
public final class PrepublishVisibility {

    /** Flink names a task thread after its chain and subtask: "... (1/2)#0". */
    private static final Pattern FLINK_TASK = Pattern.compile(".*\\(\\d+/\\d+\\)#\\d+.*");

    private PrepublishVisibility() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = parse(args);
        Integer fixedRate = flags.containsKey("rate") ? Integer.valueOf(flags.get("rate")) : null;
        int seconds = Integer.parseInt(flags.getOrDefault("seconds", "30"));
        int burst = Integer.parseInt(flags.getOrDefault("burst", "20000"));
        int parallelism = Integer.parseInt(flags.getOrDefault("parallelism", "2"));
        Duration checkpointInterval =
                DetectionBenchmark.parseDuration(flags.getOrDefault("checkpoint-interval", "10s"));
        Path output = Path.of(flags.getOrDefault("output", "target/bench/prepublish.md"));
        Path work = Files.createDirectories(Path.of(flags.getOrDefault("work-dir", "target/bench/prepublish-work")));

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            TopicScope run = TopicScope.create(kafka, "prepublish");
            DetectionJobRun.createTopics(run, 2);
            Path defaults = DetectionFixtures.writeDefaults(work, List.of(DetectionFixtures.spamPolicy(1, 0.3, 0.97)));
            Configuration conf = DetectionJobRun.options(run, defaults, false);
            conf.set(DetectionOptions.MAX_PAST, Duration.ofDays(7)); // events carry the wall-clock time here
            Configuration overrides = new Configuration();
            overrides.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
            overrides.addAll(flinkSettings(flags.getOrDefault("flink", "")));
            StreamExecutionEnvironment env = DetectionJobRun.environment(work.resolve("checkpoints"), overrides);
            env.setParallelism(parallelism);
            JobClient job = DetectionJobRun.start(env, run, conf);
            String loadBefore = loadAverage();

            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> verdictAt = new ConcurrentHashMap<>();
            Map<String, Long> committedAt = new ConcurrentHashMap<>();
            Map<String, Long> writtenAt = new ConcurrentHashMap<>();
            Map<String, Long> scoredAt = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> watchers = List.of(
                    watch(kafka, run, "prepublish.verdicts", "read_committed", verdictAt, scoredAt, stop),
                    watch(kafka, run, "risk.decisions", "read_committed", committedAt, null, stop),
                    watch(kafka, run, "risk.decisions", "read_uncommitted", writtenAt, null, stop));

            // 1. maximum rate: a burst the job cannot keep up with, then how fast its verdicts and its decisions
            // arrive. The verdicts alone overstate what the job sustains: while the burst lasts, the network buffers
            // in front of the decider absorb its backlog; at a steady rate the decider shares the same cores.
            produce(kafka, run, "b-", burst, Integer.MAX_VALUE, sentAt);
            long drainDeadline = System.currentTimeMillis() + checkpointInterval.toMillis() * 3 + 120_000;
            awaitAll(verdictAt, "b-", burst, drainDeadline);
            awaitAll(committedAt, "b-", burst, drainDeadline); // the decider has caught up too: a quiet job again
            double verdictRate = arrivalRate(verdictAt, "b-");
            double decisionRate = arrivalRate(writtenAt, "b-");
            double maxRate = Math.min(verdictRate, decisionRate);

            // 2. latency at half the maximum rate
            int rate = fixedRate != null ? fixedRate : Math.max(1, (int) (maxRate / 2));
            CpuProfile profile = CpuProfile.start(PrepublishVisibility::threadGroup);
            int total = produce(kafka, run, "pp-", rate * seconds, rate, sentAt);
            CpuProfile.Snapshot cpuDuring = profile.stop();
            long deadline = System.currentTimeMillis() + checkpointInterval.toMillis() * 3 + 30_000;
            awaitAll(committedAt, "pp-", total, deadline);
            stop.set(true);
            for (Thread t : watchers) {
                t.join();
            }
            job.cancel().get();
            String loadAfter = loadAverage();

            String report = report(
                    new Run(
                            burst,
                            verdictRate,
                            decisionRate,
                            maxRate,
                            rate,
                            fixedRate != null,
                            seconds,
                            checkpointInterval,
                            total,
                            loadBefore,
                            loadAfter,
                            cpuDuring),
                    sentAt,
                    verdictAt,
                    scoredAt,
                    committedAt,
                    writtenAt);
            System.out.println(report);
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.writeString(output, report, StandardCharsets.UTF_8);
            writeTimes(work.resolve("latency-run.csv"), sentAt, scoredAt, verdictAt);
        }
    }

    private record Run(
            int burst,
            double verdictRate,
            double decisionRate,
            double maxRate,
            int rate,
            boolean rateGiven,
            int seconds,
            Duration interval,
            int total,
            String loadBefore,
            String loadAfter,
            CpuProfile.Snapshot cpu) {}

    /** Waits until {@code count} items with ids starting with {@code prefix} were seen, or the deadline. */
    private static void awaitAll(Map<String, Long> seenAt, String prefix, int count, long deadline)
            throws InterruptedException {
        while (System.currentTimeMillis() < deadline
                && seenAt.keySet().stream().filter(k -> k.startsWith(prefix)).count() < count) {
            Thread.sleep(200);
        }
    }

    /** Items per second over the middle 80 % of the arrivals of the items starting with {@code prefix}. */
    private static double arrivalRate(Map<String, Long> seenAt, String prefix) {
        long[] times = seenAt.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(Map.Entry::getValue)
                .sorted()
                .toArray();
        int from = times.length / 10;
        int to = times.length - 1 - times.length / 10;
        long millis = Math.max(1, times[to] - times[from]);
        return (to - from) * 1000.0 / millis;
    }

    /** The 1, 5 and 15 minute load averages of this machine ({@code /proc/loadavg}), or "unknown". */
    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Produces {@code count} pre-publish events with ids {@code prefix + i}, {@code rate} per second (one send
     * every 1/rate s; {@link Integer#MAX_VALUE}: as fast as the producer goes), and returns {@code count}.
     */
    private static int produce(
            EmbeddedKafka kafka, TopicScope run, String prefix, int count, int rate, Map<String, Long> sentAt)
            throws InterruptedException {
        List<ParitySample.Message> texts = ParitySample.load();
        RegistryAvroSerializer<ContentEvent> serializer =
                RegistryAvroSerializer.forTopic(ContentEvent.class, run.registry(), run.topic("content.events"));
        serializer.open(null);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        boolean paced = rate != Integer.MAX_VALUE;
        long start = System.nanoTime();
        long periodNanos = paced ? 1_000_000_000L / rate : 0;
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                long wait = start + i * periodNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = prefix + i;
                long now = System.currentTimeMillis();
                ContentEvent event = DetectionFixtures.textEvent(
                        id,
                        "user-" + (i % 500),
                        texts.get((i * 7) % texts.size()).text(),
                        now,
                        true);
                sentAt.put(id, now);
                producer.send(new ProducerRecord<>(run.topic("content.events"), id, serializer.serialize(event)));
                if (i % 5_000 == 0) {
                    System.err.printf(
                            "[prepublish] %s: %d / %d events sent%n", paced ? rate + "/s" : "burst", i, count);
                }
            }
        }
        return count;
    }

    /**
     * A consumer thread noting when each contentId first becomes visible at {@code isolation}, and, when
     * {@code decidedAt} is given (the verdicts topic), the verdict's own decidedAtMillis: when the job scored it.
     */
    private static Thread watch(
            EmbeddedKafka kafka,
            TopicScope run,
            String topic,
            String isolation,
            Map<String, Long> seenAt,
            Map<String, Long> decidedAt,
            AtomicBoolean stop) {
        RegistryAvroDeserializer<PrepublishVerdict> verdicts =
                RegistryAvroDeserializer.of(PrepublishVerdict.class, run.registry());
        Thread t = new Thread(
                () -> {
                    Properties props = new Properties();
                    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                    props.put(ConsumerConfig.GROUP_ID_CONFIG, "visibility-" + topic + "-" + isolation);
                    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
                    // the default fetch.max.wait (500 ms) is a long poll: the broker answers as soon as a record
                    // arrives, without the 200 empty fetches a second a short wait costs the 2 cores per consumer
                    try (KafkaConsumer<String, byte[]> consumer =
                            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                        consumer.subscribe(List.of(run.topic(topic)));
                        while (!stop.get()) {
                            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                                if (seenAt.putIfAbsent(r.key(), System.currentTimeMillis()) == null
                                        && decidedAt != null) {
                                    DecodeResult<PrepublishVerdict> verdict = verdicts.decode(r.value());
                                    if (verdict.isOk()) {
                                        decidedAt.put(r.key(), verdict.record().getDecidedAtMillis());
                                    }
                                }
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                "visibility-" + topic + "-" + isolation);
        t.start();
        return t;
    }

    private static String report(
            Run r,
            Map<String, Long> sentAt,
            Map<String, Long> verdictAt,
            Map<String, Long> scoredAt,
            Map<String, Long> committedAt,
            Map<String, Long> writtenAt) {
        StringBuilder out = new StringBuilder();
        out.append("# Pre-publish verdict visibility (DetectionJob, embedded Kafka)\n\n");
        out.append(String.format(
                Locale.ROOT,
                "Parallelism 2, RocksDB, checkpoint interval %s, exactly-once sinks for "
                        + "risk.decisions, at-least-once sink for prepublish.verdicts; %d cores, load average (1 / 5 / 15 min) "
                        + "%s at the start and %s at the end.%n%n",
                r.interval(),
                Runtime.getRuntime().availableProcessors(),
                r.loadBefore(),
                r.loadAfter()));
        out.append(String.format(
                Locale.ROOT,
                "Maximum rate: %,.0f items/s, the lower of the two rates at which a burst of %,d pre-publish events "
                        + "produced faster than the job reads them came out (middle 80 %% of the arrivals): %,.0f "
                        + "verdicts/s on prepublish.verdicts, %,.0f decisions/s written to risk.decisions (the whole "
                        + "job, which shares the cores with the verdict path).%n%n",
                r.maxRate(),
                r.burst(),
                r.verdictRate(),
                r.decisionRate()));
        out.append(String.format(
                Locale.ROOT,
                "Latency run: %,d pre-publish events at %,d/s (%s) for %d s, with wall-clock "
                        + "event times. Latency = first poll that returned the item − the time it was sent.%n%n",
                r.total(),
                r.rate(),
                r.rateGiven()
                        ? "--rate"
                        : String.format(Locale.ROOT, "%.0f %% of the maximum", 100.0 * r.rate() / r.maxRate()),
                r.seconds()));
        out.append(
                "| topic, consumer | visible | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
        row(out, "prepublish.verdicts, read_committed (at least once)", r.total(), sentAt, verdictAt);
        row(out, "risk.decisions, read_committed (exactly once: the contract)", r.total(), sentAt, committedAt);
        row(out, "risk.decisions, read_uncommitted (written by the job)", r.total(), sentAt, writtenAt);
        out.append(String.format(
                Locale.ROOT,
                "%nWhere a verdict's time goes (the verdict's decidedAtMillis: when the scoring operator decided it):%n%n"
                        + "| stage | items | p50 ms | p90 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|---:|%n"));
        row(
                out,
                "sent → scored (producer, broker, source, network, micro-batch wait, scoring)",
                r.total(),
                sentAt,
                scoredAt);
        row(out, "scored → visible (verdict sink, broker, consumer)", r.total(), scoredAt, verdictAt);
        out.append(String.format(
                Locale.ROOT,
                "%nGarbage collection while the latency run's events were sent (one JVM: job, broker, clients): "
                        + "%d collections, %d ms in all.%n",
                r.cpu().gcCollections(),
                r.cpu().gcMillis()));
        out.append(String.format(
                Locale.ROOT,
                "%nCores used meanwhile (thread CPU time per wall-clock second; %d cores in all):%n%n"
                        + "| threads | cores |%n|---|---:|%n",
                Runtime.getRuntime().availableProcessors()));
        double elapsed = Math.max(1, r.cpu().elapsedMillis());
        r.cpu()
                .groupsMillis()
                .forEach((group, millis) ->
                        out.append(String.format(Locale.ROOT, "| %s | %.2f |%n", group, millis / elapsed)));
        out.append(String.format(
                Locale.ROOT,
                "| the process, as the OS counts it | %.2f |%n",
                r.cpu().processMillis() / elapsed));
        return out.toString();
    }

    /** Each latency-run item's send, scoring and visibility times (epoch ms), for looking at them over time. */
    private static void writeTimes(
            Path csv, Map<String, Long> sentAt, Map<String, Long> scoredAt, Map<String, Long> verdictAt)
            throws IOException {
        StringBuilder out = new StringBuilder("content_id,sent_ms,scored_ms,verdict_visible_ms\n");
        sentAt.entrySet().stream()
                .filter(e -> e.getKey().startsWith("pp-"))
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> out.append(e.getKey())
                        .append(',')
                        .append(e.getValue())
                        .append(',')
                        .append(scoredAt.getOrDefault(e.getKey(), -1L))
                        .append(',')
                        .append(verdictAt.getOrDefault(e.getKey(), -1L))
                        .append('\n'));
        Files.writeString(csv, out, StandardCharsets.UTF_8);
        System.err.println("[prepublish] per-item times: " + csv);
    }

    private static void row(
            StringBuilder out, String name, int total, Map<String, Long> from, Map<String, Long> seenAt) {
        long[] latencies = seenAt.entrySet().stream()
                .filter(e -> e.getKey().startsWith("pp-") && from.containsKey(e.getKey()))
                .mapToLong(e -> e.getValue() - from.get(e.getKey()))
                .sorted()
                .toArray();
        if (latencies.length == 0) {
            out.append("| ").append(name).append(" | 0 / ").append(total).append(" | – | – | – | – |\n");
            return;
        }
        out.append(String.format(
                Locale.ROOT,
                "| %s | %d / %d | %d | %d | %d | %d |%n",
                name,
                latencies.length,
                total,
                (long) BenchmarkJob.RunStats.quantile(latencies, 0.50),
                (long) BenchmarkJob.RunStats.quantile(latencies, 0.90),
                (long) BenchmarkJob.RunStats.quantile(latencies, 0.99),
                latencies[latencies.length - 1]));
    }

    /** {@code key=value,key=value}: Flink settings on top of the job's production ones (e.g. network buffers). */
    private static Configuration flinkSettings(String settings) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : settings.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--flink expects key=value pairs, got '" + pair + "'");
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return Configuration.fromMap(map);
    }

    /**
     * The benchmark's coarse thread groups: which of the parts sharing this JVM — the job, the embedded broker, the
     * producers, the benchmark's consumers — used the cores. GC, JIT and RocksDB's native threads are {@link
     * CpuProfile}'s own groups.
     */
    static String threadGroup(String name) {
        if (FLINK_TASK.matcher(name).matches()) {
            return "Flink tasks (operators, sinks' writers, their source fetchers)";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "Kafka producer I/O threads (job sinks, benchmark producer)";
        }
        if (name.startsWith("visibility-")) {
            return "benchmark consumers";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.contains("kafka")
                || lower.contains("broker")
                || lower.contains("controller")
                || lower.contains("raft")
                || lower.contains("quorum")
                || lower.contains("replica")) {
            return "embedded Kafka broker (and the clients' heartbeat threads)";
        }
        return "other Java threads (Flink runtime, benchmark producer loop)";
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> flags = new java.util.HashMap<>();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (!a.startsWith("--") || i + 1 >= rest.size()) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + a + "'");
            }
            flags.put(a.substring(2), rest.get(++i));
        }
        return flags;
    }
}
