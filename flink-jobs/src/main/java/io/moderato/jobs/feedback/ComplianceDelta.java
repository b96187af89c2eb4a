package io.moderato.jobs.feedback;

import io.moderato.udfs.feedback.ComplianceDay;

/**
 * A change to one policy × UTC day's compliance numbers, on its way to the operator that keeps the
 * day: decisions pre-aggregated per subtask, one review task, or one label with the retraction of
 * the item's previous verdict ({@link ComplianceDay#addLabel}). Deltas add with
 * {@link ComplianceDay#merge}, in any order. A Flink POJO.
 */
public class ComplianceDelta {

    public String policyId;
    /** UTC midnight of the items' decision event time (the day is a cohort of decisions). */
    public long dayStartMillis;

    public ComplianceDay day;

    public ComplianceDelta() {}

    public static ComplianceDelta of(String policyId, long dayStartMillis, ComplianceDay day) {
        ComplianceDelta delta = new ComplianceDelta();
        delta.policyId = policyId;
        delta.dayStartMillis = dayStartMillis;
        delta.day = day;
        return delta;
    }

    /** The compliance key: policy, day start (NUL-separated; the day is the part after the last NUL). */
    public String key() {
        return policyId + '\u0000' + dayStartMillis;
    }

    @Override
    public String toString() {
        return "ComplianceDelta{" + policyId + "@" + dayStartMillis + ", " + day + '}';
    }
}
