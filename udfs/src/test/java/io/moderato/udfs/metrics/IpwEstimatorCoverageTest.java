package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Estimator correctness on a seeded simulation where the ground truth of every item is known but
 * labels are observed only for the items the system sent to review plus an audit sample: the IPW
 * intervals must cover the true (all-items) precision and recall in ≥ 90% of 100 seeds, while the
 * naive estimate from the reviewed items alone is biased.
 */
class IpwEstimatorCoverageTest {

    private static final int SEEDS = Integer.getInteger("ipw.seeds", 100);
    private static final int ITEMS = 20_000;
    private static final double PREVALENCE = 0.05;
    private static final double REVIEW_THRESHOLD = 0.5;
    private static final double ACTION_THRESHOLD = 0.8;
    private static final double ALLOW_AUDIT_RATE = 0.02;
    private static final double CONFIDENCE = 0.95;

    /**
     * How the simulated system decides which items get a label, and with which propensity: ACTION
     * items (score ≥ action threshold) are reviewed with probability {@code actionAuditRate},
     * REVIEW items (between the thresholds) always, ALLOW items with {@code allowAuditRate}.
     */
    private record Routing(String name, double actionAuditRate, double allowAuditRate) {

        /** As in the issue: everything ≥ the review threshold is reviewed, 2% of ALLOW audited. */
        static final Routing REVIEW_ABOVE_THRESHOLD = new Routing("review>=t_r, audit 2% ALLOW", 1.0, ALLOW_AUDIT_RATE);

        /**
         * As in the DetectionJob's bands: ACTION items are auto-actioned and only a 10% audit
         * sample is reviewed, so that precision at the action threshold is a genuine sample
         * estimate too (under the first routing it is observed on every item).
         */
        static final Routing THREE_BANDS = new Routing("3 bands, audit 10% ACTION, 2% ALLOW", 0.10, ALLOW_AUDIT_RATE);

