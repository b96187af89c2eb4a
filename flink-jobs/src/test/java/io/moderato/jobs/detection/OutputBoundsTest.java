package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.T0;
import static io.moderato.jobs.testing.DetectionFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.internal.ScoringProblem;
import io.moderato.jobs.internal.UserInput;
import io.moderato.jobs.testing.Harnesses;
import io.moderato.jobs.testing.KeyedBroadcastHarness;
import io.moderato.jobs.testing.OperatorMetrics;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.config.PolicyConfigValidator;
import io.moderato.udfs.feedback.LabelAdjudicator;
import io.moderato.udfs.feedback.TrainingExamples;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.vector.FeaturePacking;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * "No record from any input may be able to make a sink throw": the largest decision, pre-publish
 * verdict, review task, action and training example the input limits allow — the most policies, each with the longest
 * names, every modality scored and unscorable, every shadow model, the longest ids, the most
 * context features and captured feature values — each serialize well below the sinks'
 * {@code max.request.size} of 1 MiB. The inputs are built at the limits the door checks enforce, and
 * the limits are asserted too, so raising one without raising the others fails here.
 */
class OutputBoundsTest {

    /** Headroom for the 5-byte Confluent header, the key and Kafka's record overhead. */
    private static final int MAX_RECORD_BYTES = KafkaIo.DEFAULT_MAX_REQUEST_BYTES - 64 * 1024;

    private static String longest(String prefix, int length) {
        return (prefix + "x".repeat(length)).substring(0, length);
    }

