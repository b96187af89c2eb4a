package io.moderato.udfs.metrics.simulation;

import io.moderato.udfs.decision.Admission;
import io.moderato.udfs.decision.CapacityLimiter;
import io.moderato.udfs.decision.ReviewAdmission;
import io.moderato.udfs.decision.ReviewPriority;
import io.moderato.udfs.metrics.WeightedConfusion;
import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.SplittableRandom;

/**
 * Simulates one window of a {@link Scenario}: every item of the window with its true label and
 * score, the DetectionJob's routing (ACTION audited at the ACTION rate, REVIEW all routed to review,
 * ALLOW audited at the ALLOW rate), the review queue's admission under capacity, and the labels of
 * the admitted items accumulated with weight 1/propensity into the FeedbackJob's accumulators.
 *
 * <p>Items arrive in order over one hour of event time; review priority is
 * {@link ReviewPriority#priority} with severity 1 and reach 1,000, so it follows the model's
 * uncertainty. Every item consumes the same five draws whatever the routing, so the items — and
 * the truth — of a seed do not depend on the admission rule.
 */
public final class WindowSimulator {

    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long T0 = 1_767_225_600_000L;
    private static final long REACH = 1_000;

    private final ScoreWorld world;

    public WindowSimulator(ScoreWorld world) {
        this.world = world;
    }

    /** One window of the scenario for one seed. */
    public SimulatedWindow simulate(Scenario scenario, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int items = scenario.items(world);
        SimulatedWindow window = new SimulatedWindow(items);
        CapacityLimiter shared = new CapacityLimiter();
        CapacityLimiter routed = new CapacityLimiter();
        CapacityLimiter audits = new CapacityLimiter();
        int capacity = capacityPerMinute(scenario, items);
        for (int i = 0; i < items; i++) {
            boolean violating = random.nextDouble() < scenario.prevalence();
            int bin = world.bin(violating, random.nextDouble());
            double score = Math.min(1.0, (bin + random.nextDouble()) / ScoreWorld.BINS);
            double auditDraw = random.nextDouble();
            double capacityDraw = random.nextDouble();
            window.truth(bin, violating);

            double rate;
            boolean audit;
            if (ScoreWorld.isReview(bin)) {
                rate = 1.0;
                audit = false;
            } else {
                rate = ScoreWorld.isAction(bin) ? scenario.actionAudit() : scenario.allowAudit();
                audit = true;
                window.auditDue(rate);
                if (auditDraw >= rate) {
                    continue;
                }
            }
            long eventTime = T0 + i * HOUR_MILLIS / items;
            double priority = ReviewPriority.priority(1.0, REACH, score);
            Admission admission = switch (scenario.admission()) {
                case ALL -> new Admission(true, 1.0);
                case SHARED -> shared.admit(eventTime, priority, capacityDraw, capacity);
                case AUDIT_FIRST ->
                    ReviewAdmission.admit(routed, audits, audit, eventTime, priority, capacityDraw, capacity);
            };
            if (!admission.admitted()) {
                continue;
            }
            window.label(score, bin, violating, rate * admission.probability(), audit);
        }
        return window;
    }

    /** The queue's capacity: the scenario's share of its expected arrivals per minute (routed + audits). */
    private int capacityPerMinute(Scenario s, int items) {
        double perMinute = items
                / 60.0
                * (world.reviewShare(s.prevalence())
                        + world.actionShare(s.prevalence()) * s.actionAudit()
                        + world.allowShare(s.prevalence()) * s.allowAudit());
        return (int) Math.max(1, Math.round(s.capacityShare() * perMinute));
    }

    /** A simulated window: the truth over all its items and the accumulators of its labels. */
    public static final class SimulatedWindow {
        final int items;
        final long[] violating = new long[ScoreWorld.BINS];
        final long[] benign = new long[ScoreWorld.BINS];
        final WeightedConfusion atAction = new WeightedConfusion();
        final WeightedScoreHistogram histogram = new WeightedScoreHistogram(ScoreWorld.BINS);
        int labels;
        int auditsLabelled;
        double auditsDue;
        double maxWeight;

        SimulatedWindow(int items) {
            this.items = items;
        }

        void truth(int bin, boolean isViolating) {
            (isViolating ? violating : benign)[bin]++;
        }

        void auditDue(double rate) {
            auditsDue += rate;
        }

        void label(double score, int bin, boolean isViolating, double propensity, boolean audit) {
            double weight = 1.0 / propensity;
            atAction.add(score, ScoreWorld.isAction(bin), isViolating, weight, audit);
            histogram.add(score, isViolating, weight, audit);
            labels++;
            if (audit) {
                auditsLabelled++;
            }
            maxWeight = Math.max(maxWeight, weight);
        }

        /** True precision of all items scoring at or above edge k; NaN when none does. */
        double truePrecision(int edge) {
            long tp = 0;
            long fp = 0;
            for (int b = edge; b < ScoreWorld.BINS; b++) {
                tp += violating[b];
                fp += benign[b];
            }
            return tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
        }

        /** True recall at edge k; NaN when the window has no violating item. */
        double trueRecall(int edge) {
            return shareAtOrAbove(violating, edge);
        }

        /** True false-positive rate at edge k; NaN when the window has no benign item. */
        double trueFalsePositiveRate(int edge) {
            return shareAtOrAbove(benign, edge);
        }

        /** The share of the items counted per bin that score at or above edge k; NaN without items. */
        private static double shareAtOrAbove(long[] perBin, int edge) {
            long above = 0;
            long all = 0;
            for (int b = 0; b < ScoreWorld.BINS; b++) {
                all += perBin[b];
                if (b >= edge) {
                    above += perBin[b];
                }
            }
            return all == 0 ? Double.NaN : (double) above / all;
        }

        /**
         * The oracle threshold for "precision ≥ p": walking down from the top edge, the lowest edge
         * reached while every non-empty edge so far has true precision ≥ p; -1 when the top fails.
         */
        int oracleEdge(double minimumPrecision) {
            int oracle = -1;
            for (int k = ScoreWorld.BINS - 1; k >= 0; k--) {
                double precision = truePrecision(k);
                if (Double.isNaN(precision)) {
                    continue;
                }
                if (precision < minimumPrecision) {
                    break;
                }
                oracle = k;
            }
            return oracle;
        }
    }
}
