package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.T0;
import static io.moderato.jobs.testing.DetectionFixtures.policy;
import static io.moderato.jobs.testing.DetectionFixtures.textEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.testing.Harnesses;
import io.moderato.jobs.testing.OperatorMetrics;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TwoInputHarness;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyVerdict;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.Transcript;
import io.moderato.udfs.input.ContentFingerprint;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.FeaturePacking;
import io.moderato.udfs.vector.SparseVector;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ScoringOperator in a two-input harness with the real models bundled in model-artifacts
 * (text-spam 1.0.0, image-safety 1.0.0): when micro-batches flush (full, max wait on the harness's
 * processing-time clock, before a watermark, before a checkpoint barrier, at end of input), what
 * is scored (present modalities only, bad embeddings skipped), model hot swap that keeps the
 * working version, and captured features. Text scores are checked against the trainer's own
 * probabilities (parity sample).
 */
class ScoringOperatorTest {

    private static final long START = 1_000L;
    private static final ModelVersion TEXT_SPAM = new ModelVersion("text", "text-spam", "1.0.0");
    private static final ModelVersion TRANSCRIPT_SPAM = new ModelVersion("transcript", "text-spam", "1.0.0");
    private static final ModelVersion IMAGE_SAFETY = new ModelVersion("image", "image-safety", "1.0.0");

    /** spam scores text and transcript, nudity scores images: three slots, two models. */
    private static final List<PolicyConfig> DEFAULTS = List.of(
            policy("spam", 1)
                    .setActiveModels(List.of(TEXT_SPAM, TRANSCRIPT_SPAM))
                    .build(),
            policy("nudity", 1).setActiveModels(List.of(IMAGE_SAFETY)).build());

    private final List<AutoCloseable> opened = new ArrayList<>();
    private OperatorMetrics metrics;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> harness(
            int maxBatch, long maxWaitMillis, boolean captureFeatures) throws Exception {
        return harness(maxBatch, maxWaitMillis, captureFeatures, null);
    }

    /** Pre-publish events wait as long as the others. */
    private TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> harness(
            int maxBatch, long maxWaitMillis, boolean captureFeatures, OperatorSubtaskState restored) throws Exception {
        return harness(new ScoringOperator.Batching(maxBatch, maxWaitMillis, maxWaitMillis), captureFeatures, restored);
    }

    private TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> harness(
            ScoringOperator.Batching batching, boolean captureFeatures, OperatorSubtaskState restored)
            throws Exception {
        metrics = new OperatorMetrics();
        var harness = new TwoInputHarness<>(
                new ScoringOperator(batching, null, 1, DEFAULTS, captureFeatures),
                Harnesses.environment(1, 0, metrics));
        opened.add(harness);
        harness.setProcessingTime(START);
        harness.initializeState(restored);
        harness.open();
        return harness;
    }

    private static ContentEvent text(String id, String text) {
        return textEvent(id, "u-" + id, text, eventTime(id), false);
    }

    /** Distinct, fixed event times, so the test can see that record timestamps are kept. */
    private static long eventTime(String id) {
        return T0 + Math.floorMod(id.hashCode(), 1000);
    }

    private static ContentEvent withTranscript(ContentEvent event, String transcript) {
        return ContentEvent.newBuilder(event)
                .setTranscript(new Transcript(transcript, "asr", "1"))
                .build();
    }

    private static ContentEvent withImage(ContentEvent event, List<Float> vector) {
        return ContentEvent.newBuilder(event)
                .setImageEmbedding(new Embedding("clip", "1", vector))
                .build();
    }

    private static List<Float> embedding(int dimensions, long seed) {
        Random random = new Random(seed);
        List<Float> vector = new ArrayList<>(dimensions);
        for (int i = 0; i < dimensions; i++) {
            vector.add((float) random.nextGaussian());
        }
        return vector;
    }

    private static void process(TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> h, ContentEvent... events)
            throws Exception {
        for (ContentEvent e : events) {
            h.processElement1(e, e.getEventTimeMillis());
        }
    }

