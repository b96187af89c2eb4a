package io.moderato.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fully populated example records built with the generated builders: every optional field set and every
 * collection non-empty, so encoding them exercises every branch of the schema. Fixed values, no clock.
 */
public final class SampleRecords {

    public static final long EVENT_TIME = 1_750_000_000_000L;
    public static final long DECIDED_AT = EVENT_TIME + 850;

    private SampleRecords() {}

    /** A fully populated sample of the topic's record. */
    public static SpecificRecord of(Topic topic) {
        return switch (topic) {
            case CONTENT_EVENTS -> contentEvent();
            case USER_SIGNALS -> userSignal();
            case POLICY_CONFIG -> policyConfig();
            case RISK_DECISIONS -> riskDecision();
            case PREPUBLISH_VERDICTS -> prepublishVerdict();
            case REVIEW_TASKS -> reviewTask();
            case ENFORCEMENT_ACTIONS -> enforcementAction();
            case REVIEW_LABELS, REVIEW_LABELS_UNMATCHED -> reviewLabel();
            case TRAINING_EXAMPLES -> trainingExample();
            case QUALITY_METRICS -> metricSnapshot();
            case DRIFT_ALERTS -> driftAlert();
            case CONFIG_AUDIT -> configAudit();
            case COMPLIANCE_REPORTS -> complianceReport();
            case DEADLETTER -> deadLetter();
        };
    }

    public static ModelVersion model(String modality, String name, String version) {
        return ModelVersion.newBuilder()
                .setModality(modality)
                .setName(name)
                .setVersion(version)
                .build();
    }

    private static Embedding embedding(String encoder, float... values) {
        List<Float> vector = new java.util.ArrayList<>();
        for (float v : values) {
            vector.add(v);
        }
        return Embedding.newBuilder()
                .setEncoderId(encoder)
                .setEncoderVersion("2024-11")
                .setVector(vector)
                .build();
    }

    public static ContentEvent contentEvent() {
        return ContentEvent.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setSurface("podcast_episode")
                .setLocale("es-MX")
                .setReachEstimate(12_000L)
                .setEventTimeMillis(EVENT_TIME)
                .setPrePublish(true)
                .setText("Episodio 12: ¿quién gana?")
                .setTranscript(Transcript.newBuilder()
                        .setText("bienvenidos al programa")
                        .setAsrModelId("whisper-small")
                        .setAsrModelVersion("3")
                        .build())
                .setImageEmbedding(embedding("clip-vit-b32", 0.1f, -0.2f, 0.3f))
                .setAudioEmbedding(embedding("clap-htsat", 0.5f, 0.25f))
                .setVideoEmbedding(embedding("xclip-base", -1.0f, 1.0f))
                .setAttributes(Map.of("channelId", "ch-9"))
                .build();
    }

    public static UserSignal userSignal() {
        return UserSignal.newBuilder()
                .setUserId("u-1")
                .setAccountAgeDays(3)
                .setPriorStrikes(1)
                .setRecentReports(4)
                .setVerified(true)
                .setUpdatedAtMillis(EVENT_TIME - 60_000)
                .setExtraFeatures(Map.of("followers_log", 3.2))
                .build();
    }

    public static ReviewQueue reviewQueue() {
        return ReviewQueue.newBuilder()
                .setName("harassment-es")
                .setLocales(List.of("es", "es-MX"))
                .setMinSeverity(0.5)
                .setCapacityPerMinute(30)
                .setSlaMillis(3_600_000L)
                .build();
    }