        double propensity(double score) {
            if (score >= ACTION_THRESHOLD) {
                return actionAuditRate;
            }
            return score >= REVIEW_THRESHOLD ? 1.0 : allowAuditRate;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * One seed's truth and the three estimators (IPW with linearised and with Kish n_eff, naive)
     * at the action threshold, plus recall at the review threshold ("ReviewRecall").
     */
    private record SeedResult(
            double truePrecision,
            double trueRecall,
            Estimate ipwPrecision,
            Estimate ipwRecall,
            Estimate kishPrecision,
            Estimate kishRecall,
            Estimate naivePrecision,
            Estimate naiveRecall,
            WeightedConfusion ipwConfusion,
            WeightedScoreHistogram ipwHistogram,
            int auditedAllowPositives,
            double trueReviewRecall,
            Estimate ipwReviewRecall,
            Estimate kishReviewRecall,
            Estimate naiveReviewRecall) {}

    private static SeedResult simulate(long seed, Routing routing) {
        SplittableRandom random = new SplittableRandom(seed);
        long truePositives = 0;
        long falsePositives = 0;
        long falseNegatives = 0;
        WeightedConfusion ipw = new WeightedConfusion();
        WeightedConfusion naive = new WeightedConfusion();
        WeightedScoreHistogram histogram = new WeightedScoreHistogram();
        int auditedAllowPositives = 0;
        long reviewedPositives = 0;
        long positives = 0;
        WeightedConfusion ipwAtReview = new WeightedConfusion();
        WeightedConfusion naiveAtReview = new WeightedConfusion();
        for (int i = 0; i < ITEMS; i++) {
            boolean positive = random.nextDouble() < PREVALENCE;
            double score = score(random, positive);
            boolean predicted = score >= ACTION_THRESHOLD;
            if (predicted && positive) {
                truePositives++;
            } else if (predicted) {
                falsePositives++;
            } else if (positive) {
                falseNegatives++;
            }
            if (positive) {
                positives++;
                if (score >= REVIEW_THRESHOLD) {
                    reviewedPositives++;
                }
            }
            double propensity = routing.propensity(score);
            // Labels exist only for items that were reviewed; every draw is consumed either way so
            // that items (and therefore the truth) do not depend on the routing.
            boolean reviewed = random.nextDouble() < propensity;
            if (reviewed) {
                ipw.add(score, predicted, positive, 1.0 / propensity);
                histogram.add(score, positive, 1.0 / propensity);
                naive.add(score, predicted, positive, 1.0);
                ipwAtReview.add(score, score >= REVIEW_THRESHOLD, positive, 1.0 / propensity);
                naiveAtReview.add(score, score >= REVIEW_THRESHOLD, positive, 1.0);
                if (positive && score < REVIEW_THRESHOLD) {
                    auditedAllowPositives++;
                }
            }
        }
        double truePrecision = (double) truePositives / (truePositives + falsePositives);
        double trueRecall = (double) truePositives / (truePositives + falseNegatives);
        return new SeedResult(
                truePrecision,
                trueRecall,
                ipw.precision(CONFIDENCE),
                ipw.recall(CONFIDENCE),
                Intervals.kishWeightedProportion(ipw.getTruePositiveWeight(),
                        ipw.getTruePositiveWeight() + ipw.getFalsePositiveWeight(),
                        ipw.getTruePositiveSquaredWeight() + ipw.getFalsePositiveSquaredWeight(),
                        CONFIDENCE),
                kishRecall(ipw),
                naive.precision(CONFIDENCE),
                naive.recall(CONFIDENCE),
                ipw,
                histogram,
                auditedAllowPositives,
                (double) reviewedPositives / positives,
                ipwAtReview.recall(CONFIDENCE),
                kishRecall(ipwAtReview),
                naiveAtReview.recall(CONFIDENCE));
    }

    private static Estimate kishRecall(WeightedConfusion c) {
        return Intervals.kishWeightedProportion(c.getTruePositiveWeight(),
                c.getTruePositiveWeight() + c.getFalseNegativeWeight(),
                c.getTruePositiveSquaredWeight() + c.getFalseNegativeSquaredWeight(),
                CONFIDENCE);
    }

    /** A score: logistic of a Gaussian whose mean depends on the label. */
    private static double score(SplittableRandom random, boolean positive) {
        double latent = (positive ? 1.4 : -4.3) + 2.0 * gaussian(random);
        return 1.0 / (1.0 + Math.exp(-latent));
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller; SplittableRandom has no nextGaussian in Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }

    /** Coverage and bias summary of one estimator over all seeds. */
    private record Summary(int covered, double meanEstimate, double meanTruth, double meanWidth) {
        double coverage() {
            return covered / (double) SEEDS;
        }

        double bias() {
            return meanEstimate - meanTruth;
        }

        @Override
        public String toString() {
            return String.format("coverage %5.1f%%  mean estimate %.4f  mean truth %.4f  bias %+.4f  mean width %.4f",
                    100.0 * coverage(), meanEstimate, meanTruth, bias(), meanWidth);
        }
    }

    private interface Pick {
        Estimate estimate(SeedResult r);
    }

    private interface Truth {
        double value(SeedResult r);
    }

    private static Summary summarise(SeedResult[] results, Pick pick, Truth truth) {
        int covered = 0;
        double estimates = 0;
        double truths = 0;
        double widths = 0;
        for (SeedResult r : results) {
            Estimate e = pick.estimate(r);
            if (e.contains(truth.value(r))) {
                covered++;
            }
            estimates += e.value();
            truths += truth.value(r);
            widths += e.width();
        }
        return new Summary(covered, estimates / results.length, truths / results.length,
                widths / results.length);
    }

    private static SeedResult[] run(Routing routing) {
        SeedResult[] results = new SeedResult[SEEDS];
        for (int seed = 0; seed < SEEDS; seed++) {
            results[seed] = simulate(1_000L + seed, routing);
        }
        return results;
    }

    private static void report(Routing routing, String metric, Summary ipw, Summary kish, Summary naive) {
        System.out.printf("[IPW coverage] %-36s %-10s IPW (linearised n_eff): %s%n", routing, metric, ipw);
        System.out.printf("[IPW coverage] %-36s %-10s IPW (Kish n_eff):       %s%n", routing, metric, kish);
        System.out.printf("[IPW coverage] %-36s %-10s naive (reviewed, w=1):  %s%n", routing, metric, naive);
    }

    @Test
    void ipwIntervalsShouldCoverTruthWhileNaiveIsBiased_whenEverythingAboveReviewThresholdIsReviewed() {
        assertCoverageAndNaiveBias(Routing.REVIEW_ABOVE_THRESHOLD);
    }

    @Test
    void ipwIntervalsShouldCoverTruthWhileNaiveIsBiased_whenActionAndAllowBandsAreAuditSampled() {
        assertCoverageAndNaiveBias(Routing.THREE_BANDS);
    }

    @Test
    void histogramShouldReproduceTheConfusionOfTheDecisionsAtTheActionThreshold() {
        SeedResult r = simulate(7L, Routing.THREE_BANDS);
        WeightedConfusion fromHistogram = r.ipwHistogram().confusionAt(ACTION_THRESHOLD);

        assertThat(fromHistogram.getTruePositiveCount()).isEqualTo(r.ipwConfusion().getTruePositiveCount());
        assertThat(fromHistogram.getFalsePositiveCount()).isEqualTo(r.ipwConfusion().getFalsePositiveCount());
        assertThat(fromHistogram.getFalseNegativeCount()).isEqualTo(r.ipwConfusion().getFalseNegativeCount());
        assertThat(fromHistogram.recall(CONFIDENCE).value())
                .isCloseTo(r.ipwRecall().value(), within(1e-12));
    }

    /**
     * The documented limitation: recall's uncertainty is dominated by the few audit-sampled
     * positives below the threshold, each standing for 1/rate missed positives. With ~1 such label
     * per window (0.5% audit here) the normal approximation behind any n_eff breaks down and the
     * interval under-covers; at ≥ ~5 it is reliable. Printed for the docs.
     */
    @Test
    void recallCoverageShouldImproveAsTheAllowAuditSampleGrows() {
        double[] rates = {0.005, 0.01, 0.02, 0.05};
        double[] coverage = new double[rates.length];
        for (int i = 0; i < rates.length; i++) {
            Routing routing = new Routing("review>=t_r, audit " + rates[i] * 100 + "% ALLOW", 1.0, rates[i]);
            SeedResult[] results = run(routing);
            Summary recall = summarise(results, SeedResult::ipwRecall, SeedResult::trueRecall);
            double auditedMissedPositives = 0;
            for (SeedResult r : results) {
                auditedMissedPositives += r.auditedAllowPositives();
            }
            coverage[i] = recall.coverage();
            System.out.printf("[IPW coverage] ALLOW audit %.1f%%: audited ALLOW positives/seed %.1f, recall %s%n",
                    rates[i] * 100, auditedMissedPositives / SEEDS, recall);
        }
        assertThat(coverage[0]).as("coverage with a 0.5% audit").isLessThan(coverage[3]);
        assertThat(coverage[3]).as("coverage with a 5% audit").isGreaterThanOrEqualTo(0.90);
    }

    private static void assertCoverageAndNaiveBias(Routing routing) {
        SeedResult[] results = run(routing);

        Summary ipwPrecision = summarise(results, SeedResult::ipwPrecision, SeedResult::truePrecision);
        Summary kishPrecision = summarise(results, SeedResult::kishPrecision, SeedResult::truePrecision);
        Summary naivePrecision = summarise(results, SeedResult::naivePrecision, SeedResult::truePrecision);
        Summary ipwRecall = summarise(results, SeedResult::ipwRecall, SeedResult::trueRecall);
        Summary kishRecall = summarise(results, SeedResult::kishRecall, SeedResult::trueRecall);
        Summary naiveRecall = summarise(results, SeedResult::naiveRecall, SeedResult::trueRecall);
        report(routing, "precision", ipwPrecision, kishPrecision, naivePrecision);
        report(routing, "recall", ipwRecall, kishRecall, naiveRecall);
        Summary ipwReviewRecall = summarise(results, SeedResult::ipwReviewRecall, SeedResult::trueReviewRecall);
        Summary kishReviewRecall = summarise(results, SeedResult::kishReviewRecall, SeedResult::trueReviewRecall);
        Summary naiveReviewRecall = summarise(results, SeedResult::naiveReviewRecall, SeedResult::trueReviewRecall);
        report(routing, "recall@t_r", ipwReviewRecall, kishReviewRecall, naiveReviewRecall);

        assertThat(ipwPrecision.coverage()).as("IPW precision coverage").isGreaterThanOrEqualTo(0.90);
        assertThat(ipwRecall.coverage()).as("IPW recall coverage").isGreaterThanOrEqualTo(0.90);
        // The IPW estimates are (nearly) unbiased ...
        assertThat(Math.abs(ipwPrecision.bias())).as("IPW precision bias").isLessThan(0.01);
        assertThat(Math.abs(ipwRecall.bias())).as("IPW recall bias").isLessThan(0.02);
        // ... while the naive recall, which ignores that missed positives are only seen through a 2%
        // audit, is far off and its interval almost never covers the truth.
        assertThat(Math.abs(naiveRecall.bias())).as("naive recall bias").isGreaterThan(0.10);
        assertThat(naiveRecall.coverage()).as("naive recall coverage").isLessThan(0.20);

        // Recall at the review threshold: every true positive has weight 1, every missed one 50.
        // Kish's n_eff ignores that the heavy weights all sit on one outcome and under-covers;
        // the linearised n_eff does not.
        assertThat(ipwReviewRecall.coverage()).as("IPW recall@t_r coverage").isGreaterThanOrEqualTo(0.90);
        assertThat(kishReviewRecall.coverage()).as("Kish recall@t_r coverage")
                .isLessThan(ipwReviewRecall.coverage());
        assertThat(naiveReviewRecall.bias()).as("naive recall@t_r bias").isGreaterThan(0.10);
        assertThat(naiveReviewRecall.coverage()).as("naive recall@t_r coverage").isLessThan(0.20);
    }
}
