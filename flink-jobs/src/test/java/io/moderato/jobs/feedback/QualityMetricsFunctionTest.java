package io.moderato.jobs.feedback;

import static io.moderato.jobs.testing.FeedbackFixtures.HOUR;
import static io.moderato.jobs.testing.FeedbackFixtures.MINUTE;
import static io.moderato.jobs.testing.FeedbackFixtures.SPAM;
import static io.moderato.jobs.testing.FeedbackFixtures.SPAM_MODELS;
import static io.moderato.jobs.testing.FeedbackFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QualityMetricsFunctionTest {

    private static final long GRACE = 30 * MINUTE;
    private KeyedBroadcastOperatorTestHarness<String, LabelledItem, PolicyConfig, MetricSnapshot> harness;

    private void start(long... windowSizes) throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new QualityMetricsFunction(
                        List.of(FeedbackFixtures.spamConfig(1, 0.5, 0.9)),
                        new QualityMetricsFunction.Settings(
                                windowSizes,
                                GRACE,
                                0.95,
                                3,
                                new QualityMetricsFunction.LabelDrift(0.002, 0.02, 50.0, 2.0))),
                LabelledItem::key,
                Types.STRING,
                FeedbackState.POLICY_CONFIGS);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** An item's first review-sample verdict: predicted positive iff score ≥ 0.9. */
    static LabelledItem verdict(String surface, long eventTime, double score, boolean violating, double weight) {
        LabelledItem item = new LabelledItem();
        item.policyId = SPAM;
        item.modelVersion = SPAM_MODELS;
        item.surface = surface;
        item.eventTimeMillis = eventTime;
        item.labelledAtMillis = eventTime + 10 * MINUTE;
        item.score = score;
        item.predictedPositive = score >= 0.9;
        item.actionThreshold = 0.9;
        item.weight = weight;
        item.configVersion = 1;
        item.hasCurrent = true;
        item.currentViolating = violating;
        return item;
    }

    /** The same verdict on an item that reached review as a random audit sample. */
    static LabelledItem audited(LabelledItem item) {
        item.auditSampled = true;
        return item;
    }

    static LabelledItem change(LabelledItem first, boolean violating) {
        LabelledItem item = first.withSurface(first.surface);
        item.hadPrevious = true;
        item.previousViolating = first.currentViolating;
        item.currentViolating = violating;
        item.labelledAtMillis = first.labelledAtMillis + MINUTE;
        return item;
    }

    private List<MetricSnapshot> snapshots() {
        return harness.extractOutputValues();
    }

    @Test
    void shouldEmitEachWindowOnlyAfterTheLabelGraceWithWeightedCounts() throws Exception {
        start(HOUR);
        harness.processElement(verdict("comment", T0 + 5 * MINUTE, 0.95, true, 2.0), T0); // TP w2
        harness.processElement(verdict("comment", T0 + 6 * MINUTE, 0.92, false, 2.0), T0); // FP w2
        harness.processElement(verdict("comment", T0 + 7 * MINUTE, 0.6, true, 1.0), T0); // FN w1
        harness.processElement(verdict("comment", T0 + 8 * MINUTE, 0.1, false, 10.0), T0); // TN w10
        harness.processElement(verdict("comment", T0 + HOUR + MINUTE, 0.1, false, 10.0), T0); // next window

        harness.watermark(T0 + HOUR + GRACE - 2);
        assertThat(snapshots()).isEmpty();
        harness.watermark(T0 + HOUR + GRACE - 1);

        List<MetricSnapshot> out = snapshots();
        assertThat(out).extracting(MetricSnapshot::getWindowKind).containsExactly("1h", "cumulative");
        MetricSnapshot hour = out.get(0);
        assertThat(hour.getPolicyId()).isEqualTo(SPAM);
        assertThat(hour.getModelVersion()).isEqualTo(SPAM_MODELS);
        assertThat(hour.getSurface()).isEqualTo("comment");
        assertThat(hour.getModality()).isEqualTo("fused");
        assertThat(hour.getWindowStartMillis()).isEqualTo(T0);
        assertThat(hour.getWindowEndMillis()).isEqualTo(T0 + HOUR);
        assertThat(hour.getThreshold()).isEqualTo(0.9);
        assertThat(hour.getTruePositives()).isEqualTo(2.0);
        assertThat(hour.getFalsePositives()).isEqualTo(2.0);
        assertThat(hour.getFalseNegatives()).isEqualTo(1.0);
        assertThat(hour.getTrueNegatives()).isEqualTo(10.0);
        assertThat(hour.getLabelCount()).isEqualTo(4);
        assertThat(hour.getPrecision().getValue()).isEqualTo(0.5);
        assertThat(hour.getPrecision().getLower()).isLessThan(0.5);
        assertThat(hour.getPrecision().getUpper()).isGreaterThan(0.5);
        assertThat(hour.getFalsePositiveRate().getValue()).isCloseTo(2.0 / 12.0, within(1e-12));
        assertThat(hour.getPrevalence().getValue()).isCloseTo(3.0 / 15.0, within(1e-12));
        assertThat(hour.getRecall())
                .as("one labelled false negative is too thin for recall")
                .isNull();
        assertThat(hour.getBrierScore()).isNotNull();
        assertThat(hour.getHistogram().getBinEdges()).hasSize(101);
        assertThat(hour.getHistogram().getPositiveWeights().get(95)).isEqualTo(2.0);
        assertThat(hour.getHistogram().getNegativeWeights().get(10)).isEqualTo(10.0);
        assertThat(hour.getPrecisionObligation()).isEqualTo(0.95);
        assertThat(out.get(1).getTruePositives()).isEqualTo(2.0);
        assertThat(out.get(1).getWindowStartMillis()).isEqualTo(T0);

        // the second window is still open; one 1h window and the cumulative accumulator remain
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.watermark(T0 + 2 * HOUR + GRACE - 1);
        assertThat(snapshots()).hasSize(4);
        MetricSnapshot cumulative = snapshots().get(3);
        assertThat(cumulative.getWindowKind()).isEqualTo("cumulative");
        assertThat(cumulative.getTrueNegatives()).isEqualTo(20.0);
        assertThat(cumulative.getLabelCount()).isEqualTo(5);
        assertThat(cumulative.getWindowEndMillis()).isEqualTo(T0 + 2 * HOUR);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldKeepOnlyTheLatestVerdictOfAnItem() throws Exception {
        start(HOUR);
        LabelledItem first = verdict("comment", T0 + MINUTE, 0.95, true, 2.0);
        harness.processElement(first, T0);
        harness.processElement(change(first, false), T0);
        harness.watermark(T0 + HOUR + GRACE);

        MetricSnapshot hour = snapshots().get(0);
        assertThat(hour.getLabelCount()).isEqualTo(1);
        assertThat(hour.getTruePositives()).isZero();
        assertThat(hour.getFalsePositives()).isEqualTo(2.0);
        assertThat(hour.getPrecision().getValue()).isZero();
        assertThat(hour.getHistogram().getPositiveWeights().get(95)).isZero();
        assertThat(hour.getHistogram().getNegativeWeights().get(95)).isEqualTo(2.0);
    }

    @Test
    void shouldCountLabelsAfterTheirWindowClosedInTheCumulativeSnapshotOnly() throws Exception {
        start(HOUR, 24 * HOUR);
        harness.processElement(verdict("*", T0 + MINUTE, 0.95, true, 1.0), T0);
        harness.watermark(T0 + HOUR + GRACE);
        assertThat(snapshots()).extracting(MetricSnapshot::getWindowKind).containsExactly("1h", "cumulative");

        // a label for a decision of the first hour, after that hour's snapshot: the day is still open
        harness.processElement(verdict("*", T0 + 2 * MINUTE, 0.92, false, 1.0), T0 + HOUR + GRACE);
        harness.processElement(verdict("*", T0 + 2 * HOUR, 0.1, false, 10.0), T0 + HOUR + GRACE);
        harness.watermark(T0 + 3 * HOUR + GRACE);
        List<MetricSnapshot> out = snapshots();
        assertThat(out)
                .extracting(MetricSnapshot::getWindowKind)
                .containsExactly("1h", "cumulative", "1h", "cumulative");
        assertThat(out.get(3).getLabelCount()).isEqualTo(3);
        assertThat(out.get(3).getFalsePositives()).isEqualTo(1.0);

        harness.watermark(T0 + 24 * HOUR + GRACE);
        MetricSnapshot day = snapshots().get(4);
        assertThat(day.getWindowKind()).isEqualTo("24h");
        assertThat(day.getLabelCount()).isEqualTo(3);
        assertThat(day.getWindowEndMillis() - day.getWindowStartMillis()).isEqualTo(24 * HOUR);
    }

    @Test
    void shouldRecommendTheLowestThresholdWhosePrecisionBoundMeetsTheObligation() throws Exception {
        start(HOUR);
        // scores 0.5..0.69 are 50% violating, scores >= 0.7 always violating
        for (int i = 0; i < 200; i++) {
            double score = i < 100 ? 0.5 + (i % 20) * 0.01 : 0.7 + (i % 30) * 0.01;
            boolean violating = i >= 100 || i % 2 == 0;
            harness.processElement(verdict("*", T0 + i * 10_000L, score, violating, 1.0), T0);
        }
        harness.watermark(T0 + HOUR + GRACE);
        MetricSnapshot hour = snapshots().get(0);
        assertThat(hour.getRecommendedThreshold()).isEqualTo(0.7);
        assertThat(hour.getRecommendedPrecision().getValue()).isEqualTo(1.0);
        assertThat(hour.getRecommendedActionVolume()).isEqualTo(100.0);
        // the config's review threshold is 0.5: everything between it and 0.7 would be reviewed
        assertThat(hour.getRecommendedReviewVolume()).isEqualTo(100.0);
        assertThat(hour.getRecommendationNote()).isNull();
        // 50 missed positives below 0.9, but all routed (weight 1): none audited, so recall says nothing
        // about the misses nobody reviews, and is withheld with the reason
        assertThat(hour.getRecall()).isNull();
        assertThat(hour.getWithheld()).containsKey("recall");
        assertThat(hour.getWithheld().get("recall")).startsWith("only 0 audited misses");
    }

    @Test
    void shouldPublishRecallOnlyWithEnoughAuditedMissesAndSayWhyNot() throws Exception {
        start(HOUR);
        for (int i = 0; i < 20; i++) {
            harness.processElement(verdict("*", T0 + i * MINUTE, 0.95, true, 1.0), T0); // TP, reviewed
            harness.processElement(verdict("*", T0 + i * MINUTE, 0.7, true, 1.0), T0); // FN, routed
        }
        for (int i = 0; i < 2; i++) {
            harness.processElement(audited(verdict("*", T0 + 30 * MINUTE + i, 0.2, true, 50.0)), T0); // audited misses
        }
        harness.processElement(verdict("*", T0 + 2 * HOUR, 0.2, true, 50.0), T0); // next hour: routed, not an audit
        for (int i = 0; i < 3; i++) {
            harness.processElement(audited(verdict("*", T0 + 2 * HOUR + i, 0.2, true, 50.0)), T0);
        }
        harness.processElement(verdict("*", T0 + 2 * HOUR + MINUTE, 0.95, true, 1.0), T0);
        harness.watermark(T0 + 3 * HOUR + GRACE);
        List<MetricSnapshot> out =
                snapshots().stream().filter(s -> s.getWindowKind().equals("1h")).toList();

        assertThat(out.get(0).getRecall()).isNull();
        assertThat(out.get(0).getWithheld().get("recall")).startsWith("only 2 audited misses");
        assertThat(out.get(0).getPrecision()).as("precision is not guarded").isNotNull();
        assertThat(out.get(0).getWithheld()).doesNotContainKey("precision");
        // 1 caught of weight 1; misses: 1 routed + 3 audited, weight 50 each
        assertThat(out.get(1).getWithheld()).doesNotContainKey("recall");
        assertThat(out.get(1).getRecall().getValue()).isCloseTo(1.0 / 201.0, within(1e-12));
    }

    @Test
    void shouldReportTheLiveActionThresholdAndObligationOfTheBroadcastConfig() throws Exception {
        start(HOUR);
        harness.processBroadcastElement(
                PolicyConfig.newBuilder(FeedbackFixtures.spamConfig(2, 0.5, 0.8))
                        .setPrecisionObligation(0.9)
                        .build(),
                T0);
        harness.processElement(verdict("*", T0 + MINUTE, 0.95, true, 1.0), T0);
        harness.watermark(T0 + HOUR + GRACE);
        assertThat(snapshots().get(0).getThreshold()).isEqualTo(0.8);
        assertThat(snapshots().get(0).getPrecisionObligation()).isEqualTo(0.9);
    }

    @Test
    void shouldAlertWhenTheErrorRateOfLabelledItemsJumpsAndResetOnANewConfigVersion() throws Exception {
        start(HOUR);
        java.util.Random random = new java.util.Random(7);
        // 600 items with 5% errors, then errors at 60%
        for (int i = 0; i < 1200; i++) {
            double errorRate = i < 600 ? 0.05 : 0.6;
            boolean violating = random.nextDouble() < errorRate; // score 0.1: predicted negative, so error = violating
            harness.processElement(verdict("*", T0 + i * 1_000L, 0.1, violating, 10.0), T0);
        }
        List<DriftAlert> alerts = harness.getSideOutput(FeedbackState.LABEL_DRIFT_ALERTS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(alerts).extracting(DriftAlert::getDetector).contains("ADWIN", "PAGE_HINKLEY");
        DriftAlert first = alerts.get(0);
        assertThat(first.getDetails()).containsEntry("configVersion", "1");
        assertThat(first.getModality()).isEqualTo("fused");
        assertThat(first.getModelVersion()).isEqualTo(SPAM_MODELS);
        assertThat(first.getStatistic()).isGreaterThan(first.getThreshold());
        assertThat(first.getWindowStartMillis()).isEqualTo(T0);
        assertThat(first.getDetectedAtMillis()).isGreaterThan(T0 + 600 * 1_000L);
        assertThat(alerts)
                .allMatch(a -> a.getDetails().get("stream").equals("error")
                        || a.getDetails().get("stream").equals("positive"));

        // a new config version starts the detectors afresh: the first items after it cannot alarm
        int before = alerts.size();
        for (int i = 0; i < 25; i++) {
            LabelledItem item = verdict("*", T0 + 2 * HOUR + i, 0.1, true, 10.0);
            item.configVersion = 2;
            harness.processElement(item, T0);
        }
        assertThat(harness.getSideOutput(FeedbackState.LABEL_DRIFT_ALERTS)).hasSize(before);
    }

    @Test
    void shouldRunLabelDetectorsOnlyOnTheAllSurfacesKey() throws Exception {
        start(HOUR);
        for (int i = 0; i < 1200; i++) {
            harness.processElement(verdict("comment", T0 + i * 1_000L, 0.1, i >= 600, 10.0), T0);
        }
        assertThat(harness.getSideOutput(FeedbackState.LABEL_DRIFT_ALERTS)).isNull();
    }
}
