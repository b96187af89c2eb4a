package io.moderato.udfs.metrics.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One simulated review-sampling world: how many labels a window holds, the prevalence of
 * violations, the audit rates of the ALLOW and ACTION bands, and the review queue's capacity as a
 * share of its load with the admission rule that applies it. Everything else (score model,
 * thresholds) is fixed in {@link ScoreWorld}.
 *
 * @param windowLabels the expected number of labelled items per window (sets the window's item count)
 * @param prevalence share of violating items
 * @param allowAudit audit rate of ALLOW items (score below the review threshold)
 * @param actionAudit audit rate of ACTION items (score at or above the action threshold)
 * @param capacityShare the queue's capacity per minute as a share of its expected arrivals; 1 = no pressure
 * @param admission how candidates are admitted when capacity binds
 */
public record Scenario(
        int windowLabels,
        double prevalence,
        double allowAudit,
        double actionAudit,
        double capacityShare,
        Admission admission) {

    /** The admission rule of the review queue. */
    public enum Admission {
        /** Every candidate is admitted (no capacity pressure). */
        ALL,
        /** One capacity limiter for every candidate, priority-weighted: the rule before issue 11. */
        SHARED,
        /** Audit samples admitted first with probability 1, routed candidates share the rest (ReviewAdmission). */
        AUDIT_FIRST
    }

    public Scenario {
        if (windowLabels < 1
                || !(prevalence > 0 && prevalence < 1)
                || !(allowAudit > 0 && allowAudit <= 1)
                || !(actionAudit > 0 && actionAudit <= 1)
                || !(capacityShare > 0 && capacityShare <= 1)) {
            throw new IllegalArgumentException("bad scenario " + windowLabels + ", " + prevalence + ", " + allowAudit
                    + ", " + actionAudit + ", " + capacityShare);
        }
        if ((capacityShare < 1.0) == (admission == Admission.ALL)) {
            throw new IllegalArgumentException("capacity pressure needs an admission rule and vice versa");
        }
    }

    /** A world without capacity pressure. */
    public static Scenario of(int windowLabels, double prevalence, double allowAudit, double actionAudit) {
        return new Scenario(windowLabels, prevalence, allowAudit, actionAudit, 1.0, Admission.ALL);
    }

    /** Items per window so that the expected label count (without capacity pressure) is {@link #windowLabels}. */
    public int items(ScoreWorld world) {
        double labelledShare = world.reviewShare(prevalence)
                + world.actionShare(prevalence) * actionAudit
                + world.allowShare(prevalence) * allowAudit;
        return (int) Math.round(windowLabels / labelledShare);
    }

    /** A stable, readable name, e.g. "300 labels, prev 3%, audit 5%/1%" (ALLOW/ACTION rates). */
    public String name() {
        String base = String.format(
                Locale.ROOT,
                "%d labels, prev %s, audit %s/%s",
                windowLabels,
                percent(prevalence),
                percent(allowAudit),
                percent(actionAudit));
        return admission == Admission.ALL
                ? base
                : base
                        + String.format(
                                Locale.ROOT,
                                ", capacity %s (%s)",
                                percent(capacityShare),
                                admission == Admission.SHARED ? "shared" : "audit first");
    }

    private static String percent(double x) {
        double p = 100.0 * x;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * The grid: windows of 130, 300 and 1,000 labels × prevalence 1 %, 3 %, 5 % × audit
     * rates (ALLOW/ACTION) 1 %/5 %, 5 %/1 %, 5 %/5 %, 20 %/20 %.
     */
    public static List<Scenario> shortAndLongWindows() {
        List<Scenario> grid = new ArrayList<>();
        for (int labels : new int[] {130, 300, 1_000}) {
            for (double prevalence : new double[] {0.01, 0.03, 0.05}) {
                for (double[] audit : AUDIT_RATES) {
                    grid.add(of(labels, prevalence, audit[0], audit[1]));
                }
            }
        }
        return grid;
    }

    /**
     * Review capacity at 60 % of the queue's load, under the shared limiter (before) and with the
     * audit sample admitted first (after): 1,000-label windows, prevalence 3 % and 5 %, audit rates
     * 1 %/5 % and 5 %/5 %.
     */
    public static List<Scenario> capacityPressure() {
        List<Scenario> grid = new ArrayList<>();
        for (double prevalence : new double[] {0.03, 0.05}) {
            for (double[] audit : new double[][] {{0.01, 0.05}, {0.05, 0.05}}) {
                for (Admission admission : new Admission[] {Admission.SHARED, Admission.AUDIT_FIRST}) {
                    grid.add(new Scenario(1_000, prevalence, audit[0], audit[1], 0.6, admission));
                }
            }
        }
        return grid;
    }

    /**
     * Cumulative-sized windows (3,000 and 10,000 labels), where a threshold recommendation becomes
     * possible: prevalence 1 %, 3 %, 5 % × audit rates 1 %/5 %, 5 %/5 %, 20 %/20 %.
     */
    public static List<Scenario> cumulativeWindows() {
        List<Scenario> grid = new ArrayList<>();
        for (int labels : new int[] {3_000, 10_000}) {
            for (double prevalence : new double[] {0.01, 0.03, 0.05}) {
                for (double[] audit : new double[][] {{0.01, 0.05}, {0.05, 0.05}, {0.20, 0.20}}) {
                    grid.add(of(labels, prevalence, audit[0], audit[1]));
                }
            }
        }
        return grid;
    }

    private static final double[][] AUDIT_RATES = {{0.01, 0.05}, {0.05, 0.01}, {0.05, 0.05}, {0.20, 0.20}};
}
