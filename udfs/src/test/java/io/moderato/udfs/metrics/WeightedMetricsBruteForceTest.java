package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.testing.FlinkPojoState;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.junit.jupiter.api.Test;

/**
 * Every metric of {@link WeightedConfusion} and {@link WeightedScoreHistogram} against a direct
 * computation that loops over the items, on a small hand-checked stream and a seeded random one.
 */
class WeightedMetricsBruteForceTest {

    private static final double CONFIDENCE = 0.95;
    private static final double TOLERANCE = 1e-9;

    /** A labelled item; here every item of weight above 1 is taken to be an audit sample. */
    private record Item(double score, boolean positive, double weight) {
        boolean audited() {
            return weight > 1;
        }
    }

    /** Weights as review sampling makes them: 1 for routed items, 2 to 50 for audit samples. */
    private static final List<Item> HAND_STREAM = List.of(
            new Item(0.05, false, 50),
            new Item(0.12, true, 50),
            new Item(0.12, false, 1),
            new Item(0.30, false, 2),
            new Item(0.35, true, 1),
            new Item(0.50, false, 1),
            new Item(0.50, true, 1.5),
            new Item(0.62, true, 1),
            new Item(0.71, false, 4),
            new Item(0.80, true, 10),
            new Item(0.88, false, 10),
            new Item(0.93, true, 10),
            new Item(0.99, true, 1),
            new Item(1.00, true, 10));

