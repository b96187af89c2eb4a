package io.moderato.udfs.config;

import static io.moderato.udfs.config.TestPolicies.model;
import static io.moderato.udfs.config.TestPolicies.queue;
import static io.moderato.udfs.config.TestPolicies.valid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.PolicyConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyConfigValidatorTest {

    private static List<String> violations(PolicyConfig.Builder b) {
        return PolicyConfigValidator.violations(b.build());
    }

    @Test
    void shouldAcceptAValidConfig() {
        assertThat(PolicyConfigValidator.violations(TestPolicies.validConfig())).isEmpty();
        assertThat(PolicyConfigValidator.isValid(TestPolicies.validConfig())).isTrue();
    }

    @Test
    void shouldAcceptTheBoundariesOfEveryRange() {
        PolicyConfig.Builder b = valid().setActionThreshold(1.0)
                .setReviewThreshold(0.0)
                .setEscalationThreshold(1.0)
                .setAuditSampleRateAllow(0.0)
                .setAuditSampleRateAction(1.0)
                .setSeverity(0.0);
        assertThat(violations(b)).isEmpty();
        assertThat(violations(valid().setActionThreshold(0.7).setReviewThreshold(0.7)))
                .isEmpty();
    }

    @Test
    void shouldRejectABlankPolicyId() {
        assertThat(violations(valid().setPolicyId("  "))).containsExactly("policyId = '  ' must be non-blank");
    }

    @Test
    void shouldRejectAVersionBelowOne() {
        assertThat(violations(valid().setVersion(0L))).containsExactly("version = 0 must be >= 1");
    }

    @Test
    void shouldRejectAReviewThresholdAboveTheActionThreshold() {
        assertThat(violations(valid().setReviewThreshold(0.9).setActionThreshold(0.8)))
                .containsExactly("reviewThreshold = 0.9 must be <= actionThreshold = 0.8");
    }

    @Test
    void shouldRejectThresholdsOutsideTheUnitInterval() {
        assertThat(violations(valid().setActionThreshold(1.5)))
                .containsExactly("actionThreshold = 1.5 must be in [0, 1]");
        assertThat(violations(valid().setReviewThreshold(-0.1)))
                .containsExactly("reviewThreshold = -0.1 must be in [0, 1]");
        assertThat(violations(valid().setEscalationThreshold(1.01)))
                .containsExactly("escalationThreshold = 1.01 must be in [0, 1]");
    }

    @Test
    void shouldRejectNaNWhereverADoubleIsChecked() {
        PolicyConfig.Builder b = valid().setActionThreshold(Double.NaN)
                .setReviewThreshold(Double.NaN)
                .setEscalationThreshold(Double.NaN)
                .setFusionBias(Double.NaN)
                .setFusionWeights(Map.of("text", Double.NaN))
                .setAuditSampleRateAllow(Double.NaN)
                .setAuditSampleRateAction(Double.NaN)
                .setSeverity(Double.NaN)
                .setPrecisionObligation(Double.NaN)
                .setObligationConfidence(Double.NaN)
                .setReviewQueues(List.of(queue("q", List.of(), Double.NaN, 10)));
        assertThat(violations(b))
                .containsExactly(
                        "actionThreshold = NaN must be in [0, 1]",
                        "reviewThreshold = NaN must be in [0, 1]",
                        "escalationThreshold = NaN must be in [0, 1]",
                        "fusionWeights[text] = NaN must be finite",
                        "fusionBias = NaN must be finite",
                        "auditSampleRateAllow = NaN must be in [0, 1]",
                        "auditSampleRateAction = NaN must be in [0, 1]",
                        "severity = NaN must be finite and >= 0",
                        "precisionObligation = NaN must be in (0, 1)",
                        "obligationConfidence = NaN must be in (0, 1)",
                        "reviewQueues[0].minSeverity = NaN must be finite and >= 0");
    }

    @Test
    void shouldRejectAnUnknownFusionStrategy() {
        assertThat(violations(valid().setFusionStrategy("softmax")))
                .containsExactly("fusionStrategy = 'softmax' must be one of [weighted_logit, noisy_or, max]");
    }

    @Test
    void shouldRejectInfiniteWeightsAndBias() {
        assertThat(violations(valid().setFusionWeights(Map.of("image", Double.POSITIVE_INFINITY))
                        .setFusionBias(Double.NEGATIVE_INFINITY)))
                .containsExactly(
                        "fusionWeights[image] = Infinity must be finite", "fusionBias = -Infinity must be finite");
    }

    @Test
    void shouldAllowNegativeWeightsForWeightedLogitOnly() {
        Map<String, Double> weights = Map.of("ctx.verified", -1.5, "text", 2.0);
        assertThat(violations(valid().setFusionStrategy("weighted_logit").setFusionWeights(weights)))
                .isEmpty();
        assertThat(violations(valid().setFusionStrategy("noisy_or").setFusionWeights(weights)))
                .containsExactly(
                        "fusionWeights[ctx.verified] = -1.5 must be in [0, 1] for fusionStrategy noisy_or",
                        "fusionWeights[text] = 2.0 must be in [0, 1] for fusionStrategy noisy_or");
        assertThat(violations(valid().setFusionStrategy("max").setFusionWeights(Map.of("text", 1.2))))
                .containsExactly("fusionWeights[text] = 1.2 must be in [0, 1] for fusionStrategy max");
    }

    @Test
    void shouldRejectSampleRatesOutsideTheUnitInterval() {
        assertThat(violations(valid().setAuditSampleRateAllow(-0.01).setAuditSampleRateAction(2.0)))
                .containsExactly(
                        "auditSampleRateAllow = -0.01 must be in [0, 1]",
                        "auditSampleRateAction = 2.0 must be in [0, 1]");
    }

    @Test
    void shouldRejectNegativeOrInfiniteSeverity() {
        assertThat(violations(valid().setSeverity(-1.0))).containsExactly("severity = -1.0 must be finite and >= 0");
        assertThat(violations(valid().setSeverity(Double.POSITIVE_INFINITY)))
                .containsExactly("severity = Infinity must be finite and >= 0");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0, -0.5, 1.5})
    void shouldRequireObligationsStrictlyBetweenZeroAndOne(double value) {
        assertThat(violations(valid().setPrecisionObligation(value).setObligationConfidence(value)))
                .containsExactly(
                        "precisionObligation = " + value + " must be in (0, 1)",
                        "obligationConfidence = " + value + " must be in (0, 1)");
    }

    @Test
    void shouldRejectAnUnknownAutoAction() {
        assertThat(violations(valid().setAutoAction("BAN")))
                .containsExactly("autoAction = 'BAN' must be one of [REMOVE, LIMIT]");
        assertThat(violations(valid().setAutoAction("LIMIT"))).isEmpty();
    }

    @Test
    void shouldRejectBadReviewQueues() {
        PolicyConfig.Builder b = valid().setReviewQueues(List.of(
                queue("a", List.of("en"), 0.0, 10), queue("a", List.of(""), -1.0, 0), queue(" ", List.of(), 0.0, 5)));
        b.getReviewQueues().get(2).setSlaMillis(0L);
        assertThat(violations(b))
                .containsExactly(
                        "reviewQueues[1].name = 'a' must be unique (used by an earlier queue)",
                        "reviewQueues[1].locales[0] = '' must be non-blank",
                        "reviewQueues[1].minSeverity = -1.0 must be finite and >= 0",
                        "reviewQueues[1].capacityPerMinute = 0 must be >= 1",
                        "reviewQueues[2].name = ' ' must be non-blank",
                        "reviewQueues[2].slaMillis = 0 must be > 0");
    }

    @Test
    void shouldRejectBadModelVersions() {
        PolicyConfig.Builder b = valid().setActiveModels(
                        List.of(model("text", "text-spam"), model("text", "text-spam-v2"), model("smell", "nose")))
                .setShadowModels(List.of(model("image", ""), new io.moderato.schemas.ModelVersion("Text", "x", " ")));
        assertThat(violations(b))
                .containsExactly(
                        "activeModels[1].modality = 'text' must be unique (at most one active model per modality)",
                        "activeModels[2].modality = 'smell' must be one of [text, transcript, image, audio, video]",
                        "shadowModels[0].name = '' must be non-blank",
                        "shadowModels[1].modality = 'Text' must be one of [text, transcript, image, audio, video]",
                        "shadowModels[1].version = ' ' must be non-blank");
    }

    @Test
    void shouldAllowSeveralShadowModelsPerModality() {
        assertThat(violations(valid().setShadowModels(List.of(model("text", "a"), model("text", "b")))))
                .isEmpty();
    }

    @Test
    void shouldReportEveryViolationAtOnce() {
        PolicyConfig.Builder b = valid().setPolicyId("")
                .setVersion(-3L)
                .setReviewThreshold(0.95)
                .setFusionStrategy("avg")
                .setSurfaces(List.of("comment", ""));
        assertThat(violations(b))
                .containsExactly(
                        "policyId = '' must be non-blank",
                        "version = -3 must be >= 1",
                        "reviewThreshold = 0.95 must be <= actionThreshold = 0.9",
                        "fusionStrategy = 'avg' must be one of [weighted_logit, noisy_or, max]",
                        "surfaces[1] = '' must be non-blank");
    }

    @Test
    void shouldReportMissingCollectionsOfAHandBuiltRecordInsteadOfThrowing() {
        PolicyConfig c = new PolicyConfig();
        assertThat(PolicyConfigValidator.violations(c))
                .contains(
                        "policyId = null must be non-blank",
                        "version = 0 must be >= 1",
                        "fusionStrategy = null must be one of [weighted_logit, noisy_or, max]",
                        "fusionWeights = null must be a map",
                        "reviewQueues = null must be a list",
                        "activeModels = null must be a list");
        assertThat(PolicyConfigValidator.violations(null)).containsExactly("config = null must be a PolicyConfig");
    }
}