    public static PolicyConfig policyConfig() {
        return PolicyConfig.newBuilder()
                .setPolicyId("harassment")
                .setVersion(7L)
                .setEnabled(true)
                .setSurfaces(List.of("comment", "podcast_episode"))
                .setActionThreshold(0.92)
                .setReviewThreshold(0.6)
                .setEscalationThreshold(0.8)
                .setAutoAction("LIMIT")
                .setFusionStrategy("weighted_logit")
                .setFusionWeights(Map.of("text", 1.2, "transcript", 0.8, "prior_strikes", 0.3))
                .setFusionBias(-0.5)
                .setAuditSampleRateAllow(0.002)
                .setAuditSampleRateAction(0.05)
                .setSeverity(1.5)
                .setPrecisionObligation(0.95)
                .setObligationConfidence(0.9)
                .setReviewQueues(List.of(reviewQueue()))
                .setActiveModels(List.of(model("text", "text-harassment", "3")))
                .setShadowModels(List.of(model("text", "text-harassment", "4-rc1")))
                .setUpdatedBy("alice@trust-safety")
                .setUpdatedAtMillis(EVENT_TIME - 86_400_000L)
                .setChangeNote("TS-142: lower review threshold for es")
                .build();
    }

    public static WindowedUserRisk userRisk() {
        return WindowedUserRisk.newBuilder()
                .setMaxRisk(0.81)
                .setMeanRisk(0.4)
                .setBorderlineCount(2)
                .setItemCount(5)
                .build();
    }

    public static ShadowScore shadowScore() {
        return ShadowScore.newBuilder()
                .setModel(model("text", "text-harassment", "4-rc1"))
                .setScore(0.7)
                .build();
    }

    public static PolicyDecision policyDecision() {
        return PolicyDecision.newBuilder()
                .setPolicyId("harassment")
                .setModalityScores(Map.of("text", 0.71, "transcript", 0.55))
                .setFusedRisk(0.66)
                .setUserRisk(userRisk())
                .setBand("HOLD")
                .setEscalated(true)
                .setActionThreshold(0.92)
                .setReviewThreshold(0.6)
                .setEscalationThreshold(0.8)
                .setTopSignals(List.of(
                        Signal.newBuilder()
                                .setName("text")
                                .setContribution(1.07)
                                .build(),
                        Signal.newBuilder()
                                .setName("prior_strikes")
                                .setContribution(0.3)
                                .build()))
                .setAuditSampled(false)
                .setPropensity(1.0)
                .setShadowScores(List.of(shadowScore()))
                .setScoringProblems(List.of("audio embedding has 3 dimensions, model audio-safety:1.0.0 expects 512"))
                .build();
    }

    /** A sparse text feature vector as the text featurizer would produce it. */
    public static FeatureVector textFeatures() {
        return FeatureVector.newBuilder()
                .setModality("text")
                .setModel(new ModelVersion("text", "text-spam", "1.0.0"))
                .setDimensions(65536)
                .setIndices(List.of(17, 4711, 60000))
                .setValues(List.of(0.5f, 0.7f, 0.5f))
                .build();
    }

    public static RiskDecision riskDecision() {
        return RiskDecision.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setSurface("podcast_episode")
                .setLocale("es-MX")
                .setReachEstimate(12_000L)
                .setEventTimeMillis(EVENT_TIME)
                .setDecidedAtMillis(DECIDED_AT)
                .setPrePublish(true)
                .setLate(true)
                .setPolicies(List.of(policyDecision()))
                .setModelVersions(
                        List.of(model("text", "text-harassment", "3"), model("transcript", "asr-harassment", "1")))
                .setConfigVersions(Map.of("harassment", 7L))
                .setContextFeatures(Map.of("account_age_days", 3.0, "prior_strikes", 1.0))
                .setFeatures(List.of(textFeatures()))
                .build();
    }

    public static PrepublishVerdict prepublishVerdict() {
        return PrepublishVerdict.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setSurface("podcast_episode")
                .setEventTimeMillis(EVENT_TIME)
                .setDecidedAtMillis(DECIDED_AT)
                .setVerdict("HOLD")
                .setPolicies(List.of(PolicyVerdict.newBuilder()
                        .setPolicyId("harassment")
                        .setBand("HOLD")
                        .setAction("HOLD_PREPUBLISH")
                        .setFusedRisk(0.66)
                        .setModalityScores(Map.of("text", 0.71, "transcript", 0.55))
                        .setScoringProblems(
                                List.of("audio embedding has 3 dimensions, model audio-safety:1.0.0 expects 512"))
                        .build()))
                .setModelVersions(List.of(model("text", "text-harassment", "3")))
                .setConfigVersions(Map.of("harassment", 7L))
                .build();
    }