    private static List<Item> randomStream(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = {1, 2.5, 20, 50};
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = random.nextDouble() < 0.3;
            double score = positive ? Math.sqrt(random.nextDouble()) : random.nextDouble() * random.nextDouble();
            // Snap some scores exactly onto bin edges, where off-by-one binning would show.
            if (random.nextInt(5) == 0) {
                score = random.nextInt(101) / 100.0;
            }
            items.add(new Item(score, positive, weights[random.nextInt(weights.length)]));
        }
        return items;
    }

    // ---- brute force ------------------------------------------------------------------------

    /** The weighted proportion of successes among {@code members}, computed item by item. */
    private static ProportionEstimate bruteProportion(List<Item> members, Predicate<Item> success) {
        double sumW = 0;
        double sumWSuccess = 0;
        double sumW2 = 0;
        for (Item i : members) {
            sumW += i.weight();
            sumW2 += i.weight() * i.weight();
            if (success.test(i)) {
                sumWSuccess += i.weight();
            }
        }
        if (sumW == 0) {
            return ProportionEstimate.undefined();
        }
        double p = sumWSuccess / sumW;
        double spread = 0;
        for (Item i : members) {
            double y = success.test(i) ? 1 : 0;
            spread += i.weight() * i.weight() * (y - p) * (y - p);
        }
        double kish = sumW * sumW / sumW2;
        double linearised = (p > 0 && p < 1) ? p * (1 - p) * sumW * sumW / spread : kish;
        double nEff = Math.min(Math.min(kish, linearised), members.size());
        if (nEff < 1) {
            return ProportionEstimate.withheld("less than one effective item");
        }
        // Clopper–Pearson on x = p·n_eff successes of n_eff trials, straight from the Beta quantiles
        double x = p * nEff;
        double lower = x == 0 ? 0 : new BetaDistribution(x, nEff - x + 1).inverseCumulativeProbability(0.025);
        double upper = x == nEff ? 1 : new BetaDistribution(x + 1, nEff - x).inverseCumulativeProbability(0.975);
        return new ProportionEstimate(p, Math.min(lower, p), Math.max(upper, p), nEff);
    }

    private static List<Item> where(List<Item> items, Predicate<Item> keep) {
        return items.stream().filter(keep).toList();
    }

    private static double sum(List<Item> items, ToDoubleFunction<Item> f) {
        return items.stream().mapToDouble(f).sum();
    }

    private static void assertEstimate(ProportionEstimate actual, ProportionEstimate expected, String what) {
        if (!expected.isDefined()) {
            assertThat(actual.isDefined()).as(what + " undefined").isFalse();
            return;
        }
        assertThat(actual.value()).as(what + " value").isCloseTo(expected.value(), within(TOLERANCE));
        assertThat(actual.lower()).as(what + " lower").isCloseTo(expected.lower(), within(TOLERANCE));
        assertThat(actual.upper()).as(what + " upper").isCloseTo(expected.upper(), within(TOLERANCE));
        assertThat(actual.effectiveSampleSize())
                .as(what + " n_eff")
                .isCloseTo(expected.effectiveSampleSize(), within(1e-7 * Math.max(1, expected.effectiveSampleSize())));
    }

    /** Compares every metric of {@code c} with the brute force at threshold {@code t}. */
    private static void assertMatchesBruteForce(WeightedConfusion c, List<Item> items, double t) {
        String at = " at t=" + t;
        assertThat(c.getTruePositiveWeight())
                .as("TP" + at)
                .isCloseTo(sum(where(items, i -> i.score() >= t && i.positive()), Item::weight), within(TOLERANCE));
        assertThat(c.getFalsePositiveWeight())
                .as("FP" + at)
                .isCloseTo(sum(where(items, i -> i.score() >= t && !i.positive()), Item::weight), within(TOLERANCE));
        assertThat(c.getTrueNegativeWeight())
                .as("TN" + at)
                .isCloseTo(sum(where(items, i -> i.score() < t && !i.positive()), Item::weight), within(TOLERANCE));
        assertThat(c.getFalseNegativeWeight())
                .as("FN" + at)
                .isCloseTo(sum(where(items, i -> i.score() < t && i.positive()), Item::weight), within(TOLERANCE));
        assertThat(c.labelCount()).isEqualTo(items.size());

        assertEstimate(
                c.precision(CONFIDENCE),
                bruteProportion(where(items, i -> i.score() >= t), Item::positive),
                "precision" + at);
        assertEstimate(
                c.recall(CONFIDENCE, 0),
                bruteProportion(where(items, Item::positive), i -> i.score() >= t),
                "recall" + at);
        assertEstimate(
                c.falsePositiveRate(CONFIDENCE),
                bruteProportion(where(items, i -> !i.positive()), i -> i.score() >= t),
                "FPR" + at);
        assertEstimate(c.prevalence(CONFIDENCE), bruteProportion(items, Item::positive), "prevalence" + at);

        double totalW = sum(items, Item::weight);
        double brier = sum(items, i -> i.weight() * Math.pow(i.score() - (i.positive() ? 1 : 0), 2)) / totalW;
        assertThat(c.brierScore()).as("Brier").isCloseTo(brier, within(TOLERANCE));
        double kish = totalW * totalW / sum(items, i -> i.weight() * i.weight());
        assertThat(c.effectiveSampleSize()).as("Kish n_eff").isCloseTo(kish, within(1e-7));
    }

    private static double bruteEce(List<Item> items, int groups) {
        double[] scoreSum = new double[groups];
        double[] labelSum = new double[groups];
        for (Item i : items) {
            int g = Math.min(groups - 1, (int) Math.floor(i.score() * groups));
            scoreSum[g] += i.weight() * i.score();
            labelSum[g] += i.positive() ? i.weight() : 0;
        }
        double ece = 0;
        for (int g = 0; g < groups; g++) {
            ece += Math.abs(scoreSum[g] - labelSum[g]);
        }
        return ece / sum(items, Item::weight);
    }

    private static WeightedConfusion liveConfusion(List<Item> items, double threshold) {
        WeightedConfusion c = new WeightedConfusion();
        items.forEach(i -> c.add(i.score(), i.score() >= threshold, i.positive(), i.weight(), i.audited()));
        return c;
    }

    private static WeightedScoreHistogram histogram(List<Item> items, int bins) {
        WeightedScoreHistogram h = new WeightedScoreHistogram(bins);
        items.forEach(i -> h.add(i.score(), i.positive(), i.weight(), i.audited()));
        return h;
    }

    // ---- tests ------------------------------------------------------------------------------

    @Test
    void handCheckedStreamShouldGiveTheHandComputedCountsAtThresholdOneHalf() {
        WeightedConfusion c = liveConfusion(HAND_STREAM, 0.5);

        // TP: 1.5 + 1 + 10 + 10 + 1 + 10; FP: 1 + 4 + 10; FN: 50 + 1; TN: 50 + 1 + 2.
        assertThat(c.getTruePositiveWeight()).isEqualTo(33.5);
        assertThat(c.getFalsePositiveWeight()).isEqualTo(15.0);
        assertThat(c.getFalseNegativeWeight()).isEqualTo(51.0);
        assertThat(c.getTrueNegativeWeight()).isEqualTo(53.0);
        assertThat(c.precision(CONFIDENCE).value()).isCloseTo(33.5 / 48.5, within(1e-15));
        assertThat(c.recall(CONFIDENCE, 0).value()).isCloseTo(33.5 / 84.5, within(1e-15));
        assertThat(c.falsePositiveRate(CONFIDENCE).value()).isCloseTo(15.0 / 68.0, within(1e-15));
        assertThat(c.prevalence(CONFIDENCE).value()).isCloseTo(84.5 / 152.5, within(1e-15));
        // Recall's n_eff by hand: p = 33.5/84.5; Σw² is 304.25 over TP and 2500 + 1 over FN. The
        // linearised n_eff = p(1-p)·84.5² / ((1-p)²·304.25 + p²·2501) = 3.39 and Kish's
        // 84.5² / 2805.25 = 2.55: the interval takes the smaller — the one 50-weight audit sample
        // among the missed positives makes 8 positive labels worth about 2.5.
        double p = 33.5 / 84.5;
        double linearised = p * (1 - p) * 84.5 * 84.5 / ((1 - p) * (1 - p) * 304.25 + p * p * 2501);
        double kish = 84.5 * 84.5 / (304.25 + 2501);
        assertThat(linearised).isCloseTo(3.39, within(0.005));
        assertThat(kish).isCloseTo(2.55, within(0.005));
        assertThat(c.recall(CONFIDENCE, 0).effectiveSampleSize()).isCloseTo(kish, within(1e-12));
        // ... and the guard withholds it: one audited miss (the 50-weight one; the FN of weight 1 was
        // routed), fewer than the default 3.
        assertThat(c.auditedMisses()).isEqualTo(1L);
        ProportionEstimate guarded = c.recall(CONFIDENCE, QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS);
        assertThat(guarded.isDefined()).isFalse();
        assertThat(guarded.withheldReason()).startsWith("only 1 audited misses");
    }

    @Test
    void liveConfusionShouldMatchBruteForceAtSeveralThresholds() {
        for (double t : new double[] {0.0, 0.12, 0.3, 0.5, 0.75, 0.873, 0.99, 1.0, 1.01}) {
            assertMatchesBruteForce(liveConfusion(HAND_STREAM, t), HAND_STREAM, t);
        }
        List<Item> random = randomStream(42, 500);
        for (double t : new double[] {0.0, 0.2, 0.5, 0.65, 0.9}) {
            assertMatchesBruteForce(liveConfusion(random, t), random, t);
        }
    }

    @Test
    void histogramShouldMatchBruteForceAtEveryBinEdge() {
        for (List<Item> items : List.of(HAND_STREAM, randomStream(7, 400))) {
            WeightedScoreHistogram h = histogram(items, 100);
            for (int k = 0; k <= 100; k++) {
                double t = k / 100.0;
                // Edge t = 1.0 predicts nothing positive, not even a score of exactly 1.0.
                double effective = k == 100 ? Math.nextUp(1.0) : t;
                assertMatchesBruteForce(h.confusionAtEdge(k), items, effective);
            }
        }
    }

    @Test
    void histogramWithCoarseBinsShouldRoundThresholdsToTheNearestEdge() {
        WeightedScoreHistogram h = histogram(HAND_STREAM, 10);
        assertThat(h.nearestEdge(0.72)).isEqualTo(7);
        assertMatchesBruteForce(h.confusionAt(0.72), HAND_STREAM, 0.7);
        assertThat(h.report(0.72, QualityReport.Settings.of(CONFIDENCE)).threshold())
                .isEqualTo(0.7);
    }

    @Test
    void curveShouldListEveryEdgeWithBruteForcePrecisionRecallAndFpr() {
        List<Item> items = randomStream(11, 300);
        WeightedScoreHistogram h = histogram(items, 50);
        List<WeightedScoreHistogram.CurvePoint> curve = h.curve();

        assertThat(curve).hasSize(51);
        for (int k = 0; k < 50; k++) {
            double t = k / 50.0;
            WeightedScoreHistogram.CurvePoint point = curve.get(k);
            assertThat(point.threshold()).isEqualTo(t);
            assertThat(point.precision())
                    .isCloseTo(
                            bruteProportion(where(items, i -> i.score() >= t), Item::positive)
                                    .value(),
                            within(TOLERANCE));
            assertThat(point.recall())
                    .isCloseTo(
                            bruteProportion(where(items, Item::positive), i -> i.score() >= t)
                                    .value(),
                            within(TOLERANCE));
            assertThat(point.falsePositiveRate())
                    .isCloseTo(
                            bruteProportion(where(items, i -> !i.positive()), i -> i.score() >= t)
                                    .value(),
                            within(TOLERANCE));
        }
        assertThat(curve.get(50).precision()).isNaN();
        assertThat(curve.get(50).recall()).isZero();
        assertThat(curve.get(0).recall()).isEqualTo(1.0);
    }

    @Test
    void calibrationShouldMatchBruteForce() {
        for (List<Item> items : List.of(HAND_STREAM, randomStream(3, 600))) {
            WeightedScoreHistogram h = histogram(items, 100);
            assertThat(h.expectedCalibrationError()).isCloseTo(bruteEce(items, 10), within(TOLERANCE));
            assertThat(h.expectedCalibrationError(5)).isCloseTo(bruteEce(items, 5), within(TOLERANCE));
            double brier = sum(items, i -> i.weight() * Math.pow(i.score() - (i.positive() ? 1 : 0), 2))
                    / sum(items, Item::weight);
            assertThat(h.brierScore()).isCloseTo(brier, within(TOLERANCE));
        }
    }

    @Test
    void calibrationShouldBeZeroWhenEachReliabilityBinMatchesItsPositiveRateAndLargeWhenNot() {
        WeightedScoreHistogram calibrated = new WeightedScoreHistogram();
        calibrated.add(0.25, true, 1).add(0.25, false, 1).add(0.25, false, 1).add(0.25, false, 1);
        calibrated.add(0.75, true, 2).add(0.75, true, 1).add(0.75, false, 1);
        assertThat(calibrated.expectedCalibrationError()).isCloseTo(0.0, within(1e-15));

        WeightedScoreHistogram overconfident = new WeightedScoreHistogram();
        overconfident.add(0.9, false, 3).add(0.9, false, 1);
        assertThat(overconfident.expectedCalibrationError()).isCloseTo(0.9, within(1e-15));
        assertThat(overconfident.brierScore()).isCloseTo(0.81, within(1e-15));
    }

    @Test
    void mergeShouldEqualAccumulatingTheUnion() throws Exception {
        List<Item> items = randomStream(99, 1_000);
        List<Item> a = items.subList(0, 300);
        List<Item> b = items.subList(300, 1_000);

        WeightedConfusion mergedConfusion = liveConfusion(b, 0.6).merge(liveConfusion(a, 0.6));
        assertSameState(mergedConfusion, liveConfusion(items, 0.6));

        WeightedScoreHistogram mergedHistogram = histogram(a, 100).merge(histogram(b, 100));
        assertSameState(mergedHistogram, histogram(items, 100));
        ThresholdRecommender recommender =
                new ThresholdRecommender(new PrecisionObligation(0.8, 0.95), CONFIDENCE, 3, 0.5);
        assertThat(recommender.recommend(mergedHistogram)).isEqualTo(recommender.recommend(histogram(items, 100)));

        // Merging into an empty accumulator is the identity; copies are independent.
        assertSameState(new WeightedScoreHistogram().merge(histogram(a, 100)), histogram(a, 100));
        WeightedScoreHistogram copy = mergedHistogram.copy();
        copy.add(0.5, true, 1);
        assertThat(copy.labelCount()).isEqualTo(mergedHistogram.labelCount() + 1);
    }

    @Test
    void stateWrittenBeforeTheAuditCountsShouldRestoreAsNotAudited() {
        // Flink's POJO serializer leaves a field added since the savepoint at null
        WeightedScoreHistogram restored = histogram(HAND_STREAM, 100);
        restored.setPositiveAuditedCount(null);
        restored.setNegativeAuditedCount(null);
        assertThat(restored.getPositiveAuditedCount()).hasSize(100).containsOnly(0L);
        restored.add(0.12, true, 50, true);
        assertThat(restored.confusionAtEdge(50).getFalseNegativeAuditedCount()).isEqualTo(1);
        assertThat(restored.merge(histogram(HAND_STREAM, 100))
                        .confusionAtEdge(50)
                        .getFalseNegativeAuditedCount())
                .isEqualTo(1 + liveConfusion(HAND_STREAM, 0.5).getFalseNegativeAuditedCount());
    }

    @Test
    void mergeShouldRejectHistogramsWithDifferentBins() {
        assertThatThrownBy(() -> new WeightedScoreHistogram(100).merge(new WeightedScoreHistogram(50)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Compares every POJO field, exact for counts and to rounding for sums. */
    private static void assertSameState(Object actual, Object expected) throws Exception {
        for (var field : expected.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            Object x = field.get(actual);
            Object y = field.get(expected);
            if (x instanceof double[] xs) {
                double[] ys = (double[]) y;
                assertThat(xs).as(field.getName()).hasSameSizeAs(ys);
                for (int i = 0; i < xs.length; i++) {
                    assertThat(xs[i]).as(field.getName() + "[" + i + "]").isCloseTo(ys[i], within(1e-9));
                }
            } else if (x instanceof Double d) {
                assertThat(d).as(field.getName()).isCloseTo((Double) y, within(1e-9));
            } else {
                assertThat(x).as(field.getName()).isEqualTo(y);
            }
        }
    }

    @Test
    void binsShouldAgreeWithThresholdComparisonsExactlyAtEveryEdge() {
        for (int bins : new int[] {1, 7, 10, 100, 1000}) {
            for (int k = 0; k < bins; k++) {
                double edge = WeightedScoreHistogram.edge(k, bins);
                assertThat(WeightedScoreHistogram.binOf(edge, bins))
                        .as("edge %d/%d", k, bins)
                        .isEqualTo(k);
                if (k > 0) {
                    assertThat(WeightedScoreHistogram.binOf(Math.nextDown(edge), bins))
                            .isEqualTo(k - 1);
                }
            }
            assertThat(WeightedScoreHistogram.binOf(1.0, bins)).isEqualTo(bins - 1);
        }
    }

    @Test
    void invalidObservationsShouldBeRejected() {
        WeightedConfusion c = new WeightedConfusion();
        WeightedScoreHistogram h = new WeightedScoreHistogram();
        for (double score : new double[] {-0.01, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> c.add(score, true, true, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> h.add(score, true, 1)).isInstanceOf(IllegalArgumentException.class);
        }
        for (double weight : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> c.add(0.5, true, true, weight)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(c.labelCount()).isZero();
    }

    @Test
    void emptyAccumulatorsShouldReportUndefinedEstimatesNotThrow() {
        QualityReport report = new WeightedScoreHistogram()
                .report(
                        0.5,
                        QualityReport.Settings.of(CONFIDENCE).withObligation(new PrecisionObligation(0.9, 0.95), 0.3));
        assertThat(report.precision().isDefined()).isFalse();
        assertThat(report.recall().isDefined()).isFalse();
        assertThat(report.brierScore()).isNaN();
        assertThat(report.expectedCalibrationError()).isNaN();
        assertThat(report.labelCount()).isZero();
        assertThat(report.recommendation().isRecommended()).isFalse();
        assertThat(report.recommendation().insufficientReason()).startsWith("insufficient labels");
    }

    @Test
    void reportShouldCombineLiveConfusionWithHistogramCalibrationAndRecommendation() {
        List<Item> items = randomStream(21, 2_000);
        WeightedConfusion live = liveConfusion(items, 0.873);
        WeightedScoreHistogram h = histogram(items, 100);
        PrecisionObligation obligation = new PrecisionObligation(0.8, 0.95);

        QualityReport.Settings settings = QualityReport.Settings.of(CONFIDENCE).withObligation(obligation, 0.5);
        QualityReport report = QualityReport.of(0.873, live, h, settings);

        assertThat(report.threshold()).isEqualTo(0.873);
        assertThat(report.truePositiveWeight()).isEqualTo(live.getTruePositiveWeight());
        assertThat(report.precision()).isEqualTo(live.precision(CONFIDENCE));
        assertThat(report.recall()).isEqualTo(live.recall(CONFIDENCE, QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS));
        assertThat(report.auditedMisses()).isEqualTo(live.auditedMisses());
        assertThat(report.falsePositiveRate()).isEqualTo(live.falsePositiveRate(CONFIDENCE));
        assertThat(report.prevalence()).isEqualTo(live.prevalence(CONFIDENCE));
        assertThat(report.expectedCalibrationError()).isEqualTo(h.expectedCalibrationError());
        assertThat(report.brierScore()).isCloseTo(h.brierScore(), within(1e-12));
        assertThat(report.labelCount()).isEqualTo(2_000);
        assertThat(report.recommendation())
                .isEqualTo(new ThresholdRecommender(obligation, CONFIDENCE, 3, 0.5).recommend(h));
        assertThat(live.report(0.873, QualityReport.Settings.of(CONFIDENCE))
                        .recommendation()
                        .isRecommended())
                .isFalse();
        assertThat(live.report(0.873, QualityReport.Settings.of(CONFIDENCE)).expectedCalibrationError())
                .isNaN();
    }

    @Test
    void accumulatorsShouldBeFlinkPojosThatSurviveACopyThroughTheirAccessors() throws Exception {
        FlinkPojoState.assertPojoWithoutKryo(WeightedConfusion.class);
        FlinkPojoState.assertPojoWithoutKryo(WeightedScoreHistogram.class);

        List<Item> items = randomStream(8, 300);
        WeightedScoreHistogram h = histogram(items, 100);
        WeightedScoreHistogram restored = FlinkPojoState.restored(h);
        assertSameState(restored, h);
        QualityReport.Settings settings =
                QualityReport.Settings.of(CONFIDENCE).withObligation(new PrecisionObligation(0.7, 0.9), 0.3);
        assertThat(restored.report(0.5, settings)).isEqualTo(h.report(0.5, settings));

        WeightedConfusion c = liveConfusion(items, 0.5);
        assertSameState(FlinkPojoState.restored(c), c);
    }
}
