package io.moderato.udfs.decision;

/**
 * Admission of review candidates to a queue under its soft capacity, with the audit sample
 * protected: a candidate that carries an audit reason (a random AUDIT_ALLOW / AUDIT_ACTION draw of
 * some policy) is always admitted, with probability 1, so every audit propensity stays exactly the
 * configured rate it was drawn at; routed candidates (THRESHOLD, ESCALATION) share what is left of
 * the capacity after the audit load, through a {@link CapacityLimiter} of their own, and carry its
 * admission probability.
 *
 * <p>Why: review priority rises with the model's uncertainty, so under one shared limiter audit
 * tasks on confident scores got close to the 1 % floor. At 60 % capacity the audited ALLOW labels of
 * a window fell to about a tenth, their weights reached 10⁴ and the IPW metrics became biased. The
 * audit sample is the only unbiased view of what the model lets through; its size is a policy
 * decision (the audit rates), so it is a budget of its own, not something capacity pressure trades
 * away. Routed items remain correctly weighted: their propensity is the admission probability.
 *
 * <p>The audit budget is taken from the queue's capacity first: routed candidates are admitted
 * against {@code capacity − ⌈expected audit load⌉} (at least 1), where the audit load is the
 * arrivals EWMA of a second {@link CapacityLimiter} that records only audit candidates. When the
 * audit rates alone exceed a queue's capacity, audits still all go through (the queue overflows
 * by their excess) and routed candidates fall to the limiter's 1 % floor: size the audit rates to
 * the queues.
 *
 * <p>Plain Java: both limiters are Flink POJOs the caller keeps in keyed state per queue.
 */
public final class ReviewAdmission {

    private ReviewAdmission() {}

    /** Whether a review reason is a random audit draw (AUDIT_ALLOW, AUDIT_ACTION), whose propensity must stay as drawn. */
    public static boolean isAuditReason(String reason) {
        return PolicyDecider.AUDIT_ALLOW.equals(reason) || PolicyDecider.AUDIT_ACTION.equals(reason);
    }

    /**
     * Admits one candidate and records it in the limiter of its kind.
     *
     * @param routed      the queue's limiter for routed candidates
     * @param audits      the queue's limiter that only tracks the audit load
     * @param auditSample whether the candidate carries at least one audit reason
     * @param priority    the candidate's {@link ReviewPriority}
     * @param uniformDraw a uniform draw in [0, 1) independent of the candidate's other draws
     * @param capacityPerMinute the queue's soft capacity, ≥ 1
     * @return admitted with probability 1 for an audit sample, else the routed limiter's admission
     */
    public static Admission admit(
            CapacityLimiter routed,
            CapacityLimiter audits,
            boolean auditSample,
            long eventTimeMillis,
            double priority,
            double uniformDraw,
            int capacityPerMinute) {
        if (capacityPerMinute < 1) {
            throw new IllegalArgumentException("capacityPerMinute = " + capacityPerMinute + " must be >= 1");
        }
        if (auditSample) {
            // an unbounded capacity: the limiter only counts the arrival, its probability is 1
            return audits.admit(eventTimeMillis, priority, 0.0, Integer.MAX_VALUE);
        }
        double auditLoad = audits.expectedLoadAt(eventTimeMillis);
        int routedCapacity = (int) Math.max(1, capacityPerMinute - Math.ceil(auditLoad));
        return routed.admit(eventTimeMillis, priority, uniformDraw, routedCapacity);
    }
}