    private static PolicyConfig largestPolicy(int i) {
        String id = longest("p" + i + "-", PolicyConfigValidator.MAX_POLICY_ID_CHARS);
        List<ModelVersion> active = new ArrayList<>();
        for (String modality : Modality.WIRE_NAMES) {
            active.add(new ModelVersion(modality, longest("m" + i + "-" + modality + "-", 128), longest("v", 64)));
        }
        List<ModelVersion> shadow = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            shadow.add(new ModelVersion("text", longest("shadow" + i + "-" + s + "-", 128), longest("v", 64)));
        }
        PolicyConfig config = policy(id, 1)
                .setActiveModels(active)
                .setShadowModels(shadow)
                .setAuditSampleRateAllow(1.0)
                .setAuditSampleRateAction(1.0)
                .build();
        assertThat(PolicyConfigValidator.violations(config))
                .as("the largest valid policy")
                .isEmpty();
        return config;
    }

    private static int bytes(SpecificRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.size();
    }

    @Test
    void shouldKeepTheLargestPossibleOutputsFarBelowTheBrokersRecordLimit() throws Exception {
        List<PolicyConfig> policies = new ArrayList<>();
        for (int i = 0; i < ConfigGate.MAX_POLICIES; i++) {
            policies.add(largestPolicy(i));
        }
        String contentId = longest("c-", DetectionInputs.MAX_ID_CHARS);
        String userId = longest("u-", DetectionInputs.MAX_ID_CHARS);
        ContentEvent event = ContentEvent.newBuilder()
                .setContentId(contentId)
                .setUserId(userId)
                .setSurface(longest("s", DetectionInputs.MAX_NAME_CHARS))
                .setLocale(longest("l", DetectionInputs.MAX_NAME_CHARS))
                .setReachEstimate(Long.MAX_VALUE)
                .setEventTimeMillis(T0)
                .setPrePublish(true)
                .build();
        List<ModelScore> scores = new ArrayList<>();
        List<ScoringProblem> problems = new ArrayList<>();
        for (PolicyConfig p : policies) {
            for (ModelVersion m : p.getActiveModels()) {
                scores.add(new ModelScore(m.getModality(), m.getName(), m.getVersion(), p.getPolicyId(), 0.5, false));
                // the scorer reports a problem once per model slot (every policy's models are distinct here)
                problems.add(new ScoringProblem(
                        m.getModality(), m.getName(), longest("reason ", ContentScorer.MAX_PROBLEM_CHARS)));
            }
            for (ModelVersion m : p.getShadowModels()) {
                scores.add(new ModelScore(m.getModality(), m.getName(), m.getVersion(), p.getPolicyId(), 0.5, true));
            }
        }
        int[] indices = new int[ContentScorer.MAX_CAPTURED_VALUES];
        float[] values = new float[ContentScorer.MAX_CAPTURED_VALUES];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = 1_000_000 + i; // large indices: the longest varints
            values[i] = 0.123f;
        }
        ScoredContent scored = ScoredContent.newBuilder()
                .setEvent(event)
                .setScores(scores)
                .setProblems(problems)
                .setFeatures(List.of(FeaturePacking.pack(
                        "text",
                        new ModelVersion("text", longest("m", 128), longest("v", 64)),
                        2_000_000,
                        indices,
                        values)))
                .setContentHash(1L)
                .setIngestMillis(T0)
                .build();
        Map<String, Double> extra = new HashMap<>();
        for (int i = 0; i < DetectionInputs.MAX_EXTRA_FEATURES; i++) {
            extra.put(longest("f" + i + "-", DetectionInputs.MAX_NAME_CHARS), 1.0);
        }

        var h = new KeyedBroadcastHarness<>(
                new DecideFunction(
                        policies,
                        Duration.ofMinutes(15),
                        Duration.ofMinutes(1),
                        Duration.ofDays(30),
                        Duration.ofDays(1),
                        1L),
                UserInput::getUserId,
                Types.STRING,
                Harnesses.environment(1, 0, new OperatorMetrics()),
                DetectionState.POLICY_CONFIGS);
        try (h) {
            h.open();
            h.processElement(new UserInput(userId, null, new UserSignal(userId, 1, 1, 1, false, T0, extra)), T0);
            h.processElement(new UserInput(userId, scored, null), T0);
            h.watermark(T0);

            ReviewCandidate candidate =
                    h.sideOutputValues(DetectionState.REVIEW_CANDIDATES).get(0);
            RiskDecision decision = candidate.getDecision();
            assertThat(decision.getPolicies()).hasSize(ConfigGate.MAX_POLICIES);
            assertThat(decision.getFeatures().get(0).getValues()).hasSize(ContentScorer.MAX_CAPTURED_VALUES);
            assertThat(decision.getModelVersions()).hasSize(ConfigGate.MAX_POLICIES * Modality.WIRE_NAMES.size());
            assertThat(decision.getPolicies()).allSatisfy(p -> {
                assertThat(p.getScoringProblems()).hasSize(Modality.WIRE_NAMES.size());
                assertThat(p.getShadowScores()).hasSize(10);
            });
            int decisionBytes = bytes(decision);
            assertThat(decisionBytes).as("largest RiskDecision").isLessThan(MAX_RECORD_BYTES);

            PrepublishVerdict verdict = new PrepublishVerdicts()
                    .verdict(event, ScoreRecords.fromScores(scores), ScoreRecords.fromProblems(problems), policies, T0);
            assertThat(verdict.getPolicies())
                    .hasSize(ConfigGate.MAX_POLICIES)
                    .allSatisfy(p -> assertThat(p.getScoringProblems()).hasSize(Modality.WIRE_NAMES.size()));
            int verdictBytes = bytes(verdict);
            assertThat(verdictBytes).as("largest PrepublishVerdict").isLessThan(MAX_RECORD_BYTES);
            System.out.printf("[output bounds] largest PrepublishVerdict %,d bytes%n", verdictBytes);

            List<EnforcementAction> actions = h.sideOutputValues(DetectionState.ACTIONS);
            assertThat(actions).hasSize(ConfigGate.MAX_POLICIES);
            for (EnforcementAction action : actions) {
                assertThat(bytes(action)).isLessThan(16 * 1024);
            }
            try (var router = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new RouteReviewFunction(1L)),
                    ReviewCandidate::getQueue,
                    Types.STRING,
                    Harnesses.environment(1, 0, new OperatorMetrics()))) {
                router.open();
                router.processElement(new StreamRecord<>(candidate, T0));
                router.processWatermark(T0);
                ReviewTask task =
                        router.getSideOutput(DetectionState.REVIEW_TASKS).poll().getValue();
                assertThat(task.getReasons()).hasSize(ConfigGate.MAX_POLICIES);
                assertThat(bytes(task)).as("largest ReviewTask").isLessThan(MAX_RECORD_BYTES);
                System.out.printf(
                        "[output bounds] largest RiskDecision %,d bytes, ReviewTask %,d bytes (sink max.request.size %,d)%n",
                        decisionBytes, bytes(task), KafkaIo.DEFAULT_MAX_REQUEST_BYTES);
            }

            PolicyDecision first = decision.getPolicies().get(0);
            ReviewLabel label = new ReviewLabel(
                    contentId,
                    first.getPolicyId(),
                    true,
                    null,
                    longest("r", DetectionInputs.MAX_ID_CHARS),
                    "REVIEW",
                    T0,
                    "n".repeat(4096));
            TrainingExample example = TrainingExamples.of(decision, first, LabelAdjudicator.adjudicate(List.of(label)));
            assertThat(bytes(example)).as("largest TrainingExample").isLessThan(MAX_RECORD_BYTES);
            assertThat(bytes(label)).as("largest unmatched label").isLessThan(16 * 1024);
        }
    }
}
