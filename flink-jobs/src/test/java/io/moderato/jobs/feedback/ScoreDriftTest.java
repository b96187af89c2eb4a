package io.moderato.jobs.feedback;

import static io.moderato.jobs.testing.FeedbackFixtures.HOUR;
import static io.moderato.jobs.testing.FeedbackFixtures.MINUTE;
import static io.moderato.jobs.testing.FeedbackFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.metrics.WeightedScoreHistogram;
import io.moderato.udfs.model.ReferenceHistogram;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Score-distribution drift: pre-aggregation of every decision's scores and PSI / KS against the manifest reference. */
class ScoreDriftTest {

    private static final ReferenceHistograms BUNDLED = new ReferenceHistograms(null);

    /** Scores that reproduce the text-spam reference histogram for spam exactly: one per reference item, mid-bin. */
    static List<Double> referenceLikeScores() {
        ReferenceHistogram reference =
                BUNDLED.reference("text-spam", "1.0.0", "spam").orElseThrow().histogram();
        List<Double> scores = new ArrayList<>();
        for (int bin = 0; bin < reference.counts().length; bin++) {
            double mid = (reference.binEdges()[bin] + reference.binEdges()[bin + 1]) / 2;
            for (int i = 0; i < reference.counts()[bin]; i++) {
                scores.add(mid);
            }
        }
        return scores;
    }

