package io.moderato.udfs.config;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewQueue;
import java.util.List;
import java.util.Map;

/** Valid policy configs to start tests from; each test changes only what it is about. */
public final class TestPolicies {

    private TestPolicies() {}

    public static ReviewQueue queue(String name, List<String> locales, double minSeverity, int capacityPerMinute) {
        return ReviewQueue.newBuilder()
                .setName(name)
                .setLocales(locales)
                .setMinSeverity(minSeverity)
                .setCapacityPerMinute(capacityPerMinute)
                .setSlaMillis(3_600_000L)
                .build();
    }

    public static ModelVersion model(String modality, String name) {
        return new ModelVersion(modality, name, "1.0.0");
    }

    /** A valid config of policy "spam", version 1. */
    public static PolicyConfig.Builder valid() {
        return PolicyConfig.newBuilder()
                .setPolicyId("spam")
                .setVersion(1L)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.6)
                .setFusionWeights(Map.of("text", 1.0, "ctx.prior_strikes", 0.4))
                .setFusionBias(0.0)
                .setAuditSampleRateAllow(0.01)
                .setAuditSampleRateAction(0.05)
                .setSeverity(2.0)
                .setReviewQueues(
                        List.of(queue("spam-es", List.of("es"), 0.0, 20), queue("spam-global", List.of(), 0.0, 100)))
                .setActiveModels(List.of(model("text", "text-spam"), model("transcript", "text-spam")))
                .setUpdatedBy("test")
                .setUpdatedAtMillis(1_700_000_000_000L);
    }

    public static PolicyConfig validConfig() {
        return valid().build();
    }

    public static PolicyConfig version(long version) {
        return valid().setVersion(version).build();
    }
}
