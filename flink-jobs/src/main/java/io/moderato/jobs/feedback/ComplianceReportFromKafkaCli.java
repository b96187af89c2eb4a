package io.moderato.jobs.feedback;

import io.moderato.jobs.serde.DecodeResult;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.schemas.ComplianceReport;
import io.moderato.udfs.feedback.ComplianceReportFromFilesCli;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka side of the compliance report CLI: reads every committed {@link ComplianceReport} on
 * {@code compliance.reports} ({@code read_committed}, from the beginning, up to the end offsets at
 * start), decodes them through the schema registry and renders them with the udfs'
 * {@link ComplianceReportRenderer}, which keeps per policy and day the report with the latest
 * {@code generatedAtMillis}. Records that do not decode are reported on stderr and skipped. Exit
 * status 0, 1 (Kafka or output failure), 2 (usage).
 */
public final class ComplianceReportFromKafkaCli {

    static final String USAGE = """
            Usage: compliance-report-kafka [options]
              --bootstrap HOSTS   Kafka bootstrap servers (default localhost:9092)
              --registry URL      schema registry URL (default http://localhost:8081; mock://<scope> in-JVM)
              --topic T           topic (default compliance.reports)
              --policy ID         only this policy (repeatable)
              --title TEXT        the report's title
              --out FILE.md       write the Markdown here instead of standard output
              --timeout SECONDS   give up reading after this long (default 30)
            """;

    private ComplianceReportFromKafkaCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String bootstrap = "localhost:9092";
        String registry = "http://localhost:8081";
        String topic = "compliance.reports";
        String title = null;
        Path outFile = null;
        long timeoutSeconds = 30;
        Set<String> policies = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                out.print(USAGE);
                return 0;
            }
            if (i + 1 >= args.length || !option.startsWith("--")) {
                err.println("compliance-report-kafka: "
                        + (option.startsWith("--") ? option + " needs a value" : "unexpected argument " + option));
                err.print(USAGE);
                return 2;
            }
            String value = args[++i];
            switch (option) {
                case "--bootstrap" -> bootstrap = value;
                case "--registry" -> registry = value;
                case "--topic" -> topic = value;
                case "--policy" -> policies.add(value);
                case "--title" -> title = value;
                case "--out" -> outFile = Path.of(value);
                case "--timeout" -> {
                    try {
                        timeoutSeconds = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        err.println("compliance-report-kafka: --timeout needs whole seconds, got " + value);
                        return 2;
                    }
                }
                default -> {
                    err.println("compliance-report-kafka: unknown option " + option);
                    err.print(USAGE);
                    return 2;
                }
            }
        }

        List<ComplianceReport> reports;
        try {
            reports = read(bootstrap, registry, topic, Duration.ofSeconds(timeoutSeconds), err);
        } catch (RuntimeException e) {
            err.println("compliance-report-kafka: cannot read " + topic + ": " + e);
            return 1;
        }
        return ComplianceReportFromFilesCli.emit(
                reports, policies, title, outFile, "compliance-report-kafka", "read from " + topic, out, err);
    }

    /** Every committed report on {@code topic} up to its end offsets at the start of the call. */
    static List<ComplianceReport> read(
            String bootstrap, String registry, String topic, Duration timeout, PrintStream err) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "compliance-report-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        RegistryAvroDeserializer<ComplianceReport> deserializer =
                RegistryAvroDeserializer.of(ComplianceReport.class, registry);
        List<ComplianceReport> reports = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out before the end of " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    DecodeResult<ComplianceReport> result = deserializer.decode(record.value());
                    if (result.isOk()) {
                        reports.add(result.record());
                    } else {
                        err.println("compliance-report-kafka: skipping " + topic + "-" + record.partition() + "@"
                                + record.offset() + ": " + result.error());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("schema registry unavailable: " + e.getMessage(), e);
        }
        return reports;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
