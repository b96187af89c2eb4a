package io.moderato.jobs.bench;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.EmbeddedKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.schemas.ContentEvent;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue 10, item 14: how long after a pre-publish item is produced its verdict becomes visible, measured
 * end to end on the embedded broker — the real DetectionJob (Kafka sources, exactly-once Kafka sinks,
 * parallelism 2, RocksDB) with the production checkpoint interval, pre-publish events produced at a fixed
 * rate, and two consumers of {@code risk.decisions}: {@code read_committed} (what a publishing service
 * that honours the exactly-once contract sees) and {@code read_uncommitted} (when the job wrote it: the
 * floor a non-transactional path could reach). A wall-clock harness, not a test: run it with
 * {@code scripts/bench-prepublish.sh}; it prints a Markdown table and writes it to the output file.
 */
public final class PrepublishVisibility {

    private PrepublishVisibility() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = parse(args);
        int rate = Integer.parseInt(flags.getOrDefault("rate", "100"));
        int seconds = Integer.parseInt(flags.getOrDefault("seconds", "60"));
        Duration checkpointInterval = DetectionBenchmark.parseDuration(flags.getOrDefault("checkpoint-interval", "10s"));
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
            StreamExecutionEnvironment env = DetectionJobRun.environment(work.resolve("checkpoints"), overrides);
            JobClient job = DetectionJobRun.start(env, run, conf);

            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> committedAt = new ConcurrentHashMap<>();
            Map<String, Long> writtenAt = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread committed = watch(kafka, run.topic("risk.decisions"), "read_committed", committedAt, stop);
            Thread written = watch(kafka, run.topic("risk.decisions"), "read_uncommitted", writtenAt, stop);

            int total = produce(kafka, run, rate, seconds, sentAt);
            long deadline = System.currentTimeMillis() + checkpointInterval.toMillis() * 3 + 30_000;
            while (committedAt.size() < total && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            stop.set(true);
            committed.join();
            written.join();
            job.cancel().get();

            String report = report(rate, seconds, checkpointInterval, total, sentAt, committedAt, writtenAt);
            System.out.println(report);
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.writeString(output, report, StandardCharsets.UTF_8);
        }
    }

    /** Produces {@code rate} pre-publish events per second for {@code seconds}, one send every 1/rate s. */
    private static int produce(EmbeddedKafka kafka, TopicScope run, int rate, int seconds, Map<String, Long> sentAt)
            throws InterruptedException {
        List<ParitySample.Message> texts = ParitySample.load();
        RegistryAvroSerializer<ContentEvent> serializer =
                RegistryAvroSerializer.forTopic(ContentEvent.class, run.registry(), run.topic("content.events"));
        serializer.open(null);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        int total = rate * seconds;
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < total; i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = "pp-" + i;
                long now = System.currentTimeMillis();
                ContentEvent event = DetectionFixtures.textEvent(id, "user-" + (i % 500),
                        texts.get((i * 7) % texts.size()).text(), now, true);
                sentAt.put(id, now);
                producer.send(new ProducerRecord<>(run.topic("content.events"), id, serializer.serialize(event)));
                if (i % (rate * 10) == 0) {
                    System.err.printf("[prepublish] %d / %d events sent%n", i, total);
                }
            }
        }
        return total;
    }

    /** A consumer thread noting when each contentId first becomes visible at {@code isolation}. */
    private static Thread watch(EmbeddedKafka kafka, String topic, String isolation, Map<String, Long> seenAt,
                                AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "visibility-" + isolation);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
            try (KafkaConsumer<String, byte[]> consumer =
                         new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        seenAt.putIfAbsent(r.key(), System.currentTimeMillis());
                    }
                }
            }
        }, "visibility-" + isolation);
        t.start();
        return t;
    }

    private static String report(int rate, int seconds, Duration interval, int total, Map<String, Long> sentAt,
                                 Map<String, Long> committedAt, Map<String, Long> writtenAt) {
        StringBuilder out = new StringBuilder();
        out.append("# Pre-publish verdict visibility (DetectionJob, embedded Kafka)\n\n");
        out.append(String.format(Locale.ROOT, "%d pre-publish events at %d/s for %d s; checkpoint interval %s; "
                + "parallelism 2, RocksDB, exactly-once sinks. Latency = first poll that returned the item's "
                + "decision − the time it was sent.%n%n", total, rate, seconds, interval));
        out.append("| consumer | visible | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
        row(out, "read_committed (the contract)", total, sentAt, committedAt);
        row(out, "read_uncommitted (written by the job)", total, sentAt, writtenAt);
        return out.toString();
    }

    private static void row(StringBuilder out, String name, int total, Map<String, Long> sentAt, Map<String, Long> seenAt) {
        long[] latencies = seenAt.entrySet().stream().filter(e -> sentAt.containsKey(e.getKey()))
                .mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).sorted().toArray();
        if (latencies.length == 0) {
            out.append("| ").append(name).append(" | 0 / ").append(total).append(" | – | – | – | – |\n");
            return;
        }
        out.append(String.format(Locale.ROOT, "| %s | %d / %d | %d | %d | %d | %d |%n", name, latencies.length, total,
                (long) BenchmarkJob.RunStats.quantile(latencies, 0.50), (long) BenchmarkJob.RunStats.quantile(latencies, 0.90),
                (long) BenchmarkJob.RunStats.quantile(latencies, 0.99),
                latencies[latencies.length - 1]));
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
