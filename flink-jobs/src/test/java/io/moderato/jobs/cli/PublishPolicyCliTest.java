package io.moderato.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.EmbeddedKafka;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishPolicyCliTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PublishPolicyCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path write(String json) throws Exception {
        Path file = tmp.resolve("policy-" + System.nanoTime() + ".json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void shouldRefuseAnInvalidConfigNamingEveryViolationWithoutPublishing() throws Exception {
        PolicyConfig bad = PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(7, 0.95, 0.5))
                .setAuditSampleRateAllow(1.5)
                .build();
        int code = run("--file", write(PolicyDefaults.toJson(bad)).toString(), "--bootstrap", "127.0.0.1:1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("spam v7 is invalid", "reviewThreshold", "auditSampleRateAllow");
    }

    @Test
    void shouldValidateAnArrayInDryRun() throws Exception {
        String json = PolicyDefaults.toJson(List.of(DetectionFixtures.spamPolicy(2, 0.3, 0.9)));
        assertThat(run("--file", write(json).toString(), "--dry-run")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("valid: spam v2");
    }

    @Test
    void shouldExplainUsageErrors() {
        assertThat(run("--wait", "soon", "--file", "x.json")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--wait must be whole seconds");
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(run("--file", tmp.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read");
    }

    @Test
    void shouldPublishKeyedByPolicyIdInConfluentWireFormat() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "policy.config");
            String registry = "mock://publish-policy-cli";
            PolicyConfig config = DetectionFixtures.spamPolicy(5, 0.4, 0.9);
            int code = run(
                    "--file",
                    write(PolicyDefaults.toJson(config)).toString(),
                    "--bootstrap",
                    kafka.bootstrapServers(),
                    "--registry",
                    registry);
            assertThat(code).as("%s", err).isZero();
            List<ConsumerRecord<byte[], byte[]>> records =
                    kafka.readCommitted("policy.config", 1, Duration.ofSeconds(30));
            assertThat(records).hasSize(1);
            assertThat(EmbeddedKafka.text(records.get(0).key())).isEqualTo("spam");
            assertThat(records.get(0).value()[0]).isZero();
            PolicyConfig back = RegistryAvroDeserializer.of(PolicyConfig.class, registry)
                    .decode(records.get(0).value())
                    .record();
            assertThat(back).isEqualTo(config);

            // a broker that refuses the record: the CLI must fail naming the config, not report success
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(
                                new NewTopic("tiny.config", 1, (short) 1).configs(Map.of("max.message.bytes", "64"))))
                        .all()
                        .get();
            }
            int refused = run(
                    "--file",
                    write(PolicyDefaults.toJson(config)).toString(),
                    "--topic",
                    "tiny.config",
                    "--bootstrap",
                    kafka.bootstrapServers(),
                    "--registry",
                    registry);
            assertThat(refused).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("spam v5 was not written to tiny.config");
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("to tiny.config");
        }
    }

    @Test
    void shouldNameAnUnreachableRegistryOrBrokerInOneLineAndFailFast() throws Exception {
        Path file = write(PolicyDefaults.toJson(DetectionFixtures.spamPolicy(2, 0.3, 0.9)));
        long start = System.nanoTime();

        assertThat(run("--file", file.toString(), "--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:1"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .doesNotContain("\n")
                .startsWith("publish-policy: schema registry at http://127.0.0.1:1 is unreachable");
        err.reset();
        assertThat(run(
                        "--file",
                        file.toString(),
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--registry",
                        "mock://unreachable-broker"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .doesNotContain("\n")
                .isEqualTo("publish-policy: Kafka at 127.0.0.1:1 is unreachable (no answer within 8 s)");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(25);
    }
}