    /** The output in order: content ids for records, "W@t" for watermarks. */
    private static List<String> emitted(TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(((ScoredContent) r.getValue()).getEvent().getContentId());
            } else if (o instanceof Watermark w) {
                out.add("W@" + w.getTimestamp());
            }
        }
        return out;
    }

    private static Map<String, ScoredContent> scored(TwoInputHarness<ContentEvent, PolicyConfig, ScoredContent> h) {
        Map<String, ScoredContent> byId = new TreeMap<>();
        h.extractOutputValues().forEach(s -> byId.put(s.getEvent().getContentId(), s));
        return byId;
    }

    /** "modality/model:version/policy" of each score, shadow ones marked. */
    private static List<String> scoreKeys(ScoredContent s) {
        return s.getScores().stream()
                .map(m -> m.getModality() + "/" + m.getModel() + ":" + m.getVersion() + "/" + m.getPolicyId()
                        + (m.getShadow() ? "/shadow" : ""))
                .sorted()
                .toList();
    }

    private static double spamScore(ScoredContent s, String modality) {
        return s.getScores().stream()
                .filter(m -> m.getModality().equals(modality) && m.getPolicyId().equals("spam") && !m.getShadow())
                .findFirst()
                .orElseThrow()
                .getScore();
    }

    // ------------------------------------------------------------------------------------------ when batches flush

    @Test
    void shouldFlushWhenTheBatchIsFull() throws Exception {
        var h = harness(4, 60_000, false);

        process(h, text("c0", "hello"), text("c1", "win money now"), text("c2", "lunch?"));
        assertThat(emitted(h)).isEmpty();
        process(h, text("c3", "free offer"));
        assertThat(emitted(h)).containsExactly("c0", "c1", "c2", "c3");
        process(h, text("c4", "again"));

        assertThat(emitted(h)).hasSize(4);
        assertThat(h.extractOutputStreamRecords())
                .extracting(StreamRecord::getTimestamp)
                .containsExactly(eventTime("c0"), eventTime("c1"), eventTime("c2"), eventTime("c3"));
        assertThat(metrics.histogram("scoringBatchSize").getCount()).isEqualTo(1);
        assertThat(metrics.histogram("scoringBatchSize").getStatistics().getMax())
                .isEqualTo(4);
        assertThat(metrics.count("eventsScored")).isEqualTo(4);
    }

    @Test
    void shouldFlushWhenTheOldestEventHasWaitedMaxWait() throws Exception {
        var h = harness(64, 10, false);

        process(h, text("c0", "hello"));
        h.setProcessingTime(START + 4);
        process(h, text("c1", "win money now"));
        assertThat(h.getProcessingTimeService().getActiveTimerTimestamps()).containsExactly(START + 10);
        h.setProcessingTime(START + 9);
        assertThat(emitted(h)).isEmpty();
        h.setProcessingTime(START + 10);

        assertThat(emitted(h)).containsExactly("c0", "c1");
        assertThat(scored(h).get("c0").getIngestMillis()).isEqualTo(START);
        assertThat(scored(h).get("c1").getIngestMillis()).isEqualTo(START + 4);
        // one timer per batch (for its oldest event), not one per event
        assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();
    }

    @Test
    void shouldCutTheWaitOfABatchShortWhenAPrePublishEventJoinsIt() throws Exception {
        var h = harness(new ScoringOperator.Batching(64, 10, 2), false, null);

        process(h, text("c0", "hello")); // due at START + 10
        h.setProcessingTime(START + 3);
        process(h, textEvent("p1", "u-p1", "win money now", T0, true)); // due at START + 5
        h.setProcessingTime(START + 4);
        process(h, text("c2", "see you")); // joins the batch, keeps START + 5
        assertThat(emitted(h)).isEmpty();
        h.setProcessingTime(START + 5);

        assertThat(emitted(h)).containsExactly("c0", "p1", "c2");
        assertThat(h.getSideOutput(DetectionState.PREPUBLISH_VERDICTS))
                .singleElement()
                .satisfies(r -> assertThat(r.getValue().getDecidedAtMillis()).isEqualTo(START + 5));
        // the next batch waits the full max-wait again
        process(h, text("c3", "lunch?"));
        h.setProcessingTime(START + 14);
        assertThat(emitted(h)).containsExactly("c0", "p1", "c2");
        h.setProcessingTime(START + 15);
        assertThat(emitted(h)).containsExactly("c0", "p1", "c2", "c3");
    }

    @Test
    void shouldScoreAtOnceWhenAPrePublishEventArrivesAndItsWaitIsZero() throws Exception {
        var h = harness(new ScoringOperator.Batching(64, 10, 0), false, null);

        process(h, text("c0", "hello"));
        assertThat(emitted(h)).isEmpty();
        process(h, textEvent("p1", "u-p1", "win money now", T0, true));

        assertThat(emitted(h)).as("no processing time has passed").containsExactly("c0", "p1");
        assertThat(h.getSideOutput(DetectionState.PREPUBLISH_VERDICTS)).hasSize(1);
    }

    @Test
    void shouldNotCutTheNextBatchShortWithTheTimerOfABatchThatFilledUp() throws Exception {
        var h = harness(2, 10, false);

        process(h, text("c0", "a"), text("c1", "b")); // full at START; its timer (START + 10) stays registered
        h.setProcessingTime(START + 5);
        process(h, text("c2", "c")); // a new batch, due at START + 15
        h.setProcessingTime(START + 10);
        assertThat(emitted(h)).containsExactly("c0", "c1");
        h.setProcessingTime(START + 15);

        assertThat(emitted(h)).containsExactly("c0", "c1", "c2");
    }

    @Test
    void shouldFlushBufferedEventsBeforeForwardingAWatermark() throws Exception {
        var h = harness(64, 60_000, false);
        h.processWatermark2(Long.MAX_VALUE); // the config stream never holds back event time

        process(h, text("c0", "hello"), text("c1", "win money now"));
        h.processWatermark1(T0 + 5_000);

        // nothing may be emitted behind a watermark that would make it late downstream
        assertThat(emitted(h)).containsExactly("c0", "c1", "W@" + (T0 + 5_000));
    }

    @Test
    void shouldFlushBeforeTheCheckpointBarrierSoTheBufferIsEmptyInEverySnapshot() throws Exception {
        var h = harness(64, 60_000, false);

        process(h, text("c0", "hello"), text("c1", "win money now"));
        h.prepareSnapshotPreBarrier(1L);
        assertThat(emitted(h)).containsExactly("c0", "c1");
        h.snapshot(1L, START);

        assertThat(emitted(h)).containsExactly("c0", "c1");
        assertThat(metrics.count("eventsScored")).isEqualTo(2);
    }

    @Test
    void shouldFlushAtEndOfInput() throws Exception {
        var h = harness(64, 60_000, false);

        process(h, text("c0", "hello"), text("c1", "win money now"));
        h.endInput1();

        assertThat(emitted(h)).containsExactly("c0", "c1");
    }

    // ------------------------------------------------------------------------------------------ what is scored

    @Test
    void shouldPassOnTheEventsMetadataButNotTheBodiesItScored() throws Exception {
        var h = harness(64, 60_000, false);
        ContentEvent event = ContentEvent.newBuilder(
                        withImage(withTranscript(text("c0", "win a free prize now"), "call now"), embedding(512, 1)))
                .setAttributes(Map.of("app", "ios"))
                .setPrePublish(true)
                .build();

        process(h, event);
        h.endInput1();

        ContentEvent passed = scored(h).get("c0").getEvent();
        assertThat(scoreKeys(scored(h).get("c0")))
                .contains(
                        "text/text-spam:1.0.0/spam",
                        "transcript/text-spam:1.0.0/spam",
                        "image/image-safety:1.0.0/nudity");
        assertThat(passed)
                .isEqualTo(ContentEvent.newBuilder(event)
                        .setText(null)
                        .setTranscript(null)
                        .setImageEmbedding(null)
                        .build());
        assertThat(passed.getUserId()).isEqualTo("u-c0");
        assertThat(passed.getPrePublish()).isTrue();
        assertThat(passed.getAttributes()).containsEntry("app", "ios");
    }

    @Test
    void shouldScoreOnlyTheModalitiesAnEventHas() throws Exception {
        var h = harness(64, 60_000, false);
        List<Float> image = embedding(512, 1);

        process(
                h,
                text("text-only", "win a free prize now"),
                withTranscript(text("transcript-only", null), "call this number to win"),
                text("blank-text", "   "),
                withImage(text("text-and-image", "nice photo"), image),
                text("nothing", null));
        h.endInput1();

        Map<String, ScoredContent> s = scored(h);
        assertThat(s).hasSize(5);
        assertThat(scoreKeys(s.get("text-only"))).containsExactly("text/text-spam:1.0.0/spam");
        assertThat(scoreKeys(s.get("transcript-only"))).containsExactly("transcript/text-spam:1.0.0/spam");
        assertThat(scoreKeys(s.get("blank-text"))).isEmpty();
        assertThat(scoreKeys(s.get("nothing"))).isEmpty();
        // image-safety has one output per policy it serves
        assertThat(scoreKeys(s.get("text-and-image")))
                .containsExactly(
                        "image/image-safety:1.0.0/nudity",
                        "image/image-safety:1.0.0/violence",
                        "text/text-spam:1.0.0/spam");
        assertThat(s.values())
                .flatMap(ScoredContent::getScores)
                .extracting(ModelScore::getScore)
                .allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
    }

    @Test
    void shouldScoreTextLikeTheTrainerDid() throws Exception {
        var h = harness(64, 60_000, false);
        List<ParitySample.Message> sample = ParitySample.load().subList(0, 40);
        for (int i = 0; i < sample.size(); i++) {
            process(h, text("m" + i, sample.get(i).text()));
        }
        h.endInput1();

        Map<String, ScoredContent> s = scored(h);
        assertThat(s).hasSize(sample.size());
        for (int i = 0; i < sample.size(); i++) {
            assertThat(spamScore(s.get("m" + i), "text"))
                    .as(sample.get(i).id())
                    .isCloseTo(sample.get(i).trainerProbability(), within(1e-3));
        }
    }

    @Test
    void shouldSkipAnEmbeddingOfTheWrongDimensionAndScoreEverythingElse() throws Exception {
        var h = harness(64, 60_000, false);
        List<Float> withNaN = new ArrayList<>(embedding(512, 3));
        withNaN.set(7, Float.NaN);

        process(
                h,
                withImage(text("too-short", "free money"), embedding(100, 2)),
                withImage(text("valid", null), embedding(512, 1)),
                withImage(text("not-finite", null), withNaN));
        h.endInput1();

        Map<String, ScoredContent> s = scored(h);
        assertThat(scoreKeys(s.get("too-short"))).containsExactly("text/text-spam:1.0.0/spam");
        assertThat(scoreKeys(s.get("valid")))
                .containsExactly("image/image-safety:1.0.0/nudity", "image/image-safety:1.0.0/violence");
        assertThat(scoreKeys(s.get("not-finite"))).isEmpty();
        assertThat(metrics.gauge("invalidEmbeddings")).isEqualTo(2L);
        // never a silent gap: the decider learns which modality of which model could not be scored
        assertThat(s.get("too-short").getProblems()).singleElement().satisfies(p -> {
            assertThat(p.getModality()).isEqualTo("image");
            assertThat(p.getModel()).isEqualTo("image-safety");
            assertThat(p.getReason())
                    .isEqualTo("image embedding has 100 dimensions, model image-safety:1.0.0 expects 512");
        });
        assertThat(s.get("not-finite").getProblems())
                .extracting(p -> p.getReason())
                .containsExactly("image embedding has NaN or infinite values");
        assertThat(s.get("valid").getProblems()).isEmpty();
    }

    @Test
    void shouldReportAModalityWhoseModelIsNotLoadedOnEveryItemThatCarriesIt() throws Exception {
        // a restored config whose model no longer loads (here: a version that never existed), nothing to fall back to
        PolicyConfig unloadable = policy("nudity", 2)
                .setActiveModels(List.of(new ModelVersion("image", "image-safety", "9.9.9")))
                .build();
        var before = harness(64, 60_000, false);
        before.processElement2(unloadable, T0); // the scorer keeps the working 1.0.0 and checkpoints the config
        before.prepareSnapshotPreBarrier(1L);
        OperatorSubtaskState snapshot = before.snapshot(1L, START);

        var after = harness(64, 60_000, false, snapshot);
        process(after, withImage(text("with-image", "hello"), embedding(512, 1)), text("text-only", "hello"));
        after.endInput1();

        Map<String, ScoredContent> s = scored(after);
        assertThat(s.get("with-image").getProblems()).singleElement().satisfies(p -> {
            assertThat(p.getModality()).isEqualTo("image");
            assertThat(p.getModel()).isEqualTo("image-safety");
            assertThat(p.getReason()).startsWith("model image-safety:9.9.9 is not loaded");
        });
        assertThat(s.get("text-only").getProblems())
                .as("no image: nothing left unscored")
                .isEmpty();
        assertThat(metrics.gauge("modelsNotLoaded")).isEqualTo(1);
        assertThat(metrics.count("modelLoadFailures")).isEqualTo(1);
    }

    @Test
    void shouldFingerprintWhatItScoredSoThatTheDeciderCanTellDuplicatesFromEdits() throws Exception {
        var h = harness(64, 60_000, false);
        ContentEvent original = text("c1", "win a free prize");
        process(
                h,
                original,
                ContentEvent.newBuilder(original).setEventTimeMillis(T0 + 5_000).build());
        h.endInput1();
        List<Long> hashes = new ArrayList<>();
        h.extractOutputValues().forEach(o -> hashes.add(o.getContentHash()));
        assertThat(hashes).hasSize(2);
        assertThat(hashes.get(1)).as("re-stamped, same content").isEqualTo(hashes.get(0));
        assertThat(hashes.get(0)).isNotEqualTo(ContentFingerprint.of(text("c1", "win a free prize!")));
    }

    // ------------------------------------------------------------------------------------------ pre-publish verdicts

    /**
     * Each pre-publish item gets its verdict on the side output as soon as its batch is scored, before any
     * watermark or checkpoint; a published item gets none. Bands come from the trainer's own probability
     * against the policy's thresholds (max fusion, review 0.5, action 0.9), never from the code under test.
     */
    @Test
    void shouldEmitAVerdictForEveryPrePublishItemAsSoonAsItsBatchIsScored() throws Exception {
        var h = harness(64, 10, false);
        ParitySample.Message ham = ParitySample.between(0.0, 0.4).get(0);
        ParitySample.Message borderline = ParitySample.between(0.55, 0.85).get(0);
        ParitySample.Message spam = ParitySample.between(0.95, 1.01).get(0);

        process(
                h,
                textEvent("p-ham", "u1", ham.text(), T0, true),
                textEvent("p-mid", "u2", borderline.text(), T0, true),
                textEvent("p-spam", "u3", spam.text(), T0, true),
                textEvent("published", "u4", spam.text(), T0, false));
        assertThat(h.getSideOutput(DetectionState.PREPUBLISH_VERDICTS))
                .as("nothing before the batch is scored")
                .isNull();
        h.setProcessingTime(START + 10);

        Map<String, PrepublishVerdict> verdicts = new TreeMap<>();
        for (StreamRecord<PrepublishVerdict> r : h.getSideOutput(DetectionState.PREPUBLISH_VERDICTS)) {
            verdicts.put(r.getValue().getContentId(), r.getValue());
            assertThat(r.getTimestamp()).isEqualTo(T0);
        }
        assertThat(verdicts).containsOnlyKeys("p-ham", "p-mid", "p-spam");
        assertThat(verdicts.get("p-ham").getVerdict()).isEqualTo("ALLOW");
        assertThat(verdicts.get("p-mid").getVerdict()).isEqualTo("HOLD");
        assertThat(verdicts.get("p-spam").getVerdict()).isEqualTo("BLOCK");
        PrepublishVerdict blocked = verdicts.get("p-spam");
        // the text-only item: spam applies, nudity (images) has nothing to decide on
        assertThat(blocked.getPolicies()).extracting(PolicyVerdict::getPolicyId).containsExactly("spam");
        assertThat(blocked.getPolicies().get(0).getFusedRisk()).isCloseTo(spam.trainerProbability(), within(1e-4));
        assertThat(blocked.getPolicies().get(0).getAction()).isEqualTo("BLOCK_PREPUBLISH");
        assertThat(blocked.getModelVersions()).containsExactly(TEXT_SPAM);
        assertThat(blocked.getConfigVersions()).containsExactly(Map.entry("spam", 1L));
        assertThat(blocked.getDecidedAtMillis()).isEqualTo(START + 10);
        assertThat(blocked.getUserId()).isEqualTo("u3");
    }

    /** The verdict follows the config in force when the item is scored, and records its version. */
    @Test
    void shouldDecideTheVerdictUnderTheConfigInForceWhenScored() throws Exception {
        var h = harness(1, 10, false);
        ParitySample.Message borderline = ParitySample.between(0.55, 0.85).get(0);
        process(h, textEvent("before", "u1", borderline.text(), T0, true));
        h.processElement2(
                policy("spam", 2)
                        .setActiveModels(List.of(TEXT_SPAM, TRANSCRIPT_SPAM))
                        .setReviewThreshold(0.95)
                        .setActionThreshold(0.99)
                        .build(),
                T0);
        process(h, textEvent("after", "u1", borderline.text(), T0 + 1, true));

        List<PrepublishVerdict> verdicts = h.getSideOutput(DetectionState.PREPUBLISH_VERDICTS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(verdicts).extracting(PrepublishVerdict::getContentId).containsExactly("before", "after");
        assertThat(verdicts.get(0).getVerdict()).isEqualTo("HOLD");
        assertThat(verdicts.get(0).getConfigVersions()).containsEntry("spam", 1L);
        assertThat(verdicts.get(1).getVerdict()).isEqualTo("ALLOW");
        assertThat(verdicts.get(1).getConfigVersions()).containsEntry("spam", 2L);
    }

    // ------------------------------------------------------------------------------------------ models from config

    @Test
    void shouldKeepTheWorkingModelWhenAConfigNamesAVersionThatDoesNotExist() throws Exception {
        var h = harness(64, 60_000, false);
        PolicyConfig missing = policy("spam", 2)
                .setActiveModels(List.of(new ModelVersion("text", "text-spam", "9.9.9"), TRANSCRIPT_SPAM))
                .build();

        h.processElement2(missing, T0);
        process(h, text("after", "win a free prize now"));
        h.endInput1();

        assertThat(metrics.count("modelLoadFailures")).isEqualTo(1);
        assertThat(h.getOperator())
                .isInstanceOfSatisfying(
                        ScoringOperator.class,
                        op -> assertThat(op.modelsInUse())
                                .containsEntry(new ContentScorer.Slot("text", "text-spam", false), "1.0.0"));
        assertThat(scoreKeys(scored(h).get("after"))).containsExactly("text/text-spam:1.0.0/spam");

        h.processElement2(
                policy("spam", 3)
                        .setActiveModels(List.of(TEXT_SPAM, TRANSCRIPT_SPAM))
                        .build(),
                T0);
        assertThat(metrics.count("modelLoadFailures")).isEqualTo(1);
    }

    @Test
    void shouldScoreBufferedEventsWithTheModelsTheyArrivedUnderBeforeSwapping() throws Exception {
        var h = harness(64, 60_000, false);
        PolicyConfig textOnly =
                policy("spam", 2).setActiveModels(List.of(TEXT_SPAM)).build();

        process(h, withTranscript(text("before", "win money"), "call now"));
        h.processElement2(textOnly, T0);
        assertThat(emitted(h)).containsExactly("before");
        process(h, withTranscript(text("after", "win money"), "call now"));
        h.processElement2(textOnly, T0); // stale resubmission: no flush, no swap
        assertThat(emitted(h)).containsExactly("before");
        h.endInput1();

        Map<String, ScoredContent> s = scored(h);
        assertThat(scoreKeys(s.get("before")))
                .containsExactly("text/text-spam:1.0.0/spam", "transcript/text-spam:1.0.0/spam");
        assertThat(scoreKeys(s.get("after"))).containsExactly("text/text-spam:1.0.0/spam");
        assertThat(metrics.count("modelLoadFailures")).isZero();
    }

    @Test
    void shouldScoreWithTheAcceptedConfigsAfterARestore() throws Exception {
        var before = harness(64, 60_000, false);
        before.processElement2(
                policy("spam", 2).setActiveModels(List.of(TRANSCRIPT_SPAM)).build(), T0);
        before.prepareSnapshotPreBarrier(1L);
        OperatorSubtaskState snapshot = before.snapshot(1L, START);

        var after = harness(64, 60_000, false, snapshot);
        process(after, withTranscript(text("c0", "win money"), "call now"));
        after.endInput1();

        // the defaults would score the text too; the restored v2 scores only the transcript
        assertThat(scoreKeys(scored(after).get("c0"))).containsExactly("transcript/text-spam:1.0.0/spam");
        assertThat(((ScoringOperator) after.getOperator()).modelsInUse())
                .containsOnlyKeys(
                        new ContentScorer.Slot("transcript", "text-spam", false),
                        new ContentScorer.Slot("image", "image-safety", false));
    }

    // ------------------------------------------------------------------------------------------ features

    @Test
    void shouldCaptureTheInputsOfActiveModelsButNotOfShadowModels() throws Exception {
        var h = harness(64, 60_000, true);
        h.processElement2(
                policy("spam", 2)
                        .setActiveModels(List.of(TEXT_SPAM, TRANSCRIPT_SPAM))
                        .setShadowModels(List.of(TEXT_SPAM))
                        .build(),
                T0);
        List<Float> image = embedding(512, 1);
        String message = "Win a FREE prize now!!! Visit http://example.com";

        process(h, withImage(withTranscript(text("c0", message), "call now"), image));
        h.endInput1();

        ScoredContent s = scored(h).get("c0");
        assertThat(scoreKeys(s)).contains("text/text-spam:1.0.0/spam", "text/text-spam:1.0.0/spam/shadow");
        assertThat(s.getFeatures())
                .extracting(f -> f.getModality() + "/" + f.getModel().getName())
                .containsExactlyInAnyOrder("text/text-spam", "transcript/text-spam", "image/image-safety");

        FeatureVector text = FeaturePacking.unpack(s.getFeatures().stream()
                .filter(f -> f.getModality().equals("text"))
                .findFirst()
                .orElseThrow());
        SparseVector expected = featurizer("text-spam", "1.0.0").featurize(message);
        assertThat(text.getModel()).isEqualTo(TEXT_SPAM);
        assertThat(text.getDimensions()).isEqualTo(65_536);
        assertThat(text.getIndices())
                .isNotEmpty()
                .containsExactlyElementsOf(
                        Arrays.stream(expected.indices()).boxed().toList());
        List<Float> expectedValues = new ArrayList<>();
        for (float v : expected.values()) {
            expectedValues.add(v);
        }
        assertThat(text.getValues()).containsExactlyElementsOf(expectedValues);

        FeatureVector dense = FeaturePacking.unpack(s.getFeatures().stream()
                .filter(f -> f.getModality().equals("image"))
                .findFirst()
                .orElseThrow());
        assertThat(dense.getModel()).isEqualTo(IMAGE_SAFETY);
        assertThat(dense.getDimensions()).isEqualTo(512);
        assertThat(dense.getIndices()).isEmpty();
        assertThat(dense.getValues()).containsExactlyElementsOf(image);
    }

    @Test
    void shouldCaptureNothingWhenCaptureIsOff() throws Exception {
        var h = harness(64, 60_000, false);

        process(h, withImage(text("c0", "win money"), embedding(512, 1)));
        h.endInput1();

        assertThat(scored(h).get("c0").getScores()).isNotEmpty();
        assertThat(scored(h).get("c0").getFeatures()).isEmpty();
    }

    private static TextFeaturizer featurizer(String name, String version) throws Exception {
        String resource = "models/" + name + "/" + version + "/manifest.json";
        try (InputStream in = ScoringOperatorTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new TextFeaturizer(ModelManifest.read(in, resource).featurizer());
        }
    }
}