    public static ReviewTask reviewTask() {
        return ReviewTask.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setSurface("podcast_episode")
                .setLocale("es-MX")
                .setReachEstimate(12_000L)
                .setPrePublish(true)
                .setEventTimeMillis(EVENT_TIME)
                .setQueue("harassment-es")
                .setPriority(6_120.0)
                .setReasons(List.of(ReviewReason.newBuilder()
                        .setPolicyId("harassment")
                        .setBand("HOLD")
                        .setReason("THRESHOLD")
                        .setScore(0.66)
                        .setPropensity(1.0)
                        .setConfigVersion(7L)
                        .build()))
                .setPropensity(1.0)
                .setCreatedAtMillis(DECIDED_AT)
                .setDeadlineMillis(DECIDED_AT + 3_600_000L)
                .build();
    }

    public static EnforcementAction enforcementAction() {
        return EnforcementAction.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setPolicyId("harassment")
                .setAction("HOLD_PREPUBLISH")
                .setSurface("podcast_episode")
                .setScore(0.66)
                .setConfigVersion(7L)
                .setModelVersions(List.of(model("text", "text-harassment", "3")))
                .setEventTimeMillis(EVENT_TIME)
                .setDecidedAtMillis(DECIDED_AT)
                .build();
    }

    public static ReviewLabel reviewLabel() {
        return ReviewLabel.newBuilder()
                .setContentId("c-1")
                .setPolicyId("harassment")
                .setViolating(true)
                .setSeverity(0.8)
                .setReviewerId("r-17")
                .setSource("REVIEW")
                .setLabelledAtMillis(DECIDED_AT + 600_000L)
                .setNotes("targeted insult in minute 3")
                .build();
    }

    public static TrainingExample trainingExample() {
        return TrainingExample.newBuilder()
                .setContentId("c-1")
                .setPolicyId("harassment")
                .setUserId("u-1")
                .setSurface("podcast_episode")
                .setLocale("es-MX")
                .setViolating(true)
                .setSeverity(0.8)
                .setLabelSource("ADJUDICATION")
                .setLabelCount(3)
                .setConflicting(true)
                .setPropensity(0.05)
                .setWeight(20.0)
                .setAuditSampled(true)
                .setBand("ACTION")
                .setFusedRisk(0.95)
                .setModalityScores(Map.of("text", 0.97))
                .setContextFeatures(Map.of("account_age_days", 3.0))
                .setFeatures(List.of(textFeatures()))
                .setUserRisk(userRisk())
                .setShadowScores(List.of(shadowScore()))
                .setModelVersions(List.of(model("text", "text-harassment", "3")))
                .setConfigVersion(7L)
                .setLate(true)
                .setEventTimeMillis(EVENT_TIME)
                .setDecidedAtMillis(DECIDED_AT)
                .setLabelledAtMillis(DECIDED_AT + 600_000L)
                .build();
    }

    private static Estimate estimate(double value, double lower, double upper) {
        return Estimate.newBuilder()
                .setValue(value)
                .setLower(lower)
                .setUpper(upper)
                .build();
    }