    private static ScoreWindow window(long start, List<Double> scores) {
        ScoreWindow w = ScoreWindow.of("spam", "text", "text-spam", "1.0.0", "1h", start, start + HOUR);
        scores.forEach(w::add);
        return w;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ScoreWindow, DriftAlert> driftHarness(int minItems)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ScoreDriftFunction(BUNDLED, new ScoreDriftFunction.Settings(minItems, 0.2, 0.001, 0.0, 2.0)),
                ScoreWindow::key,
                Types.STRING);
    }

    @Test
    void shouldMapFineBinsOntoTheManifestBinsExactly() {
        ReferenceHistograms.Reference reference =
                BUNDLED.reference("text-spam", "1.0.0", "spam").orElseThrow();
        assertThat(reference.exact()).isTrue();
        assertThat(reference.histogram().counts()).hasSize(20);
        double[] fine = new double[ScoreWindow.BINS];
        fine[WeightedScoreHistogram.binOf(0.05, ScoreWindow.BINS)] = 1; // lands in reference bin 1, not 0
        fine[WeightedScoreHistogram.binOf(0.0499, ScoreWindow.BINS)] = 2;
        fine[WeightedScoreHistogram.binOf(1.0, ScoreWindow.BINS)] = 4;
        double[] grouped = reference.regroup(fine);
        assertThat(grouped[0]).isEqualTo(2);
        assertThat(grouped[1]).isEqualTo(1);
        assertThat(grouped[19]).isEqualTo(4);
        assertThat(BUNDLED.reference("text-spam", "1.0.0", "nudity")).isEmpty();
        assertThat(BUNDLED.reference("no-such-model", "1", "spam")).isEmpty();
    }

    @Test
    void shouldAlertPsiAndKsOnlyForTheWindowWhoseScoresShiftedAndLeaveNoState() throws Exception {
        var harness = driftHarness(100);
        List<Double> shifted = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            shifted.add(0.4 + (i % 20) * 0.01); // everything in the middle, where the reference has almost nothing
        }
        // two partials of the first window (two upstream subtasks), one of the second
        List<Double> like = referenceLikeScores();
        harness.processElement(window(T0, like.subList(0, 300)), T0);
        harness.processElement(window(T0, like.subList(300, like.size())), T0);
        harness.processElement(window(T0 + HOUR, shifted), T0 + HOUR);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(T0 + HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("the reference-like window does not alert")
                .isEmpty();
        harness.processWatermark(T0 + 2 * HOUR - 1);

        List<DriftAlert> alerts = harness.extractOutputValues();
        assertThat(alerts).extracting(DriftAlert::getDetector).containsExactly("PSI", "KS");
        DriftAlert psi = alerts.get(0);
        assertThat(psi.getPolicyId()).isEqualTo("spam");
        assertThat(psi.getModality()).isEqualTo("text");
        assertThat(psi.getModelVersion()).isEqualTo("text-spam:1.0.0");
        assertThat(psi.getThreshold()).isEqualTo(0.2);
        assertThat(psi.getStatistic()).isGreaterThan(0.4);
        assertThat(psi.getSeverity()).isEqualTo("CRITICAL");
        assertThat(psi.getWindowStartMillis()).isEqualTo(T0 + HOUR);
        assertThat(psi.getWindowEndMillis()).isEqualTo(T0 + 2 * HOUR);
        assertThat(psi.getDetectedAtMillis()).isEqualTo(T0 + 2 * HOUR - 1);
        assertThat(psi.getDetails()).containsEntry("items", "600").containsEntry("binsAligned", "true");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }

    /** How long a traffic baseline nobody compares with is kept (processing time). */
    private static final long IDLE = 30 * 24 * HOUR;

    /** 2 h baseline, 1 h windows: the first two windows of each model version are its reference. */
    private static KeyedOneInputStreamOperatorTestHarness<String, ScoreWindow, DriftAlert> trafficHarness()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ScoreDriftFunction(
                        BUNDLED,
                        new ScoreDriftFunction.Settings(
                                100, 0.2, 0.001, 0.0, 2.0, ScoreDriftFunction.Reference.TRAFFIC, 2 * HOUR, IDLE)),
                ScoreWindow::key,
                Types.STRING);
    }

    /** {@code n} scores spread evenly over [from, from + width). */
    private static List<Double> spread(int n, double from, double width) {
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scores.add(from + width * (i + 0.5) / n);
        }
        return scores;
    }

    @Test
    void shouldCompareWithTheModelVersionsOwnFirstWindowsInTrafficMode() throws Exception {
        var harness = trafficHarness();
        // this platform's traffic sits mid-range, far from the manifest's reference: the manifest mode alerts on it
        List<Double> platform = spread(400, 0.3, 0.3);
        harness.processElement(window(T0, spread(150, 0.3, 0.3)), T0); // thin, but still part of the baseline
        harness.processElement(window(T0 + HOUR, platform), T0);
        harness.processElement(window(T0 + 2 * HOUR, platform), T0);
        harness.processElement(window(T0 + 3 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processWatermark(T0 + 3 * HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("two baseline windows, then one like them")
                .isEmpty();
        harness.processWatermark(T0 + 4 * HOUR - 1);
        List<DriftAlert> alerts = harness.extractOutputValues();
        assertThat(alerts).extracting(DriftAlert::getDetector).containsExactly("PSI", "KS");
        assertThat(alerts.get(0).getWindowStartMillis()).isEqualTo(T0 + 3 * HOUR);
        assertThat(alerts.get(0).getDetails())
                .containsEntry("referenceSource", "TRAFFIC")
                .containsEntry("referenceItems", "550")
                .containsEntry("baselineStartMillis", Long.toString(T0))
                .containsEntry("baselineEndMillis", Long.toString(T0 + 2 * HOUR))
                .containsEntry("binsAligned", "true");
        assertThat(harness.numKeyedStateEntries()).as("only the baseline stays").isEqualTo(1);

        // a new model version is a new key: its first windows are its own baseline, whatever they look like
        ScoreWindow next = ScoreWindow.of("spam", "text", "text-spam", "2.0.0", "1h", T0 + 4 * HOUR, T0 + 5 * HOUR);
        spread(400, 0.8, 0.2).forEach(next::add);
        harness.processElement(next, T0);
        harness.processWatermark(T0 + 5 * HOUR - 1);
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.close();
    }

    @Test
    void shouldBuildTheBaselineFromTheEarliestWindowsWhenOneWatermarkClosesSeveral() throws Exception {
        var harness = trafficHarness();
        harness.processElement(window(T0 + 2 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processElement(window(T0 + HOUR, spread(400, 0.3, 0.3)), T0);
        harness.processElement(window(T0, spread(400, 0.3, 0.3)), T0);
        harness.processWatermark(T0 + 3 * HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("the baseline is the first two hours, so the third alerts")
                .extracting(DriftAlert::getWindowStartMillis)
                .containsExactly(T0 + 2 * HOUR, T0 + 2 * HOUR);
        harness.close();
    }

    @Test
    void shouldExtendAThinBaselineUntilItHoldsMinItemsScores() throws Exception {
        var harness = trafficHarness();
        // a quiet start: 30 + 40 scores in the 2 h period, so the third window completes the baseline (min 100)
        harness.processElement(window(T0, spread(30, 0.3, 0.3)), T0);
        harness.processElement(window(T0 + HOUR, spread(40, 0.3, 0.3)), T0);
        harness.processElement(window(T0 + 2 * HOUR, spread(400, 0.3, 0.3)), T0);
        harness.processElement(window(T0 + 3 * HOUR, spread(400, 0.3, 0.3)), T0);
        harness.processElement(window(T0 + 4 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processWatermark(T0 + 5 * HOUR - 1);
        List<DriftAlert> alerts = harness.extractOutputValues();
        assertThat(alerts)
                .as("only the shifted fifth window alerts, against all three baseline windows")
                .extracting(DriftAlert::getWindowStartMillis)
                .containsOnly(T0 + 4 * HOUR);
        assertThat(alerts.get(0).getDetails())
                .containsEntry("referenceItems", "470")
                .containsEntry("baselineEndMillis", Long.toString(T0 + 3 * HOUR));
        harness.close();
    }

    @Test
    void shouldDropABaselineNobodyComparedWithForTheIdlePeriodAndStartANewOne() throws Exception {
        var harness = trafficHarness();
        harness.setStateTtlProcessingTime(0);
        harness.processElement(window(T0, spread(400, 0.3, 0.3)), T0);
        harness.processElement(window(T0 + HOUR, spread(400, 0.3, 0.3)), T0);
        harness.processWatermark(T0 + 2 * HOUR - 1);

        harness.setStateTtlProcessingTime(IDLE - 1); // still there; the comparison reads it, which keeps it
        harness.processElement(window(T0 + 2 * HOUR, spread(400, 0.3, 0.3)), T0);
        harness.processWatermark(T0 + 3 * HOUR - 1);
        harness.setStateTtlProcessingTime(2 * IDLE - 2);
        harness.processElement(window(T0 + 3 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processWatermark(T0 + 4 * HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("a shift from a baseline read within the idle period alerts")
                .hasSize(2);

        harness.setStateTtlProcessingTime(3 * IDLE); // not read for longer than the idle period: expired
        harness.processElement(window(T0 + 4 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processElement(window(T0 + 6 * HOUR, spread(400, 0.8, 0.2)), T0);
        harness.processWatermark(T0 + 7 * HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("the returning version's windows form a new baseline, the next one is like it")
                .hasSize(2);
        harness.close();
    }

    @Test
    void shouldSkipThinWindowsAndDropPartialsOfWindowsAlreadyTested() throws Exception {
        var harness = driftHarness(200);
        List<Double> shifted = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            shifted.add(0.5);
        }
        harness.processElement(window(T0, shifted), T0);
        harness.processWatermark(T0 + HOUR - 1);
        assertThat(harness.extractOutputValues())
                .as("150 scores < 200: not tested")
                .isEmpty();
        harness.processElement(window(T0, shifted), T0 + HOUR);
        assertThat(harness.numKeyedStateEntries())
                .as("a late partial starts no window")
                .isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }

    @Test
    void shouldPreAggregateScoresPerWindowAndFlushOnWatermarkAndBeforeCheckpoints() throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<RiskDecision, ScoreWindow>(
                new DecisionPreAggregator(new long[] {HOUR, 24 * HOUR}));
        harness.open();
        harness.processElement(FeedbackFixtures.spamDecision("a", T0 + MINUTE, "comment", 0.42), T0);
        harness.processElement(FeedbackFixtures.spamDecision("b", T0 + 2 * MINUTE, "comment", 0.97), T0);
        harness.processElement(FeedbackFixtures.spamDecision("c", T0 + HOUR + MINUTE, "comment", 0.97), T0);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(T0 + HOUR - 1);
        List<ScoreWindow> flushed = harness.extractOutputValues();
        assertThat(flushed).hasSize(1);
        assertThat(flushed.get(0).kind).isEqualTo("1h");
        assertThat(flushed.get(0).items).isEqualTo(2);
        assertThat(flushed.get(0).counts[42]).isEqualTo(1);
        assertThat(flushed.get(0).counts[97]).isEqualTo(1);
        assertThat(flushed.get(0).key()).isEqualTo("spam\u0000text\u0000text-spam:1.0.0");

        harness.prepareSnapshotPreBarrier(1);
        assertThat(harness.extractOutputValues())
                .extracting(w -> w.kind + "@" + (w.start - T0) + ":" + w.items)
                .containsExactlyInAnyOrder("1h@0:2", "1h@" + HOUR + ":1", "24h@0:3");

        // a decision behind the watermark only counts for the windows still open
        harness.processElement(FeedbackFixtures.spamDecision("late", T0 + 3 * MINUTE, "comment", 0.1), T0);
        harness.endInput();
        harness.close();
        List<ScoreWindow> all = harness.extractOutputValues();
        assertThat(all.get(all.size() - 1).kind).isEqualTo("24h");
        assertThat(all).hasSize(4);
    }
}
