package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.T0;
import static io.moderato.jobs.testing.DetectionFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.Harnesses;
import io.moderato.jobs.testing.OperatorMetrics;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ConfigGate in a harness with the bundled models: what it lets through to the scorer and the
 * decider, and the one audit record it writes per submission.
 */
class ConfigGateTest {

    private static final long NOW = T0 + 3_600_000L;
    private static final PolicyConfig V1 = policy("spam", 1).build();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private OperatorMetrics metrics;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private OneInputStreamOperatorTestHarness<PolicyConfig, PolicyConfig> harness(OperatorSubtaskState restored)
            throws Exception {
        metrics = new OperatorMetrics();
        var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new ConfigGate(List.of(V1), null, 1)), Harnesses.environment(1, 0, metrics));
        opened.add(h);
        h.setProcessingTime(NOW);
        h.initializeState(restored);
        h.open();
        return h;
    }

    private static List<ConfigAudit> audits(OneInputStreamOperatorTestHarness<PolicyConfig, PolicyConfig> h) {
        List<ConfigAudit> audits = new ArrayList<>();
        var out = h.getSideOutput(DetectionState.CONFIG_AUDIT);
        if (out != null) {
            out.forEach(r -> audits.add(r.getValue()));
        }
        return audits;
    }

    private static int serializedBytes(ConfigAudit audit) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(ConfigAudit.class).write(audit, encoder);
        encoder.flush();
        return bytes.size();
    }

    @Test
    void shouldPassOnAValidConfigAndAuditIt() throws Exception {
        var h = harness(null);
        PolicyConfig v2 = policy("spam", 2).setReviewThreshold(0.3).build();

        h.processElement(v2, T0);

        assertThat(h.extractOutputValues()).containsExactly(v2);
        assertThat(audits(h)).singleElement().satisfies(a -> {
            assertThat(a.getStatus()).isEqualTo("ACCEPTED");
            assertThat(a.getPolicyId()).isEqualTo("spam");
            assertThat(a.getVersion()).isEqualTo(2L);
            assertThat(a.getPreviousVersion()).as("the default was in force").isEqualTo(1L);
            assertThat(a.getReason()).isNull();
            assertThat(a.getViolations()).isEmpty();
            assertThat(a.getSubmitted()).isEqualTo(v2);
            assertThat(a.getJob()).isEqualTo("detection");
            assertThat(a.getProcessedAtMillis()).isEqualTo(NOW);
        });
    }

    @Test
    void shouldRejectAConfigNamingAModelThatDoesNotLoadAndKeepTheWorkingOne() throws Exception {
        var h = harness(null);
        PolicyConfig v2 = policy("spam", 2).build();
        PolicyConfig brokenModel = policy("spam", 3)
                .setActiveModels(List.of(new ModelVersion("text", "text-spam", "9.9.9")))
                .build();
        PolicyConfig wrongModality = policy("spam", 4)
                .setActiveModels(List.of(new ModelVersion("text", "image-safety", "1.0.0")))
                .build();

        h.processElement(v2, T0);
        h.processElement(brokenModel, T0);
        h.processElement(wrongModality, T0);

        assertThat(h.extractOutputValues()).containsExactly(v2);
        List<ConfigAudit> audits = audits(h);
        assertThat(audits)
                .extracting(a -> "v" + a.getVersion() + ":" + a.getStatus())
                .containsExactly("v2:ACCEPTED", "v3:REJECTED", "v4:REJECTED");
        assertThat(audits.get(1).getViolations())
                .singleElement()
                .asString()
                .startsWith("activeModels[0] = text:text-spam:9.9.9 cannot be used: Unknown model text-spam:9.9.9");
        assertThat(audits.get(1).getReason()).contains("text-spam:9.9.9").endsWith("version 2 stays in force");
        assertThat(audits.get(2).getViolations())
                .singleElement()
                .asString()
                .contains("image-safety:1.0.0 is a IMAGE model and cannot score modality text");
        assertThat(metrics.count("configsRejected")).isEqualTo(2);

        // a later valid version is judged against v2, the last one whose models loaded
        h.processElement(policy("spam", 5).build(), T0);
        assertThat(audits(h).get(3).getPreviousVersion()).isEqualTo(2L);
    }

    @Test
    void shouldRejectAnInvalidConfigWithEveryViolation() throws Exception {
        var h = harness(null);
        PolicyConfig v3 = policy("spam", 3)
                .setReviewThreshold(0.8)
                .setActionThreshold(0.5)
                .setAuditSampleRateAllow(1.5)
                .build();
        PolicyConfig brandNewInvalid =
                policy("brand-new", 1).setFusionStrategy("average").build();

        h.processElement(v3, T0);
        h.processElement(brandNewInvalid, T0);

        assertThat(h.extractOutputValues()).isEmpty();
        List<ConfigAudit> audits = audits(h);
        assertThat(audits.get(0).getViolations())
                .containsExactlyInAnyOrder(
                        "reviewThreshold = 0.8 must be <= actionThreshold = 0.5",
                        "auditSampleRateAllow = 1.5 must be in [0, 1]");
        assertThat(audits.get(0).getReason())
                .contains("reviewThreshold = 0.8")
                .contains("auditSampleRateAllow")
                .endsWith("version 1 stays in force");
        assertThat(audits.get(1).getPreviousVersion())
                .as("no config in force for a new policy")
                .isNull();
        assertThat(audits.get(1).getViolations()).singleElement().asString().contains("fusionStrategy");
    }

    @Test
    void shouldRejectAFiveMegabyteConfigWithASmallAuditRecord() throws Exception {
        var h = harness(null);
        PolicyConfig huge = policy("spam", 2)
                .setChangeNote("x".repeat(5 * 1024 * 1024))
                .setSurfaces(java.util.Collections.nCopies(5000, "comment"))
                .build();

        h.processElement(huge, T0);

        assertThat(h.extractOutputValues()).isEmpty();
        ConfigAudit audit = audits(h).get(0);
        assertThat(audit.getStatus()).isEqualTo("REJECTED");
        assertThat(audit.getViolations())
                .anyMatch(v -> v.startsWith("field 'changeNote' has 5242880 characters"))
                .anyMatch(v -> v.startsWith("field 'surfaces' has 5000 items"));
        assertThat(audit.getSubmitted().getChangeNote())
                .hasSize(ConfigGate.AUDIT_MAX_CHARS + 1)
                .endsWith("…");
        assertThat(audit.getSubmitted().getSurfaces()).hasSize(ConfigGate.AUDIT_MAX_ITEMS);
        assertThat(serializedBytes(audit)).isLessThan(16 * 1024);
    }

    @Test
    void shouldIgnoreStaleVersions() throws Exception {
        var h = harness(null);
        h.processElement(policy("spam", 2).setReviewThreshold(0.3).build(), T0);
        h.processElement(policy("spam", 2).setReviewThreshold(0.1).build(), T0);
        h.processElement(policy("spam", 1).build(), T0);

        assertThat(h.extractOutputValues()).hasSize(1);
        List<ConfigAudit> audits = audits(h);
        assertThat(audits)
                .extracting(a -> "v" + a.getVersion() + ":" + a.getStatus())
                .containsExactly("v2:ACCEPTED", "v2:IGNORED_STALE", "v1:IGNORED_STALE");
        assertThat(audits.get(1).getReason()).isEqualTo("version 2 is not above version 2 in force");
        assertThat(metrics.count("configsRejected")).isZero();
    }

    @Test
    void shouldBoundTheNumberOfPolicies() throws Exception {
        var h = harness(null);
        for (int i = 1; i < ConfigGate.MAX_POLICIES; i++) {
            h.processElement(policy("p" + i, 1).build(), T0);
        }
        h.processElement(policy("one-too-many", 1).build(), T0);
        h.processElement(policy("p1", 2).build(), T0); // an existing policy may still change

        List<ConfigAudit> audits = audits(h);
        assertThat(audits.get(ConfigGate.MAX_POLICIES - 1).getStatus()).isEqualTo("REJECTED");
        assertThat(audits.get(ConfigGate.MAX_POLICIES - 1).getViolations())
                .singleElement()
                .asString()
                .contains("at most 64 policies");
        assertThat(audits.get(ConfigGate.MAX_POLICIES).getStatus()).isEqualTo("ACCEPTED");
    }

    @Test
    void shouldRestoreTheAcceptedConfigsAfterAFailover() throws Exception {
        var before = harness(null);
        before.processElement(policy("spam", 2).build(), T0);
        before.processElement(
                policy("spam", 3)
                        .setActiveModels(List.of(new ModelVersion("text", "text-spam", "9.9.9")))
                        .build(),
                T0);
        OperatorSubtaskState snapshot = before.snapshot(1L, NOW);

        var after = harness(snapshot);
        after.processElement(policy("spam", 2).build(), T0);
        assertThat(audits(after)).singleElement().satisfies(a -> {
            assertThat(a.getStatus())
                    .as("v2 is in force after the restore, not the broken v3")
                    .isEqualTo("IGNORED_STALE");
            assertThat(a.getPreviousVersion()).isEqualTo(2L);
        });
    }
}
