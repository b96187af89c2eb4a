package io.moderato.udfs.feedback;

import static io.moderato.udfs.feedback.FeedbackFixtures.POLICY;
import static io.moderato.udfs.feedback.FeedbackFixtures.decision;
import static io.moderato.udfs.feedback.FeedbackFixtures.label;
import static io.moderato.udfs.feedback.FeedbackFixtures.policy;
import static io.moderato.udfs.feedback.LabelAdjudicator.ADJUDICATION;
import static io.moderato.udfs.feedback.LabelAdjudicator.AUDIT;
import static io.moderato.udfs.feedback.LabelAdjudicator.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainingExamplesTest {

    private final PolicyDecision audited = policy("ALLOW", 0.12, 0.02, true);
    private final RiskDecision decision = decision("c-1", audited, 3_600_000L);
    private final Adjudication adjudication = LabelAdjudicator.adjudicate(List.of(
            label("r-1", AUDIT, true, decision.getDecidedAtMillis() + 60_000),
            label("r-2", REVIEW, false, decision.getDecidedAtMillis() + 90_000),
            label("lead", ADJUDICATION, true, decision.getDecidedAtMillis() + 70_000)));

    @Test
    void shouldCopyTheFeaturesExactlyAsScored() {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);

        assertThat(e.getContentId()).isEqualTo("c-1");
        assertThat(e.getPolicyId()).isEqualTo(POLICY);
        assertThat(e.getUserId()).isEqualTo(decision.getUserId());
        assertThat(e.getSurface()).isEqualTo("comments");
        assertThat(e.getLocale()).isEqualTo("en-GB");
        assertThat(e.getBand()).isEqualTo("ALLOW");
        assertThat(e.getAuditSampled()).isTrue();
        assertThat(e.getFusedRisk()).isEqualTo(0.12);
        assertThat(e.getModalityScores()).isEqualTo(audited.getModalityScores());
        assertThat(e.getContextFeatures()).isEqualTo(decision.getContextFeatures());
        assertThat(e.getFeatures()).isEqualTo(decision.getFeatures());
        assertThat(e.getUserRisk()).isEqualTo(audited.getUserRisk());
        assertThat(e.getShadowScores()).isEqualTo(audited.getShadowScores());
        assertThat(e.getConfigVersion()).isEqualTo(7L);
        assertThat(e.getLate()).isFalse();
        assertThat(e.getEventTimeMillis()).isEqualTo(decision.getEventTimeMillis());
        assertThat(e.getDecidedAtMillis()).isEqualTo(decision.getDecidedAtMillis());
    }

    @Test
    void shouldCarryTheAdjudicatedLabelAndItsProvenance() {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);

        assertThat(e.getViolating()).isTrue();
        assertThat(e.getSeverity()).isEqualTo(1.0);
        assertThat(e.getLabelSource()).isEqualTo(ADJUDICATION);
        assertThat(e.getLabelCount()).isEqualTo(3);
        assertThat(e.getConflicting()).isTrue();
        // the time the adjudication is "as of" (the last label), not the ruling's own time
        assertThat(e.getLabelledAtMillis()).isEqualTo(decision.getDecidedAtMillis() + 90_000);
    }

    @Test
    void shouldWeightByTheInverseOfThePropensity() {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);

        assertThat(e.getPropensity()).isEqualTo(0.02);
        assertThat(e.getWeight()).isEqualTo(50.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void shouldKeepOnlyTheModelsOfTheModalitiesThePolicyHasAScoreFor() {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);

        assertThat(e.getModelVersions()).containsExactly(new ModelVersion("text", "text-spam", "1.0.0"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.5, 1.5, Double.NaN})
    void shouldRejectAPropensityOutsideZeroToOneNamingTheItemAndPolicy(double propensity) {
        PolicyDecision p =
                PolicyDecision.newBuilder(audited).setPropensity(propensity).build();
        RiskDecision d = decision("c-1", p, 3_600_000L);

        assertThatThrownBy(() -> TrainingExamples.of(d, p, adjudication))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("propensity")
                .hasMessageContaining("c-1")
                .hasMessageContaining(POLICY);
    }

    @Test
    void shouldRejectAnAdjudicationOfAnotherItemOrAPolicyDecisionOfAnotherDecision() {
        Adjudication other = LabelAdjudicator.adjudicate(List.of(label("c-9", "r-1", REVIEW, true, 1L)));
        PolicyDecision foreign = policy("REVIEW", 0.6, 1.0, false);

        assertThatThrownBy(() -> TrainingExamples.of(decision, audited, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c-9")
                .hasMessageContaining("c-1");
        assertThatThrownBy(() -> TrainingExamples.of(decision, foreign, adjudication))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not one of");
    }

    @Test
    void shouldRejectADecisionWithoutAConfigVersionForThePolicy() {
        RiskDecision d = RiskDecision.newBuilder(decision)
                .setConfigVersions(Map.of("hate", 3L))
                .build();

        assertThatThrownBy(() -> TrainingExamples.of(d, audited, adjudication))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config version")
                .hasMessageContaining("c-1");
    }

    @Test
    void shouldShareNoMutableRecordWithTheDecision() {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);

        e.getFeatures().get(0).getIndices().set(0, 999);
        e.getUserRisk().setMaxRisk(0.0);
        e.getModalityScores().put("image", 1.0);

        assertThat(decision.getFeatures().get(0).getIndices().get(0)).isEqualTo(3);
        assertThat(audited.getUserRisk().getMaxRisk()).isEqualTo(0.7);
        assertThat(audited.getModalityScores()).doesNotContainKey("image");
    }

    @Test
    void shouldEncodeAsAValidTrainingExampleRecord() throws IOException {
        TrainingExample e = TrainingExamples.of(decision, audited, adjudication);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(TrainingExample.class).write(e, encoder);
        encoder.flush();

        TrainingExample back = new SpecificDatumReader<>(TrainingExample.class)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(back).isEqualTo(e);
    }
}