    public static MetricSnapshot metricSnapshot() {
        return MetricSnapshot.newBuilder()
                .setPolicyId("harassment")
                .setModelVersion("text=text-harassment:3")
                .setModality("fused")
                .setSurface("*")
                .setWindowKind("1h")
                .setWindowStartMillis(EVENT_TIME)
                .setWindowEndMillis(EVENT_TIME + 3_600_000L)
                .setThreshold(0.92)
                .setTruePositives(40.0)
                .setFalsePositives(2.0)
                .setTrueNegatives(1_900.5)
                .setFalseNegatives(60.25)
                .setLabelCount(311L)
                .setEffectiveSampleSize(120.4)
                .setIntervalConfidence(0.95)
                .setPrecision(estimate(0.952, 0.84, 0.99))
                .setRecall(estimate(0.4, 0.3, 0.5))
                .setFalsePositiveRate(estimate(0.001, 0.0002, 0.004))
                .setPrevalence(estimate(0.05, 0.04, 0.06))
                .setExpectedCalibrationError(0.03)
                .setBrierScore(0.04)
                .setHistogram(ScoreHistogram.newBuilder()
                        .setBinEdges(List.of(0.0, 0.5, 1.0))
                        .setPositiveWeights(List.of(60.25, 40.0))
                        .setNegativeWeights(List.of(1_900.5, 2.0))
                        .build())
                .setPrecisionObligation(0.95)
                .setRecommendedThreshold(0.94)
                .setRecommendedPrecision(estimate(0.985, 0.96, 0.995))
                .setRecommendedRecall(estimate(0.35, 0.25, 0.46))
                .setRecommendedActionVolume(812.5)
                .setRecommendedReviewVolume(240.0)
                // every field populated for the round trip; a real snapshot has either a threshold or a note
                .setRecommendationNote("insufficient labels: need ≈ 420 more audited items at this prevalence")
                .setAdditionalAuditedItemsNeeded(420L)
                .setWithheld(
                        Map.of("falsePositiveRate", "0.40 effective labelled items: less than one observation's worth"))
                .build();
    }

    public static DriftAlert driftAlert() {
        return DriftAlert.newBuilder()
                .setPolicyId("harassment")
                .setModelVersion("text=text-harassment:3")
                .setModality("text")
                .setDetector("PSI")
                .setStatistic(0.31)
                .setThreshold(0.25)
                .setSeverity("CRITICAL")
                .setWindowStartMillis(EVENT_TIME)
                .setWindowEndMillis(EVENT_TIME + 3_600_000L)
                .setDetectedAtMillis(EVENT_TIME + 3_600_000L)
                .setDetails(Map.of("referenceId", "text-harassment:3/reference", "sampleSize", "5000"))
                .build();
    }

    public static ConfigAudit configAudit() {
        return ConfigAudit.newBuilder()
                .setPolicyId("harassment")
                .setVersion(8L)
                .setStatus("REJECTED")
                .setReason("thresholds out of order")
                .setViolations(List.of("reviewThreshold 0.95 > actionThreshold 0.92"))
                .setPreviousVersion(7L)
                .setSubmitted(PolicyConfig.newBuilder(policyConfig())
                        .setVersion(8L)
                        .setReviewThreshold(0.95)
                        .build())
                .setJob("detection")
                .setProcessedAtMillis(DECIDED_AT)
                .build();
    }

    public static ComplianceReport complianceReport() {
        long dayStart = EVENT_TIME - EVENT_TIME % 86_400_000L;
        return ComplianceReport.newBuilder()
                .setPolicyId("harassment")
                .setDayStartMillis(dayStart)
                .setDayEndMillis(dayStart + 86_400_000L)
                .setDecisions(12_000L)
                .setActionsAutomated(310L)
                .setActionsAfterReview(95L)
                .setMedianTimeToActionMillis(1_200L)
                .setMedianTimeToAutomatedActionMillis(850L)
                .setMedianTimeToReviewedActionMillis(5_400_000L)
                .setReviewTasks(640L)
                .setLabelledItems(600L)
                .setLabelsBySource(Map.of("REVIEW", 580L, "AUDIT", 40L, "APPEAL", 12L, "ADJUDICATION", 3L))
                .setEstimateItems(598L)
                .setIntervalConfidence(0.95)
                .setPrecision(estimate(0.93, 0.88, 0.96))
                .setRecall(estimate(0.71, 0.52, 0.85))
                .setWithheld(Map.of("precision", "0.40 effective labelled items: less than one observation's worth"))
                .setAppeals(12L)
                .setAppealsOverturned(3L)
                .setAppealOverturnRate(0.25)
                .setGeneratedAtMillis(dayStart + 90_000_000L)
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("content.events")
                .setPartition(3)
                .setOffset(42L)
                .setKey(ByteBuffer.wrap("c-1".getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 7, (byte) 0xff}))
                .setError("Malformed data. Length is negative: -1")
                .setErrorClass("org.apache.avro.AvroRuntimeException")
                .setTimestampMillis(EVENT_TIME)
                .setJob("detection")
                .build();
    }
}
