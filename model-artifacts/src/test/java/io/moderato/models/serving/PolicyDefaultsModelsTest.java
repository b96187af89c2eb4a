package io.moderato.models.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped policy defaults ({@code policy-defaults.json} in the udfs) against the shipped models: every active
 * or shadow model exists, scores the policy and suits the modality it is wired to; a policy scored by a calibrated
 * text model uses the thresholds that model's card documents (chosen from its cross-validated curves), so a
 * threshold in the defaults is the probability the card talks about.
 */
class PolicyDefaultsModelsTest {

    private static final Map<String, Modality> MODALITIES = Map.of(
            "text",
            Modality.TEXT,
            "transcript",
            Modality.TEXT,
            "image",
            Modality.IMAGE,
            "audio",
            Modality.AUDIO,
            "video",
            Modality.VIDEO);

    @Test
    void shouldOnlyNameModelsThatExistScoreThePolicyAndFitTheModality() {
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.classpath("models"))) {
            for (PolicyConfig policy : PolicyDefaults.shipped()) {
                List<ModelVersion> models = new java.util.ArrayList<>(policy.getActiveModels());
                models.addAll(policy.getShadowModels());
                for (ModelVersion mv : models) {
                    ModelManifest m = registry.manifest(mv.getName(), mv.getVersion());
                    assertThat(m.policies())
                            .as(policy.getPolicyId() + " ← " + m.id())
                            .contains(policy.getPolicyId());
                    assertThat(m.modality())
                            .as(m.id() + " on " + mv.getModality())
                            .isEqualTo(MODALITIES.get(mv.getModality()));
                }
            }
        }
    }

    @Test
    void shouldUseTheThresholdsDocumentedByTheCalibratedTextModelOfEachTextPolicy() {
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.classpath("models"))) {
            int checked = 0;
            for (PolicyConfig policy : PolicyDefaults.shipped()) {
                for (ModelVersion mv : policy.getActiveModels()) {
                    ModelManifest m = registry.manifest(mv.getName(), mv.getVersion());
                    boolean calibrated = !"none"
                            .equals(m.calibrationFor(policy.getPolicyId()).method());
                    if (m.modality() != Modality.TEXT || !calibrated) {
                        continue;
                    }
                    String id = policy.getPolicyId();
                    assertThat(policy.getReviewThreshold())
                            .as(id + " review vs " + m.id())
                            .isEqualTo(m.defaultThresholds().get(id + ".review"));
                    assertThat(policy.getActionThreshold())
                            .as(id + " action vs " + m.id())
                            .isEqualTo(m.defaultThresholds().get(id + ".action"));
                    checked++;
                }
            }
            assertThat(checked).as("text policies checked").isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void shouldScoreHateSpeechHarassmentAndSpamWithTheShortTextModelsOnTextAndTranscript() {
        Map<String, PolicyConfig> byId = new java.util.HashMap<>();
        PolicyDefaults.shipped().forEach(p -> byId.put(p.getPolicyId(), p));
        assertThat(byId.get("hate_speech").getActiveModels())
                .containsExactly(
                        new ModelVersion("text", "text-abuse", "1.0.0"),
                        new ModelVersion("transcript", "text-abuse", "1.0.0"));
        assertThat(byId.get("harassment").getActiveModels())
                .containsExactly(
                        new ModelVersion("text", "text-abuse", "1.0.0"),
                        new ModelVersion("transcript", "text-abuse", "1.0.0"));
        assertThat(byId.get("spam").getActiveModels())
                .containsExactly(
                        new ModelVersion("text", "text-spam", "2.0.0"),
                        new ModelVersion("transcript", "text-spam", "2.0.0"));
    }
}
