package io.moderato.udfs.metrics.simulation;

import io.moderato.udfs.metrics.PrecisionObligation;
import io.moderato.udfs.metrics.ThresholdRecommendation;
import io.moderato.udfs.metrics.ThresholdRecommender;
import io.moderato.udfs.metrics.WeightedConfusion;
import io.moderato.udfs.metrics.simulation.ScenarioResult.Metric;
import io.moderato.udfs.metrics.simulation.WindowSimulator.SimulatedWindow;

/**
 * Runs a {@link Scenario} over seeded windows and measures the FeedbackJob's estimators against
 * the truth of all the window's items: coverage, width and bias of the 95 % precision, recall and
 * FPR intervals at the action threshold (0.8), the threshold recommendations for precision ≥ 0.90
 * and ≥ 0.95 at 95 % confidence, and the audit volume. The estimators before issue 11
 * ({@link PreviousEstimators}) are measured on the same windows for comparison.
 */
public final class QualitySimulation {

    public static final double CONFIDENCE = 0.95;
    public static final int MINIMUM_AUDITED_LABELS = 3;
    public static final double[] OBLIGATIONS = {0.90, 0.95};

    private final WindowSimulator simulator = new WindowSimulator(new ScoreWorld());
    private final ThresholdRecommender[] recommenders = new ThresholdRecommender[OBLIGATIONS.length];

    public QualitySimulation() {
        for (int i = 0; i < OBLIGATIONS.length; i++) {
            recommenders[i] = new ThresholdRecommender(
                    new PrecisionObligation(OBLIGATIONS[i], CONFIDENCE),
                    CONFIDENCE,
                    MINIMUM_AUDITED_LABELS,
                    ScoreWorld.REVIEW_THRESHOLD);
        }
    }

    /** Seed {@code i} of a scenario: a pure function of the scenario's name and i. */
    static long seed(Scenario scenario, int i) {
        return 0x9E3779B97F4A7C15L * (i + 1) ^ ((long) scenario.name().hashCode() << 21);
    }

    /** Runs seeds 0 .. seeds − 1 of the scenario. */
    public ScenarioResult run(Scenario scenario, int seeds) {
        ScenarioResult result = new ScenarioResult(scenario, OBLIGATIONS.length);
        for (int i = 0; i < seeds; i++) {
            observe(result, simulator.simulate(scenario, seed(scenario, i)));
        }
        return result;
    }

    private void observe(ScenarioResult result, SimulatedWindow w) {
        result.seeds++;
        result.items += w.items;
        result.labels += w.labels;
        result.auditRatioSum += w.auditsDue > 0 ? w.auditsLabelled / w.auditsDue : 1.0;
        result.maxWeight = Math.max(result.maxWeight, w.maxWeight);

        int edge = ScoreWorld.ACTION_EDGE;
        double[] truth = {w.truePrecision(edge), w.trueRecall(edge), w.trueFalsePositiveRate(edge)};
        WeightedConfusion c = w.atAction;
        result.current(Metric.PRECISION).observe(c.precision(CONFIDENCE), truth[0]);
        result.current(Metric.RECALL).observe(c.recall(CONFIDENCE, MINIMUM_AUDITED_LABELS), truth[1]);
        result.current(Metric.FALSE_POSITIVE_RATE).observe(c.falsePositiveRate(CONFIDENCE), truth[2]);
        result.unguarded(Metric.PRECISION).observe(c.precision(CONFIDENCE), truth[0]);
        result.unguarded(Metric.RECALL).observe(c.recall(CONFIDENCE, 0), truth[1]);
        result.unguarded(Metric.FALSE_POSITIVE_RATE).observe(c.falsePositiveRate(CONFIDENCE), truth[2]);
        result.previous(Metric.PRECISION).observe(PreviousEstimators.precision(c, CONFIDENCE), truth[0]);
        result.previous(Metric.RECALL).observe(PreviousEstimators.recall(c, CONFIDENCE), truth[1]);
        result.previous(Metric.FALSE_POSITIVE_RATE)
                .observe(PreviousEstimators.falsePositiveRate(c, CONFIDENCE), truth[2]);

        for (int i = 0; i < OBLIGATIONS.length; i++) {
            double p = OBLIGATIONS[i];
            int oracle = w.oracleEdge(p);
            double oracleRecall = oracle < 0 ? Double.NaN : w.trueRecall(oracle);
            ThresholdRecommendation answer = recommenders[i].recommend(w.histogram);
            if (answer.isRecommended()) {
                int k = (int) Math.round(answer.threshold().getAsDouble() * ScoreWorld.BINS);
                result.currentRecommendations[i].recommended(w.truePrecision(k), p, oracleRecall, w.trueRecall(k));
            } else {
                result.currentRecommendations[i].insufficient(answer.additionalAuditedItems());
            }
            int previous = PreviousEstimators.recommendedEdge(w.histogram, p, CONFIDENCE);
            if (previous >= 0) {
                result.previousRecommendations[i].recommended(
                        w.truePrecision(previous), p, oracleRecall, w.trueRecall(previous));
            }
        }
    }
}
