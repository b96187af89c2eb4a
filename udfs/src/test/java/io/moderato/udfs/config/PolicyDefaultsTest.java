package io.moderato.udfs.config;

import static io.moderato.udfs.config.TestPolicies.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.model.Modality;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PolicyDefaultsTest {

    private static List<PolicyConfig> read(String json) {
        return PolicyDefaults.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    /** The minimal object: only the fields without a schema default. */
    private static final String MINIMAL = """
            {"policyId": "spam", "version": 2, "actionThreshold": 0.9, "reviewThreshold": 0.5,
             "escalationThreshold": 0.6,
             "reviewQueues": [{"name": "q", "capacityPerMinute": 10, "slaMillis": 1000}],
             "activeModels": [{"modality": "text", "name": "text-spam", "version": "1.0.0"}],
             "updatedBy": "alice", "updatedAtMillis": 5}
            """;

    @Test
    void shouldRoundTripAConfigThroughJson() {
        PolicyConfig original = valid().setChangeNote("ticket T-1")
                .setSurfaces(List.of("comment", "post"))
                .setShadowModels(List.of(new ModelVersion("image", "image-safety", "2.0.0-rc1")))
                .build();
        String json = PolicyDefaults.toJson(original);
        assertThat(PolicyDefaults.fromJson(json)).isEqualTo(original);
    }

    @Test
    void shouldWritePlainJsonWithoutAvroUnionWrappers() {
        String json = PolicyDefaults.toJson(valid().setChangeNote("why").build());
        assertThat(json)
                .contains("\"changeNote\" : \"why\"")
                .doesNotContain("{\"string\"")
                .doesNotContain("\"string\" :");
        assertThat(PolicyDefaults.toJson(valid().build())).contains("\"changeNote\" : null");
    }

    @Test
    void shouldFillSchemaDefaultsForOmittedFields() {
        PolicyConfig c = PolicyDefaults.fromJson(MINIMAL);
        assertThat(c.getVersion()).isEqualTo(2L);
        assertThat(c.getEnabled()).isTrue();
        assertThat(c.getAutoAction()).isEqualTo("REMOVE");
        assertThat(c.getFusionStrategy()).isEqualTo("weighted_logit");
        assertThat(c.getFusionWeights()).isEmpty();
        assertThat(c.getSurfaces()).isEmpty();
        assertThat(c.getSeverity()).isEqualTo(1.0);
        assertThat(c.getPrecisionObligation()).isEqualTo(0.95);
        assertThat(c.getChangeNote()).isNull();
        assertThat(c.getReviewQueues().get(0).getLocales()).isEmpty();
        assertThat(c.getReviewQueues().get(0).getMinSeverity()).isEqualTo(0.0);
        assertThat(PolicyConfigValidator.violations(c)).isEmpty();
    }

    @Test
    void shouldRoundTripAListThroughTheArrayShape() {
        List<PolicyConfig> configs = List.of(
                TestPolicies.validConfig(), valid().setPolicyId("nudity").build());
        assertThat(read(PolicyDefaults.toJson(configs))).isEqualTo(configs);
    }

    @Test
    void shouldRoundTripNonFiniteDoublesSoThatValidationCanRejectThem() {
        PolicyConfig bad = valid().setFusionBias(Double.NaN)
                .setSeverity(Double.POSITIVE_INFINITY)
                .build();
        PolicyConfig back = PolicyDefaults.fromJson(PolicyDefaults.toJson(bad));
        assertThat(back.getFusionBias()).isNaN();
        assertThat(back.getSeverity()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void shouldNameThePolicyAndEveryViolationOfAnInvalidConfig() {
        String json = "[" + MINIMAL + ", "
                + MINIMAL.replace("\"spam\"", "\"nudity\"")
                        .replace("0.5", "0.95")
                        .replace("\"version\": 2", "\"version\": 0")
                + "]";
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("test.json: policy 'nudity' (element 1) is invalid: ")
                .hasMessageContaining("version = 0 must be >= 1")
                .hasMessageContaining("reviewThreshold = 0.95 must be <= actionThreshold = 0.9");
    }

    @Test
    void shouldNameTheFieldPathOfAValueOfTheWrongType() {
        String json = "[" + MINIMAL.replace("\"capacityPerMinute\": 10", "\"capacityPerMinute\": \"lots\"") + "]";
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "test.json: policy 'spam' (element 0): reviewQueues[0].capacityPerMinute: expected a whole number (int), got \"lots\"");
    }

    @Test
    void shouldRejectAnUnknownFieldAsAProbableTypo() {
        String json = "[" + MINIMAL.replace("\"reviewThreshold\"", "\"reviewTreshold\"") + "]";
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policy 'spam' (element 0): reviewTreshold: unknown field");
    }

    @Test
    void shouldRejectAMissingRequiredField() {
        String json = "[" + MINIMAL.replace("\"updatedBy\": \"alice\",", "") + "]";
        assertThatThrownBy(() -> read(json))
                .hasMessage("test.json: policy 'spam' (element 0): updatedBy: missing (the field has no default)");
    }

    @Test
    void shouldRejectAvroUnionWrappedJson() {
        String json = MINIMAL.replace(
                "\"updatedBy\": \"alice\"", "\"updatedBy\": \"alice\", \"changeNote\": {\"string\": \"x\"}");
        assertThatThrownBy(() -> PolicyDefaults.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("changeNote: expected a string");
    }

    @Test
    void shouldRejectAFractionalVersion() {
        assertThatThrownBy(() -> PolicyDefaults.fromJson(MINIMAL.replace("\"version\": 2", "\"version\": 2.5")))
                .hasMessageContaining("version: expected a whole number (long), got 2.5");
    }

    @Test
    void shouldRejectADuplicatePolicyId() {
        assertThatThrownBy(() -> read("[" + MINIMAL + "," + MINIMAL.replace("\"version\": 2", "\"version\": 3") + "]"))
                .hasMessage("test.json: policy 'spam' appears more than once (elements 0 and 1)");
    }

    @Test
    void shouldRejectSomethingOtherThanAnArray() {
        assertThatThrownBy(() -> read(MINIMAL))
                .hasMessage("test.json: expected a JSON array of policy configs, got OBJECT");
        assertThatThrownBy(() -> read("[ {")).hasMessageStartingWith("test.json: not valid JSON");
        assertThatThrownBy(() -> read("[] []")).hasMessageStartingWith("test.json: not valid JSON");
        assertThatThrownBy(() -> read(""))
                .hasMessage("test.json: expected a JSON array of policy configs, got nothing");
        assertThatThrownBy(() -> read("[1]"))
                .hasMessage("test.json: element 0 (no policyId): config: expected an object (PolicyConfig), got 1");
    }

    @Test
    void shouldReadAnEmptyArray() {
        assertThat(read("[]")).isEmpty();
    }

    @Test
    void shouldShipValidDefaultPolicies() {
        List<PolicyConfig> shipped = PolicyDefaults.shipped();
        assertThat(shipped)
                .extracting(PolicyConfig::getPolicyId)
                .containsExactly("spam", "nudity", "violence", "hate_speech", "harassment");
        Map<String, List<String>> modalities = shipped.stream()
                .collect(Collectors.toMap(
                        PolicyConfig::getPolicyId,
                        c -> c.getActiveModels().stream()
                                .map(ModelVersion::getModality)
                                .toList()));
        assertThat(modalities)
                .containsEntry("spam", List.of(Modality.TEXT.wireName(), Modality.TRANSCRIPT))
                .containsEntry("nudity", List.of(Modality.IMAGE.wireName(), Modality.VIDEO.wireName()))
                .containsEntry(
                        "violence",
                        List.of(Modality.IMAGE.wireName(), Modality.AUDIO.wireName(), Modality.VIDEO.wireName()))
                .containsEntry("hate_speech", List.of(Modality.TEXT.wireName(), Modality.TRANSCRIPT))
                .containsEntry("harassment", List.of(Modality.TEXT.wireName(), Modality.TRANSCRIPT));
        for (PolicyConfig c : shipped) {
            assertThat(PolicyConfigValidator.violations(c)).as(c.getPolicyId()).isEmpty();
            // thresholds of the text policies come from their models' cards (checked in model-artifacts'
            // PolicyDefaultsModelsTest); here: probabilities, review below action
            assertThat(c.getReviewThreshold()).isBetween(0.0, 1.0).isLessThanOrEqualTo(c.getActionThreshold());
            assertThat(c.getEscalationThreshold()).isEqualTo(0.6);
            assertThat(c.getAuditSampleRateAllow()).isEqualTo(0.01);
            assertThat(c.getAuditSampleRateAction()).isEqualTo(0.05);
            assertThat(c.getSeverity()).isBetween(1.0, 5.0);
            assertThat(c.getActiveModels())
                    .allSatisfy(m -> assertThat(m.getName())
                            .isIn("text-spam", "text-abuse", "image-safety", "audio-safety", "video-safety"));
            // every locale routes to a configured queue, so the fallback is never needed
            assertThat(c.getReviewQueues()).anySatisfy(q -> {
                assertThat(q.getLocales()).isEmpty();
                assertThat(q.getMinSeverity()).isEqualTo(0.0);
            });
        }
    }

    @Test
    void shouldRoundTripTheShippedPolicies() {
        List<PolicyConfig> examples = PolicyDefaults.shipped();
        assertThat(read(PolicyDefaults.toJson(examples))).isEqualTo(examples);
    }
}
