package io.moderato.jobs.cli;

import io.moderato.jobs.common.AcknowledgedWrites;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.Topic;
import io.moderato.udfs.config.PolicyConfigValidator;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How policy teams change thresholds without a redeploy: validates policy configs (plain JSON,
 * the shape of the job's defaults file) locally, refuses invalid ones with every violation named,
 * publishes valid ones to {@code policy.config} (key policyId), and with {@code --wait} reports
 * the job's verdict from {@code config.audit}. Exit codes: 0 ok/accepted, 1 rejected or stale,
 * 2 usage or invalid input.
 */
public final class PublishPolicyCli {

    static final String USAGE = """
            Usage: publish-policy --file POLICY.json [options]
              --file F             a JSON object or array of policy configs (see docs/policy-config.md)
              --bootstrap HOSTS    Kafka bootstrap servers (default localhost:9092)
              --registry URL       schema registry URL (default http://localhost:8081)
              --topic T            policy config topic (default policy.config)
              --audit-topic T      config audit topic (default config.audit)
              --wait SECONDS       wait this long for the job's ACCEPTED/REJECTED verdict (default 0: don't wait)
              --dry-run            validate only
            """;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("publish-policy: " + e.getMessage() + " (see --help)");
            return 2;
        }
        if (options.containsKey("help")) {
            out.print(USAGE);
            return 0;
        }
        List<PolicyConfig> configs;
        try {
            configs = readConfigs(options.get("file"));
        } catch (IOException | RuntimeException e) {
            err.println("publish-policy: cannot read " + options.get("file") + ": " + e.getMessage());
            return 2;
        }
        if (!allValid(configs, err)) {
            return 2;
        }
        if (options.containsKey("dry-run")) {
            configs.forEach(c -> out.println("valid: " + c.getPolicyId() + " v" + c.getVersion()));
            return 0;
        }
        String bootstrap = options.getOrDefault("bootstrap", "localhost:9092");
        String registry = options.getOrDefault("registry", "http://localhost:8081");
        String topic = options.getOrDefault("topic", Topic.POLICY_CONFIG.topicName());
        try {
            Reachability.requireRegistry(registry);
            Reachability.requireBroker(bootstrap);
            publish(configs, bootstrap, registry, topic);
        } catch (TopicReader.Unreachable e) {
            err.println("publish-policy: " + e.getMessage());
            return 1;
        } catch (IllegalStateException | KafkaException e) {
            err.println("publish-policy: " + e.getMessage()
                    + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
            return 1;
        }
        configs.forEach(c -> out.println("published: " + c.getPolicyId() + " v" + c.getVersion() + " to " + topic));
        long waitSeconds = Long.parseLong(options.getOrDefault("wait", "0"));
        if (waitSeconds <= 0) {
            return 0;
        }
        return awaitVerdicts(
                configs,
                bootstrap,
                registry,
                options.getOrDefault("audit-topic", Topic.CONFIG_AUDIT.topicName()),
                Duration.ofSeconds(waitSeconds),
                out,
                err);
    }

    /** The configs in {@code file}: one JSON object, or a JSON array of them. */
    private static List<PolicyConfig> readConfigs(String file) throws IOException {
        String json = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        return json.startsWith("[")
                ? PolicyDefaults.read(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), file)
                : List.of(PolicyDefaults.fromJson(json));
    }

    /** True when every config is valid; otherwise prints each invalid one's violations. */
    private static boolean allValid(List<PolicyConfig> configs, PrintStream err) {
        boolean valid = true;
        for (PolicyConfig config : configs) {
            List<String> violations = PolicyConfigValidator.violations(config);
            if (!violations.isEmpty()) {
                valid = false;
                err.println("publish-policy: " + config.getPolicyId() + " v" + config.getVersion() + " is invalid:");
                violations.forEach(v -> err.println("  - " + v));
            }
        }
        return valid;
    }

    /** Writes every config and waits for each acknowledgement; throws naming the first config not written. */
    static void publish(List<PolicyConfig> configs, String bootstrap, String registry, String topic) {
        RegistryAvroSerializer<PolicyConfig> serializer =
                RegistryAvroSerializer.forTopic(PolicyConfig.class, registry, topic);
        serializer.open(null);
        AcknowledgedWrites.write(
                bootstrap,
                topic,
                configs.stream().map(PolicyConfig::getPolicyId).toList(),
                configs.stream().map(serializer::serialize).toList(),
                i -> configs.get(i).getPolicyId() + " v" + configs.get(i).getVersion());
    }

    /** Reads committed audits until each published (policy, version) has a verdict or time runs out. */
    static int awaitVerdicts(
            List<PolicyConfig> configs,
            String bootstrap,
            String registry,
            String auditTopic,
            Duration timeout,
            PrintStream out,
            PrintStream err) {
        RegistryAvroDeserializer<ConfigAudit> deserializer = RegistryAvroDeserializer.of(ConfigAudit.class, registry);
        List<String> pending = new ArrayList<>();
        configs.forEach(c -> pending.add(c.getPolicyId() + "@" + c.getVersion()));
        boolean allAccepted = true;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "publish-policy-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(auditTopic).stream()
                    .map(p -> new TopicPartition(auditTopic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    ConfigAudit audit;
                    try {
                        var result = deserializer.decode(record.value());
                        if (!result.isOk()) {
                            continue;
                        }
                        audit = result.record();
                    } catch (IOException e) {
                        throw new IllegalStateException("schema registry unreachable: " + e.getMessage(), e);
                    }
                    if (pending.remove(audit.getPolicyId() + "@" + audit.getVersion())) {
                        out.println(audit.getPolicyId() + " v" + audit.getVersion() + ": " + audit.getStatus()
                                + (audit.getReason() == null ? "" : " (" + audit.getReason() + ")"));
                        allAccepted &= "ACCEPTED".equals(audit.getStatus());
                    }
                }
            }
        }
        if (!pending.isEmpty()) {
            err.println("publish-policy: no verdict within " + timeout.toSeconds() + " s for " + pending
                    + " (is the DetectionJob running and checkpointing?)");
            return 1;
        }
        return allAccepted ? 0 : 1;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> options.put("help", "");
                case "--dry-run" -> options.put("dry-run", "");
                case "--file", "--bootstrap", "--registry", "--topic", "--audit-topic", "--wait" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    options.put(arg.substring(2), args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown flag '" + arg + "'");
            }
        }
        if (!options.containsKey("help") && !options.containsKey("file")) {
            throw new IllegalArgumentException("--file is required");
        }
        if (options.containsKey("wait")) {
            try {
                Long.parseLong(options.get("wait"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--wait must be whole seconds, got '" + options.get("wait") + "'");
            }
        }
        return options;
    }
}
