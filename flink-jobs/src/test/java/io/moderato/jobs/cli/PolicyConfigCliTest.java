package io.moderato.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.EmbeddedKafka;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code moderato config} against a real broker (embedded KRaft) and an in-JVM registry: what is in force
 * after configs land on policy.config, validation by the jobs' validator, set with its diff (no job runs
 * here, so no audit verdict: LocalStackITCase checks the verdict with both jobs running), and usage errors.
 */
class PolicyConfigCliTest {

    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private String topic;
    private String registry;
    private Path defaults;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void newTopics() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        topic = "policy.config." + id;
        registry = "mock://config-cli-" + id;
        kafka.createTopics(1, topic, "config.audit." + id);
        defaults = tmp.resolve("defaults.json");
        Files.writeString(defaults, PolicyDefaults.toJson(List.of(DetectionFixtures.spamPolicy(1, 0.5, 0.9))));
    }

    private int run(String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        return PolicyConfigCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int runAgainstBroker(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--bootstrap",
                kafka.bootstrapServers(),
                "--registry",
                registry,
                "--topic",
                topic,
                "--audit-topic",
                topic.replace("policy.config", "config.audit"),
                "--defaults",
                defaults.toString()));
        return run(all.toArray(String[]::new));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldShowTheDefaultsUntilAConfigLandsThenTheNewestValidVersion() throws Exception {
        assertThat(runAgainstBroker("show")).as(err.toString()).isZero();
        assertThat(stdout()).contains("spam").contains("0.900").contains("text=text-spam:1.0.0");

        PublishPolicyCli.publish(
                List.of(
                        DetectionFixtures.spamPolicy(3, 0.4, 0.95),
                        PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(4, 0.9, 0.5))
                                .build()), // invalid: review > action
                kafka.bootstrapServers(),
                registry,
                topic);

        assertThat(runAgainstBroker("show", "--policy", "spam", "--json")).isZero();
        PolicyConfig shown = PolicyDefaults.read(new java.io.ByteArrayInputStream(out.toByteArray()), "stdout")
                .get(0);
        assertThat(shown.getVersion()).isEqualTo(3);
        assertThat(shown.getActionThreshold()).isEqualTo(0.95);
    }

    @Test
    void shouldSetAFieldAsTheNextVersionShowingTheDiffWithoutPublishingOnDryRun() {
        assertThat(runAgainstBroker(
                        "set",
                        "--policy",
                        "spam",
                        "--set",
                        "actionThreshold=0.93",
                        "--set",
                        "fusionWeights.text=1.5",
                        "--note",
                        "ticket T-1",
                        "--dry-run"))
                .as(err.toString())
                .isZero();

        assertThat(stdout())
                .contains("spam: v1 (in force) -> v2")
                .contains("- actionThreshold: 0.9")
                .contains("+ actionThreshold: 0.93")
                .contains("+ fusionWeights.text: 1.5")
                .contains("+ changeNote: ticket T-1")
                .contains("dry run: nothing published");
    }

    @Test
    void shouldRefuseAnInvalidSetWithTheValidatorsReasonAndPublishNothing() {
        assertThat(runAgainstBroker("set", "--policy", "spam", "--set", "reviewThreshold=0.95"))
                .isEqualTo(2);

        assertThat(stdout()).contains("INVALID (not published)").contains("reviewThreshold");
        assertThat(runAgainstBroker("show", "--policy", "spam")).isZero();
        assertThat(stdout()).contains("0.500");
    }

    @Test
    void shouldValidateFilesOfflineAndAgainstTheConfigInForce() throws Exception {
        Path good = tmp.resolve("good.json");
        Files.writeString(good, PolicyDefaults.toJson(DetectionFixtures.spamPolicy(1, 0.3, 0.8)));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, PolicyDefaults.toJson(DetectionFixtures.spamPolicy(2, 0.8, 0.3)));

        assertThat(run("validate", "--file", good.toString())).isZero();
        assertThat(stdout()).contains("valid: spam v1");
        assertThat(run("validate", "--file", bad.toString())).isEqualTo(2);
        assertThat(stdout()).contains("INVALID: spam v2").contains("reviewThreshold");
        // a default never makes a submission stale (a fresh topic may start at any version); an accepted v3 does
        assertThat(runAgainstBroker("validate", "--file", good.toString())).isZero();
        assertThat(stdout()).contains("would be ACCEPTED");
        PublishPolicyCli.publish(
                List.of(DetectionFixtures.spamPolicy(3, 0.4, 0.95)), kafka.bootstrapServers(), registry, topic);
        assertThat(runAgainstBroker("validate", "--file", good.toString())).isEqualTo(2);
        assertThat(stdout()).contains("would be IGNORED_STALE");
    }

    @Test
    void shouldDiffAFileAgainstTheConfigInForce() throws Exception {
        Path file = tmp.resolve("next.json");
        Files.writeString(file, PolicyDefaults.toJson(DetectionFixtures.spamPolicy(2, 0.45, 0.9)));

        assertThat(runAgainstBroker("diff", "--file", file.toString())).isZero();

        assertThat(stdout())
                .contains("- reviewThreshold: 0.5")
                .contains("+ reviewThreshold: 0.45")
                .contains("+ version: 2")
                .doesNotContain("actionThreshold");
    }

    @Test
    void shouldNameAnUnreachableBrokerInOneLine() {
        long start = System.nanoTime();
        int code = run(
                "show",
                "--bootstrap",
                "127.0.0.1:1",
                "--registry",
                "mock://unreachable",
                "--defaults",
                defaults.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .doesNotContain("\n")
                .contains("Kafka at 127.0.0.1:1 is unreachable");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
    }

    @Test
    void shouldRejectUnknownCommandsAndFlagsInOneLine() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'frobnicate'");
        assertThat(run("show", "--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("moderato config: unknown flag '--bogus' (see --help)");
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("Usage: moderato config");
    }
}
