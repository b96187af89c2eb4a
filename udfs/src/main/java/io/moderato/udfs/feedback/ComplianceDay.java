package io.moderato.udfs.feedback;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.Estimate;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.WeightedConfusion;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Mergeable accumulator of the transparency numbers (EU DSA Art. 15 style) of one policy for one UTC
 * day, turned into a {@link ComplianceReport} by {@link #toReport}. The day is a <b>cohort</b>: the
 * caller keys every input by (policyId, {@link #dayStartMillis(long) day of the item's event time}),
 * so reviews, labels and appeals that happen days later still count on the day the item was decided.
 *
 * <p>What counts where:
 * <ul>
 *   <li>{@link #addDecision}: every decision of the policy; band ACTION or BLOCK is an automated
 *       action, its time to action is {@code decidedAtMillis - eventTimeMillis}.</li>
 *   <li>{@link #addTask}: one routed review task (ReviewTask with a reason for the policy).</li>
 *   <li>{@link #addLabel}: one new label on an item, with the item's adjudication before and after it.
 *       The label is counted by source; the item's contribution under the previous adjudication is
 *       retracted and the one under the new adjudication added, so every item counts once, with its
 *       latest verdict, however many labels arrive. An item's contribution: labelled item; action
 *       after review when not auto-actioned and adjudicated violating (time to action = deciding
 *       label's time − event time); an appeal, overturned when the appeal verdict differs from the
 *       earlier labels' adjudication or, with none, from the automated decision (ACTION / BLOCK =
 *       violating); and, when it came through the review sample (a REVIEW or AUDIT label and a
 *       propensity in (0, 1]), one observation of a {@link WeightedConfusion} at the decision's own
 *       action threshold with weight 1/propensity (an audit sample when PolicyDecision.auditSampled),
 *       from which precision and recall are estimated.</li>
 * </ul>
 *
 * <p>Times to action go into two fixed log-scale histograms ({@value #BINS_PER_DECADE} bins per decade
 * from 1 ms to 10<sup>10</sup> ms ≈ 116 days, one bin below 1 ms and one overflow bin), so the state is
 * bounded whatever the volume (2 × 322 longs). The median reported is the geometric centre of the bin
 * holding the lower median (the value of rank ⌈n/2⌉), rounded to a whole millisecond: within
 * 10<sup>1/64</sup> − 1 ≈ 3.66% (+ 0.5 ms rounding) of the exact lower median; 10<sup>10</sup> ms when
 * it lies in the overflow bin.
 *
 * <p>A Flink POJO: public no-arg constructor, only primitive and primitive-array fields with getters
 * and setters, no Java serialization. {@link #merge} is exact for counts and adds weight sums.
 */
public class ComplianceDay {

    public static final long DAY_MILLIS = 86_400_000L;
    public static final int BINS_PER_DECADE = 32;
    public static final int DECADES = 10;
    /** Bin 0: below 1 ms; bins 1..320: [10^((i-1)/32), 10^(i/32)) ms; last bin: 10^10 ms and above. */
    public static final int TIME_BINS = BINS_PER_DECADE * DECADES + 2;

    /** Label sources counted, in the order of {@link #labelsBySource}; anything else is OTHER. */
    static final String[] SOURCES = {
        LabelAdjudicator.REVIEW, LabelAdjudicator.AUDIT, LabelAdjudicator.APPEAL, LabelAdjudicator.ADJUDICATION, "OTHER"
    };

    /** The 13 sums of a {@link WeightedConfusion} and its 4 counts of audit samples. */
    private static final int CONFUSION_CELLS = 17;

    private long decisions;
    private long actionsAutomated;
    private long actionsAfterReview;
    private long reviewTasks;
    private long labelledItems;
    private long estimateItems;
    private long appeals;
    private long appealsOverturned;
    private long[] labelsBySource = new long[SOURCES.length];
    /** The net {@link WeightedConfusion} of the items in the estimate, as its 17 sums (see {@link #confusion()}). */
    private double[] confusion = new double[CONFUSION_CELLS];

    private long[] automatedActionTimes = new long[TIME_BINS];
    private long[] reviewedActionTimes = new long[TIME_BINS];

    /** An empty day. */
    public ComplianceDay() {}

    /** Start (UTC midnight) of the day holding {@code eventTimeMillis}: the key the caller groups by. */
    public static long dayStartMillis(long eventTimeMillis) {
        return Math.floorDiv(eventTimeMillis, DAY_MILLIS) * DAY_MILLIS;
    }

    /**
     * Counts one decision of the policy: always a decision, and an automated action when the band is
     * ACTION or BLOCK.
     */
    public ComplianceDay addDecision(RiskDecision decision, PolicyDecision policy) {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(policy, "policy");
        decisions++;
        if (isAutomatedAction(policy.getBand())) {
            actionsAutomated++;
            automatedActionTimes[timeBin(decision.getDecidedAtMillis() - decision.getEventTimeMillis())]++;
        }
        return this;
    }

    /** Counts one review task routed for the policy of {@code reason} (one of the task's reasons). */
    public ComplianceDay addTask(ReviewTask task, ReviewReason reason) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(reason, "reason");
        if (!task.getReasons().contains(reason)) {
            throw new IllegalArgumentException("reason for policy " + reason.getPolicyId()
                    + " is not one of the reasons of the task of contentId " + task.getContentId());
        }
        reviewTasks++;
        return this;
    }

    /**
     * Counts one new label on an item of the day and moves the item from its previous adjudication to
     * its current one.
     *
     * @param label    the label that just arrived
     * @param previous the item's adjudication before this label, null for its first label
     * @param current  the item's adjudication including this label
     * @param decision the item's decision
     * @param policy   the decision's entry for the labelled policy
     * @return false when the label was an exact duplicate (the adjudication's label count did not grow):
     *         nothing is counted then
     * @throws IllegalArgumentException when label, adjudications and decision are not about the same
     *         item and policy
     */
    public boolean addLabel(
            ReviewLabel label,
            Adjudication previous,
            Adjudication current,
            RiskDecision decision,
            PolicyDecision policy) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(policy, "policy");
        String contentId = decision.getContentId();
        String policyId = policy.getPolicyId();
        requireSameItem(contentId, policyId, label.getContentId(), label.getPolicyId(), "label");
        requireSameItem(contentId, policyId, current.contentId(), current.policyId(), "current adjudication");
        if (previous != null) {
            requireSameItem(contentId, policyId, previous.contentId(), previous.policyId(), "previous adjudication");
            if (previous.labelCount() >= current.labelCount()) {
                return false;
            }
        }
        labelsBySource[sourceIndex(label.getSource())]++;
        if (previous != null) {
            contribute(previous, decision, policy, -1);
        }
        contribute(current, decision, policy, +1);
        return true;
    }

    /** Adds all of {@code other} into this. Counts add exactly, so merging is associative and commutative. */
    public ComplianceDay merge(ComplianceDay other) {
        decisions += other.decisions;
        actionsAutomated += other.actionsAutomated;
        actionsAfterReview += other.actionsAfterReview;
        reviewTasks += other.reviewTasks;
        labelledItems += other.labelledItems;
        estimateItems += other.estimateItems;
        appeals += other.appeals;
        appealsOverturned += other.appealsOverturned;
        add(labelsBySource, other.labelsBySource, 1);
        for (int i = 0; i < CONFUSION_CELLS; i++) {
            confusion[i] += other.confusion[i];
        }
        add(automatedActionTimes, other.automatedActionTimes, 1);
        add(reviewedActionTimes, other.reviewedActionTimes, 1);
        return this;
    }

    /** A deep copy. */
    public ComplianceDay copy() {
        return new ComplianceDay().merge(this);
    }

    /** {@link #toReport(String, long, long, double, int)} at the default 95% confidence and recall guard. */
    public ComplianceReport toReport(String policyId, long dayStartMillis, long generatedAtMillis) {
        return toReport(
                policyId,
                dayStartMillis,
                generatedAtMillis,
                Intervals.DEFAULT_CONFIDENCE,
                QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS);
    }

    /**
     * The report of this day.
     *
     * @param dayStartMillis    the UTC midnight the inputs were keyed by
     * @param generatedAtMillis when the report is produced (the caller's clock or watermark, never read here)
     * @param confidence        two-sided confidence level of the precision and recall intervals
     * @param minimumAuditedLabels recall's guard ({@link WeightedConfusion#recall(double, int)})
     */
    public ComplianceReport toReport(
            String policyId, long dayStartMillis, long generatedAtMillis, double confidence, int minimumAuditedLabels) {
        Objects.requireNonNull(policyId, "policyId");
        if (dayStartMillis(dayStartMillis) != dayStartMillis) {
            throw new IllegalArgumentException("dayStartMillis " + dayStartMillis + " is not a UTC midnight");
        }
        WeightedConfusion c = confusion();
        ProportionEstimate precision = c.precision(confidence);
        ProportionEstimate recall = c.recall(confidence, minimumAuditedLabels);
        Map<String, Long> bySource = new LinkedHashMap<>();
        for (int i = 0; i < SOURCES.length; i++) {
            if (i < SOURCES.length - 1 || labelsBySource[i] != 0) {
                bySource.put(SOURCES[i], labelsBySource[i]);
            }
        }
        long[] allTimes = automatedActionTimes.clone();
        add(allTimes, reviewedActionTimes, 1);
        return ComplianceReport.newBuilder()
                .setPolicyId(policyId)
                .setDayStartMillis(dayStartMillis)
                .setDayEndMillis(dayStartMillis + DAY_MILLIS)
                .setDecisions(decisions)
                .setActionsAutomated(actionsAutomated)
                .setActionsAfterReview(actionsAfterReview)
                .setMedianTimeToActionMillis(medianMillis(allTimes))
                .setMedianTimeToAutomatedActionMillis(medianMillis(automatedActionTimes))
                .setMedianTimeToReviewedActionMillis(medianMillis(reviewedActionTimes))
                .setReviewTasks(reviewTasks)
                .setLabelledItems(labelledItems)
                .setLabelsBySource(bySource)
                .setEstimateItems(estimateItems)
                .setIntervalConfidence(confidence)
                .setPrecision(toSchema(precision))
                .setRecall(toSchema(recall))
                .setWithheld(withheld(precision, recall))
                .setAppeals(appeals)
                .setAppealsOverturned(appealsOverturned)
                .setAppealOverturnRate(appeals > 0 ? (double) appealsOverturned / appeals : null)
                .setGeneratedAtMillis(generatedAtMillis)
                .build();
    }

    /**
     * The IPW confusion of the items in the estimate. Cells whose item count went back to 0 through
     * retractions get their weight sums reset to 0, so floating-point residue cannot define an estimate.
     */
    public WeightedConfusion confusion() {
        WeightedConfusion c = new WeightedConfusion();
        double[] v = confusion;
        boolean tp = v[8] != 0;
        boolean fp = v[9] != 0;
        boolean tn = v[10] != 0;
        boolean fn = v[11] != 0;
        c.setTruePositiveWeight(tp ? v[0] : 0);
        c.setFalsePositiveWeight(fp ? v[1] : 0);
        c.setTrueNegativeWeight(tn ? v[2] : 0);
        c.setFalseNegativeWeight(fn ? v[3] : 0);
        c.setTruePositiveSquaredWeight(tp ? v[4] : 0);
        c.setFalsePositiveSquaredWeight(fp ? v[5] : 0);
        c.setTrueNegativeSquaredWeight(tn ? v[6] : 0);
        c.setFalseNegativeSquaredWeight(fn ? v[7] : 0);
        c.setTruePositiveCount(Math.round(v[8]));
        c.setFalsePositiveCount(Math.round(v[9]));
        c.setTrueNegativeCount(Math.round(v[10]));
        c.setFalseNegativeCount(Math.round(v[11]));
        c.setWeightedSquaredError(v[12]);
        c.setTruePositiveAuditedCount(Math.round(v[13]));
        c.setFalsePositiveAuditedCount(Math.round(v[14]));
        c.setTrueNegativeAuditedCount(Math.round(v[15]));
        c.setFalseNegativeAuditedCount(Math.round(v[16]));
        return c;
    }

    /** True for the automated-action bands ACTION (published) and BLOCK (pre-publish). */
    public static boolean isAutomatedAction(String band) {
        return "ACTION".equals(band) || "BLOCK".equals(band);
    }

    /**
     * Whether an appeal overturned the decision it was against: the appeal's verdict differs from the
     * adjudication of the earlier labels or, with no earlier label, from the automated decision
     * (ACTION / BLOCK counts as "violating", any other band as "not violating"). False without appeal.
     */
    public static boolean appealOverturned(Adjudication adjudication, PolicyDecision policy) {
        if (!adjudication.appealed()) {
            return false;
        }
        boolean before = adjudication.previousViolating() != null
                ? adjudication.previousViolating()
                : isAutomatedAction(policy.getBand());
        return adjudication.violating() != before;
    }

    /** Histogram bin of a time to action; negative times (clock skew) count as 0. */
    static int timeBin(long millis) {
        if (millis < 1) {
            return 0;
        }
        int bin = (int) Math.floor(Math.log10(millis) * BINS_PER_DECADE);
        return bin >= BINS_PER_DECADE * DECADES ? TIME_BINS - 1 : 1 + bin;
    }

    /** The value a bin reports: 0, its geometric centre, or 10^10 ms for the overflow bin. */
    static long binValue(int bin) {
        if (bin == 0) {
            return 0;
        }
        if (bin == TIME_BINS - 1) {
            return (long) Math.pow(10, DECADES);
        }
        return Math.round(Math.pow(10, (bin - 0.5) / BINS_PER_DECADE));
    }

    /** Lower median (rank ⌈n/2⌉) of a time histogram, null when empty. */
    static Long medianMillis(long[] histogram) {
        long n = Arrays.stream(histogram).sum();
        if (n <= 0) {
            return null;
        }
        long rank = (n + 1) / 2;
        long seen = 0;
        for (int bin = 0; bin < histogram.length; bin++) {
            seen += histogram[bin];
            if (seen >= rank) {
                return binValue(bin);
            }
        }
        throw new IllegalStateException("unreachable: histogram total " + n);
    }

    private void contribute(Adjudication a, RiskDecision decision, PolicyDecision policy, int sign) {
        labelledItems += sign;
        if (!isAutomatedAction(policy.getBand()) && a.violating()) {
            actionsAfterReview += sign;
            reviewedActionTimes[timeBin(a.labelledAtMillis() - decision.getEventTimeMillis())] += sign;
        }
        if (a.appealed()) {
            appeals += sign;
            if (appealOverturned(a, policy)) {
                appealsOverturned += sign;
            }
        }
        double propensity = policy.getPropensity();
        if (a.inReviewSample() && propensity > 0.0 && propensity <= 1.0) {
            estimateItems += sign;
            double risk = policy.getFusedRisk();
            WeightedConfusion one = new WeightedConfusion()
                    .add(
                            risk,
                            risk >= policy.getActionThreshold(),
                            a.violating(),
                            1.0 / propensity,
                            policy.getAuditSampled());
            double[] cells = cells(one);
            for (int i = 0; i < CONFUSION_CELLS; i++) {
                confusion[i] += sign * cells[i];
            }
        }
    }

    private static double[] cells(WeightedConfusion c) {
        return new double[] {
            c.getTruePositiveWeight(),
            c.getFalsePositiveWeight(),
            c.getTrueNegativeWeight(),
            c.getFalseNegativeWeight(),
            c.getTruePositiveSquaredWeight(),
            c.getFalsePositiveSquaredWeight(),
            c.getTrueNegativeSquaredWeight(),
            c.getFalseNegativeSquaredWeight(),
            c.getTruePositiveCount(),
            c.getFalsePositiveCount(),
            c.getTrueNegativeCount(),
            c.getFalseNegativeCount(),
            c.getWeightedSquaredError(),
            c.getTruePositiveAuditedCount(),
            c.getFalsePositiveAuditedCount(),
            c.getTrueNegativeAuditedCount(),
            c.getFalseNegativeAuditedCount()
        };
    }

    private static Map<String, String> withheld(ProportionEstimate precision, ProportionEstimate recall) {
        Map<String, String> reasons = new LinkedHashMap<>();
        if (precision.isWithheld()) {
            reasons.put("precision", precision.withheldReason());
        }
        if (recall.isWithheld()) {
            reasons.put("recall", recall.withheldReason());
        }
        return reasons;
    }

    private static Estimate toSchema(ProportionEstimate e) {
        if (!e.isDefined()) {
            return null;
        }
        return Estimate.newBuilder()
                .setValue(e.value())
                .setLower(e.lower())
                .setUpper(e.upper())
                .build();
    }

    private static int sourceIndex(String source) {
        String s = LabelAdjudicator.normalised(source);
        for (int i = 0; i < SOURCES.length - 1; i++) {
            if (SOURCES[i].equals(s)) {
                return i;
            }
        }
        return SOURCES.length - 1;
    }

    private static void requireSameItem(
            String contentId, String policyId, String otherContent, String otherPolicy, String what) {
        if (!contentId.equals(otherContent) || !policyId.equals(otherPolicy)) {
            throw new IllegalArgumentException(what + " is about contentId " + otherContent + ", policy " + otherPolicy
                    + " but the decision is about contentId " + contentId + ", policy " + policyId);
        }
    }

    private static void add(long[] into, long[] from, int sign) {
        for (int i = 0; i < into.length; i++) {
            into[i] += sign * from[i];
        }
    }

    // ---- POJO accessors (Flink state) -------------------------------------------------------

    public long getDecisions() {
        return decisions;
    }

    public void setDecisions(long decisions) {
        this.decisions = decisions;
    }

    public long getActionsAutomated() {
        return actionsAutomated;
    }

    public void setActionsAutomated(long actionsAutomated) {
        this.actionsAutomated = actionsAutomated;
    }

    public long getActionsAfterReview() {
        return actionsAfterReview;
    }

    public void setActionsAfterReview(long actionsAfterReview) {
        this.actionsAfterReview = actionsAfterReview;
    }

    public long getReviewTasks() {
        return reviewTasks;
    }

    public void setReviewTasks(long reviewTasks) {
        this.reviewTasks = reviewTasks;
    }

    public long getLabelledItems() {
        return labelledItems;
    }

    public void setLabelledItems(long labelledItems) {
        this.labelledItems = labelledItems;
    }

    public long getEstimateItems() {
        return estimateItems;
    }

    public void setEstimateItems(long estimateItems) {
        this.estimateItems = estimateItems;
    }

    public long getAppeals() {
        return appeals;
    }

    public void setAppeals(long appeals) {
        this.appeals = appeals;
    }

    public long getAppealsOverturned() {
        return appealsOverturned;
    }

    public void setAppealsOverturned(long appealsOverturned) {
        this.appealsOverturned = appealsOverturned;
    }

    public long[] getLabelsBySource() {
        return labelsBySource;
    }

    public void setLabelsBySource(long[] labelsBySource) {
        this.labelsBySource = labelsBySource;
    }

    public double[] getConfusion() {
        return confusion;
    }

    /**
     * State written before the audit counts existed holds 13 sums: padded with zero counts, which
     * can only make recall's guard withhold more.
     */
    public void setConfusion(double[] confusion) {
        this.confusion = confusion.length < CONFUSION_CELLS ? Arrays.copyOf(confusion, CONFUSION_CELLS) : confusion;
    }

    public long[] getAutomatedActionTimes() {
        return automatedActionTimes;
    }

    public void setAutomatedActionTimes(long[] automatedActionTimes) {
        this.automatedActionTimes = automatedActionTimes;
    }

    public long[] getReviewedActionTimes() {
        return reviewedActionTimes;
    }

    public void setReviewedActionTimes(long[] reviewedActionTimes) {
        this.reviewedActionTimes = reviewedActionTimes;
    }

    @Override
    public String toString() {
        return "ComplianceDay{decisions=" + decisions + ", automated=" + actionsAutomated + ", afterReview="
                + actionsAfterReview + ", tasks=" + reviewTasks + ", labelled=" + labelledItems + ", appeals=" + appeals
                + '}';
    }
}
