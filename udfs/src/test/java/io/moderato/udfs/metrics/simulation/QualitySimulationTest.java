package io.moderato.udfs.metrics.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.udfs.metrics.simulation.Scenario.Admission;
import io.moderato.udfs.metrics.simulation.ScenarioResult.Metric;
import io.moderato.udfs.metrics.simulation.ScenarioResult.MetricStats;
import io.moderato.udfs.metrics.simulation.ScenarioResult.RecommendationStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The issue-11 targets on the seeded simulation, at a CI-sized seed count (the 1,000-seed tables
 * come from scripts/quality-simulation.sh): published 95 % intervals cover ≥ 93 % in every
 * scenario, a recommended threshold meets its precision in ≥ 95 % of the windows that get one, and
 * at 60 % review capacity the audit sample stays ≥ 90 % of its configured size with IPW bias within
 * 2 standard errors. The estimators before issue 11 are run on the same windows to show that the
 * simulation catches what the issue reported.
 *
 * <p>The seeds are fixed, so the outcome is deterministic. A target is asserted on the observed
 * share itself; where a scenario publishes fewer than {@value #SMALL} numbers, the observed misses
 * must instead be consistent with the target (one-sided binomial p ≥ 0.01), since one miss among
 * five would otherwise read as 80 %.
 */
class QualitySimulationTest {

    private static final int SEEDS = Integer.getInteger("quality.seeds", 150);
    private static final int CUMULATIVE_SEEDS = Integer.getInteger("quality.cumulative-seeds", 60);
    private static final int SMALL = 30;
    private static final double COVERAGE_TARGET = 0.93;
    private static final double RECOMMENDATION_TARGET = 0.95;

    private static List<ScenarioResult> windows;
    private static List<ScenarioResult> pressured;
    private static List<ScenarioResult> cumulative;

    @BeforeAll
    static void simulate() throws InterruptedException, ExecutionException {
        long start = System.nanoTime();
        windows = QualitySimulationReport.simulate(Scenario.shortAndLongWindows(), SEEDS, 2, System.out);
        pressured = QualitySimulationReport.simulate(Scenario.capacityPressure(), SEEDS, 2, System.out);
        cumulative = QualitySimulationReport.simulate(Scenario.cumulativeWindows(), CUMULATIVE_SEEDS, 2, System.out);
        List<ScenarioResult> all = new ArrayList<>(windows);
        all.addAll(pressured);
        all.addAll(cumulative);
        System.out.print(QualitySimulationReport.tables(all));
        System.out.printf(
                "[quality simulation] %d + %d seeds per scenario in %.1f s%n",
                SEEDS, CUMULATIVE_SEEDS, (System.nanoTime() - start) / 1e9);
    }

    @Test
    void publishedIntervalsShouldCoverTheTruthInEveryScenario() {
        List<ScenarioResult> audited = new ArrayList<>(windows);
        audited.addAll(pressured.stream()
                .filter(r -> r.scenario().admission() == Admission.AUDIT_FIRST)
                .toList());
        audited.addAll(cumulative);
        for (ScenarioResult r : audited) {
            for (Metric metric : Metric.values()) {
                MetricStats s = r.current(metric);
                assertMeetsTarget(
                        s.covered(), s.published(), COVERAGE_TARGET, r.scenario() + " " + metric + " coverage");
            }
        }
    }

    @Test
    void recallShouldBeWithheldInThinWindowsAndPublishedInLongOnes() {
        ScenarioResult thin = find(windows, Scenario.of(130, 0.01, 0.01, 0.05));
        ScenarioResult thick = find(windows, Scenario.of(1_000, 0.05, 0.20, 0.20));
        // ~0.5 audited misses per window: nothing to stand on, so (almost) never published ...
        assertThat(thin.current(Metric.RECALL).publishedShare()).isLessThan(0.05);
        // ... which the old guard, counting routed review-band misses, published in every window
        assertThat(thin.previous(Metric.RECALL).publishedShare()).isGreaterThan(0.95);
        assertThat(thick.current(Metric.RECALL).publishedShare()).isGreaterThan(0.95);
    }

    @Test
    void recommendationsShouldMeetThePrecisionObligationInTheWindowsThatGetOne() {
        List<ScenarioResult> all = new ArrayList<>(windows);
        all.addAll(cumulative);
        int recommended = 0;
        for (ScenarioResult r : all) {
            for (int i = 0; i < QualitySimulation.OBLIGATIONS.length; i++) {
                RecommendationStats s = r.currentRecommendation(i);
                recommended += s.recommended();
                assertMeetsTarget(
                        s.recommended() - s.wrong(),
                        s.recommended(),
                        RECOMMENDATION_TARGET,
                        r.scenario() + " p=" + QualitySimulation.OBLIGATIONS[i] + " recommendations meeting p");
            }
        }
        // the guarantee must not be empty: long windows do get recommendations
        assertThat(recommended).isGreaterThan(CUMULATIVE_SEEDS);
        ScenarioResult rich = find(cumulative, Scenario.of(10_000, 0.05, 0.05, 0.05));
        assertThat(rich.currentRecommendation(0).recommended()).isGreaterThan(CUMULATIVE_SEEDS / 2);
        // without a recommendation the answer says how many audited items are missing
        ScenarioResult thin = find(windows, Scenario.of(300, 0.03, 0.05, 0.05));
        assertThat(thin.currentRecommendation(0).medianAuditedItemsNeeded()).isGreaterThan(0);
    }

    @Test
    void auditFirstAdmissionShouldKeepTheAuditSampleAndTheEstimatesUnbiasedAtSixtyPercentCapacity() {
        for (ScenarioResult r : pressured) {
            if (r.scenario().admission() == Admission.AUDIT_FIRST) {
                assertThat(r.auditRatio()).as(r.scenario() + " audit share").isGreaterThanOrEqualTo(0.90);
                for (Metric metric : Metric.values()) {
                    MetricStats s = r.unguarded(metric);
                    assertThat(Math.abs(s.bias()))
                            .as(r.scenario() + " " + metric + " bias (SE " + s.biasStandardError() + ")")
                            .isLessThanOrEqualTo(2 * s.biasStandardError());
                }
            } else {
                // the shared limiter, as the issue measured it: audits shed to a fraction, weights near 10^4
                assertThat(r.auditRatio()).as(r.scenario() + " audit share").isLessThan(0.25);
                assertThat(r.maxWeight()).as(r.scenario() + " max weight").isGreaterThanOrEqualTo(2_000);
            }
        }
    }

    @Test
    void previousEstimatorsShouldFailWhereTheIssueFoundThemFailing() {
        // recall coverage far below 95 % in short windows with a 1 % ACTION audit
        assertThat(find(windows, Scenario.of(300, 0.03, 0.05, 0.01))
                        .previous(Metric.RECALL)
                        .coverage())
                .isLessThan(0.80);
        // recommendations wrong in most windows that get one
        ScenarioResult r = find(windows, Scenario.of(1_000, 0.05, 0.05, 0.01));
        assertThat(r.previousRecommendation(0).recommended()).isGreaterThan(SEEDS / 10);
        assertThat(r.previousRecommendation(0).correctShare()).isLessThan(0.5);
    }

    /**
     * The observed share meets the target; with fewer than {@value #SMALL} trials, the misses must
     * be consistent with it instead (P(X ≥ misses) ≥ 0.01 for X ~ Binomial(trials, 1 − target)).
     */
    private static void assertMeetsTarget(int successes, int trials, double target, String what) {
        if (trials == 0) {
            return;
        }
        if (trials >= SMALL) {
            assertThat((double) successes / trials)
                    .as(what + " (" + successes + "/" + trials + ")")
                    .isGreaterThanOrEqualTo(target);
            return;
        }
        int misses = trials - successes;
        double pValue = misses == 0
                ? 1.0
                : 1.0 - new BinomialDistribution(null, trials, 1.0 - target).cumulativeProbability(misses - 1);
        assertThat(pValue)
                .as(what + " (" + successes + "/" + trials + "), binomial p")
                .isGreaterThanOrEqualTo(0.01);
    }

    private static ScenarioResult find(List<ScenarioResult> results, Scenario scenario) {
        return results.stream()
                .filter(r -> r.scenario().equals(scenario))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no scenario " + scenario));
    }
}
