package io.moderato.udfs.metrics.simulation;

import io.moderato.udfs.metrics.ProportionEstimate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a scenario's seeds measured: interval coverage per metric and estimator, recommendations, audit volume. */
public final class ScenarioResult {

    /** The three published rates, in table order. */
    public enum Metric {
        PRECISION,
        RECALL,
        FALSE_POSITIVE_RATE
    }

    final Scenario scenario;
    int seeds;
    long items;
    long labels;
    double auditRatioSum;
    double maxWeight;
    final MetricStats[] current = {new MetricStats(), new MetricStats(), new MetricStats()};
    final MetricStats[] previous = {new MetricStats(), new MetricStats(), new MetricStats()};
    /** The IPW point estimates with no guard: their bias is the estimator's, not the guard's selection. */
    final MetricStats[] unguarded = {new MetricStats(), new MetricStats(), new MetricStats()};

    final RecommendationStats[] currentRecommendations;
    final RecommendationStats[] previousRecommendations;

    ScenarioResult(Scenario scenario, int obligations) {
        this.scenario = scenario;
        currentRecommendations = new RecommendationStats[obligations];
        previousRecommendations = new RecommendationStats[obligations];
        for (int i = 0; i < obligations; i++) {
            currentRecommendations[i] = new RecommendationStats();
            previousRecommendations[i] = new RecommendationStats();
        }
    }

    public Scenario scenario() {
        return scenario;
    }

    public int seeds() {
        return seeds;
    }

    public double meanLabels() {
        return (double) labels / seeds;
    }

    public double meanItems() {
        return (double) items / seeds;
    }

    /** Labelled audit samples as a share of the audits drawn at the configured rates, averaged over seeds. */
    public double auditRatio() {
        return auditRatioSum / seeds;
    }

    public double maxWeight() {
        return maxWeight;
    }

    public MetricStats current(Metric metric) {
        return current[metric.ordinal()];
    }

    public MetricStats previous(Metric metric) {
        return previous[metric.ordinal()];
    }

    /** The IPW estimates of every window where they are defined, published or not (bias of the estimator). */
    public MetricStats unguarded(Metric metric) {
        return unguarded[metric.ordinal()];
    }

    public RecommendationStats currentRecommendation(int obligation) {
        return currentRecommendations[obligation];
    }

    public RecommendationStats previousRecommendation(int obligation) {
        return previousRecommendations[obligation];
    }

    /** Coverage, width and error of one metric's published intervals over the windows where the truth is defined. */
    public static final class MetricStats {
        int windows;
        int published;
        int covered;
        double widthSum;
        double errorSum;
        double errorSquareSum;

        void observe(ProportionEstimate estimate, double truth) {
            if (Double.isNaN(truth)) {
                return;
            }
            windows++;
            if (!estimate.isDefined()) {
                return;
            }
            published++;
            if (estimate.contains(truth)) {
                covered++;
            }
            widthSum += estimate.width();
            double error = estimate.value() - truth;
            errorSum += error;
            errorSquareSum += error * error;
        }

        public int windows() {
            return windows;
        }

        public int published() {
            return published;
        }

        public int covered() {
            return covered;
        }

        public double publishedShare() {
            return windows == 0 ? Double.NaN : (double) published / windows;
        }

        public double coverage() {
            return published == 0 ? Double.NaN : (double) covered / published;
        }

        public double meanWidth() {
            return published == 0 ? Double.NaN : widthSum / published;
        }

        /** Mean of estimate − truth over the published windows. */
        public double bias() {
            return published == 0 ? Double.NaN : errorSum / published;
        }

        /** Standard error of {@link #bias()}: the standard deviation of estimate − truth over √published. */
        public double biasStandardError() {
            if (published < 2) {
                return Double.NaN;
            }
            double mean = bias();
            double variance = (errorSquareSum - published * mean * mean) / (published - 1);
            return Math.sqrt(Math.max(0.0, variance) / published);
        }
    }

    /** How often a window got a recommendation, how often it was wrong, and what it cost against the oracle. */
    public static final class RecommendationStats {
        int recommended;
        int wrong;
        int withOracle;
        double recallLostSum;
        double worstMiss;
        final List<Long> auditedItemsNeeded = new ArrayList<>();

        void recommended(double truePrecision, double minimumPrecision, double oracleRecall, double recall) {
            recommended++;
            if (truePrecision < minimumPrecision) {
                wrong++;
                worstMiss = Math.max(worstMiss, minimumPrecision - truePrecision);
            }
            if (!Double.isNaN(oracleRecall)) {
                withOracle++;
                recallLostSum += oracleRecall - recall;
            }
        }

        void insufficient(long auditedItemsNeededEstimate) {
            if (auditedItemsNeededEstimate >= 0) {
                auditedItemsNeeded.add(auditedItemsNeededEstimate);
            }
        }

        public int recommended() {
            return recommended;
        }

        public int wrong() {
            return wrong;
        }

        /** Share of the recommendations whose true precision is at least p; NaN without any. */
        public double correctShare() {
            return recommended == 0 ? Double.NaN : 1.0 - (double) wrong / recommended;
        }

        /** The largest shortfall p − true precision among the wrong recommendations; 0 without one. */
        public double worstMiss() {
            return worstMiss;
        }

        /** Mean true recall of the oracle threshold minus that of the recommendation. */
        public double meanRecallLost() {
            return withOracle == 0 ? Double.NaN : recallLostSum / withOracle;
        }

        /** Median of the "need ≈ N more audited items" estimates of the windows without a recommendation. */
        public double medianAuditedItemsNeeded() {
            if (auditedItemsNeeded.isEmpty()) {
                return Double.NaN;
            }
            List<Long> sorted = new ArrayList<>(auditedItemsNeeded);
            Collections.sort(sorted);
            return sorted.get(sorted.size() / 2);
        }
    }
}
