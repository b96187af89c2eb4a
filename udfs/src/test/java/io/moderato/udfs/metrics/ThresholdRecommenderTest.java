package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.junit.jupiter.api.Test;

class ThresholdRecommenderTest {

    private static final double CONFIDENCE = 0.95;

    /** Violating items score high, clean ones low; routed items (0.5..0.8) weight 1, audits weight 10 or 20. */
    private static List<LabelledScore> world(long seed, int items, double prevalence) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LabelledScore> labels = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            boolean violating = random.nextDouble() < prevalence;
            double score = violating
                    ? 1 - 0.6 * random.nextDouble() * random.nextDouble()
                    : 0.9 * Math.pow(random.nextDouble(), 3);
            double propensity = score >= 0.8 ? 0.1 : score >= 0.5 ? 1.0 : 0.05;
            if (random.nextDouble() < propensity) {
                labels.add(new LabelledScore(score, violating, propensity, propensity < 1.0));
            }
        }
        return labels;
    }

    private static WeightedScoreHistogram histogram(List<LabelledScore> labels) {
        WeightedScoreHistogram h = new WeightedScoreHistogram();
        labels.forEach(l -> h.add(l.score(), l.violating(), l.weight(), l.auditSample()));
        return h;
    }

    /** The documented procedure written out item by item: start edge, then walk down while the bound holds. */
    private static int bruteForceEdge(List<LabelledScore> labels, double p, double level) {
        double startSize = Math.log(level) / Math.log(p);
        int start = -1;
        for (int k = 99; k >= 0 && start < 0; k--) {
            double t = k / 100.0;
            double w = 0;
            double w2 = 0;
            for (LabelledScore l : labels) {
                if (l.score() >= t) {
                    w += l.weight();
                    w2 += l.weight() * l.weight();
                }
            }
            if (w > 0 && w * w / w2 >= startSize) {
                start = k;
            }
        }
        int certified = -1;
        for (int k = start; k >= 0; k--) {
            double t = k / 100.0;
            double s = 0;
            double f = 0;
            double s2 = 0;
            double f2 = 0;
            int n = 0;
            for (LabelledScore l : labels) {
                if (l.score() >= t) {
                    n++;
                    if (l.violating()) {
                        s += l.weight();
                        s2 += l.weight() * l.weight();
                    } else {
                        f += l.weight();
                        f2 += l.weight() * l.weight();
                    }
                }
            }
            double q = s / (s + f);
            double kish = (s + f) * (s + f) / (s2 + f2);
            double linearised =
                    q > 0 && q < 1 ? q * (1 - q) * (s + f) * (s + f) / ((1 - q) * (1 - q) * s2 + q * q * f2) : kish;
            double nEff = Math.min(Math.min(kish, linearised), n);
            double x = q * nEff;
            double lower =
                    x == 0 || nEff < 1 ? 0 : new BetaDistribution(x, nEff - x + 1).inverseCumulativeProbability(level);
            if (lower >= p) {
                certified = k;
            } else {
                break;
            }
        }
        return certified;
    }

    @Test
    void shouldRecommendTheEdgeTheFixedSequenceWalkReaches() {
        int recommended = 0;
        for (long seed = 1; seed <= 12; seed++) {
            List<LabelledScore> labels = world(seed, 40_000, 0.05);
            for (double p : new double[] {0.8, 0.9}) {
                ThresholdRecommender recommender =
                        new ThresholdRecommender(new PrecisionObligation(p, CONFIDENCE), CONFIDENCE, 3, 0.5);
                ThresholdRecommendation answer = recommender.recommend(labels);
                int expected = bruteForceEdge(labels, p, recommender.testLevel());
                assertThat(answer.isRecommended()).as("seed %d p %s", seed, p).isEqualTo(expected >= 0);
                if (expected >= 0) {
                    recommended++;
                    assertThat(answer.threshold().getAsDouble()).isEqualTo(expected / 100.0);
                    assertThat(answer.precisionLowerBound()).isGreaterThanOrEqualTo(p);
                    assertThat(answer.precision().lower())
                            .isLessThanOrEqualTo(answer.precision().value());
                }
            }
        }
        assertThat(recommended).as("the world must exercise recommendations").isGreaterThan(12);
    }

    @Test
    void shouldTestAtTheObligationLevelDividedByTheSelectionAllowance() {
        PrecisionObligation obligation = new PrecisionObligation(0.9, 0.95);
        assertThat(new ThresholdRecommender(obligation, CONFIDENCE, 3, 0.5).testLevel())
                .isCloseTo(0.01, within(1e-15));
        assertThat(new ThresholdRecommender(obligation, CONFIDENCE, 3, 0.5, 1).testLevel())
                .isCloseTo(0.05, within(1e-15));
        assertThatThrownBy(() -> new ThresholdRecommender(obligation, CONFIDENCE, 3, 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThresholdRecommender(obligation, CONFIDENCE, -1, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReportWhatTheRecommendationWouldDo() {
        // 300 audited violating items at 0.95 (weight 10), 100 routed clean items at 0.6, 200 audited
        // clean items at 0.1 (weight 20), 10 audited misses at 0.3 (weight 20)
        List<LabelledScore> labels = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            labels.add(new LabelledScore(0.95, true, 0.1, true));
        }
        for (int i = 0; i < 100; i++) {
            labels.add(new LabelledScore(0.6, false, 1.0, false));
        }
        for (int i = 0; i < 200; i++) {
            labels.add(new LabelledScore(0.1, false, 0.05, true));
        }
        for (int i = 0; i < 10; i++) {
            labels.add(new LabelledScore(0.3, true, 0.05, true));
        }
        ThresholdRecommendation answer = new ThresholdRecommender(
                        new PrecisionObligation(0.95, CONFIDENCE), CONFIDENCE, 3, 0.5)
                .recommend(labels);

        // every edge from 0.95 down to 0.61 holds only the violating items; at 0.60 the clean ones join
        assertThat(answer.threshold().getAsDouble()).isEqualTo(0.61);
        assertThat(answer.precision().value()).isEqualTo(1.0);
        assertThat(answer.actionVolume()).isCloseTo(3_000, within(1e-9));
        assertThat(answer.reviewVolume()).isCloseTo(100, within(1e-9)); // the clean items in [0.5, 0.61)
        assertThat(answer.recall().value()).isCloseTo(3_000.0 / 3_200.0, within(1e-12));
        assertThat(answer.insufficientReason()).isNull();
        assertThat(answer.additionalAuditedItems()).isEqualTo(-1);
    }

    @Test
    void shouldSayHowManyMoreAuditedItemsAreNeeded() {
        // 40 audited violating items at 0.95 and 160 audited clean ones at 0.1: at p = 0.95 and level
        // 0.05 / 5 a sample of n all violating passes from n = ln 0.01 / ln 0.95 = 89.8, so ≈ 50 more
        // labelled items above 0.95 are missing; 40 of the 200 audits land there, so ≈ 250 more audits.
        List<LabelledScore> labels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            labels.add(new LabelledScore(0.95, true, 0.1, true));
        }
        for (int i = 0; i < 160; i++) {
            labels.add(new LabelledScore(0.1, false, 0.1, true));
        }
        ThresholdRecommendation answer = new ThresholdRecommender(
                        new PrecisionObligation(0.95, CONFIDENCE), CONFIDENCE, 3, 0.5)
                .recommend(labels);

        assertThat(answer.isRecommended()).isFalse();
        assertThat(answer.additionalAuditedItems()).isEqualTo(250);
        assertThat(answer.candidateThreshold().getAsDouble()).isEqualTo(0.11);
        assertThat(answer.insufficientReason())
                .startsWith(
                        "insufficient labels: need ≈ 250 more audited items at this prevalence (≈ 50 more labelled items");
        assertThat(answer.precision().isDefined()).isFalse();
        assertThat(ThresholdRecommender.requiredEffectiveSize(1.0, 0.95, 0.99))
                .isCloseTo(Math.log(0.01) / Math.log(0.95), within(0.5));
    }

    @Test
    void theAuditsNeededShouldBeAPropertyOfTheWorldNotOfTheWindowSize() {
        // Windows of one world with 2x and 4x the items: audits so far + "≈ N more" estimates the same
        // total audit volume each time (the estimate is rough: it rests on the share of audits that
        // land above the candidate threshold, itself estimated from a few dozen items).
        List<Long> totals = new ArrayList<>();
        for (int items : new int[] {5_000, 10_000, 20_000}) {
            List<LabelledScore> labels = world(3, items, 0.05);
            ThresholdRecommendation answer = new ThresholdRecommender(
                            new PrecisionObligation(0.98, CONFIDENCE), CONFIDENCE, 3, 0.5)
                    .recommend(labels);
            assertThat(answer.isRecommended()).isFalse();
            assertThat(answer.additionalAuditedItems()).as("%d items", items).isPositive();
            totals.add(labels.stream().filter(LabelledScore::auditSample).count() + answer.additionalAuditedItems());
        }
        double mean = totals.stream().mapToLong(Long::longValue).average().orElseThrow();
        assertThat(totals)
                .as("audits so far + N")
                .allSatisfy(t -> assertThat(t / mean).isBetween(0.7, 1.3));
    }

    @Test
    void shouldExplainWhenNoThresholdReachesTheObligationOrThereAreNoLabels() {
        ThresholdRecommender recommender =
                new ThresholdRecommender(new PrecisionObligation(0.9, CONFIDENCE), CONFIDENCE, 3, 0.5);
        ThresholdRecommendation empty = recommender.recommend(new WeightedScoreHistogram());
        assertThat(empty.isRecommended()).isFalse();
        assertThat(empty.insufficientReason())
                .startsWith(
                        "insufficient labels: no threshold's estimated precision exceeds 0.9 yet (0 labelled items)");
        assertThat(empty.additionalAuditedItems()).isEqualTo(-1);

        List<LabelledScore> coinFlips = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            coinFlips.add(new LabelledScore((i % 100) / 100.0, i % 2 == 0, 1.0, false));
        }
        assertThat(recommender.recommend(coinFlips).insufficientReason())
                .contains("no threshold's estimated precision exceeds 0.9");

        ThresholdRecommendation perfect = new ThresholdRecommender(
                        new PrecisionObligation(1.0, CONFIDENCE), CONFIDENCE, 3, 0.5)
                .recommend(histogram(world(5, 20_000, 0.05)));
        assertThat(perfect.insufficientReason()).isEqualTo("precision 1 cannot be certified from a sample");
    }

    @Test
    void labelledScoresAndTheirHistogramShouldGiveTheSameAnswer() {
        List<LabelledScore> labels = world(9, 30_000, 0.05);
        ThresholdRecommender recommender =
                new ThresholdRecommender(new PrecisionObligation(0.85, CONFIDENCE), CONFIDENCE, 3, 0.5);
        assertThat(recommender.recommend(labels)).isEqualTo(recommender.recommend(histogram(labels)));
        assertThatThrownBy(() -> new LabelledScore(0.5, true, 0.0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LabelledScore(1.5, true, 0.5, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
