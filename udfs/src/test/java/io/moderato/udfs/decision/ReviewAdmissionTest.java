package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The audit-first admission rule on seeded queue traffic: routed candidates whose priority follows
 * the model's uncertainty (high near 0.5) and audit samples on confident scores (low priority), at
 * 60 % of the queue's load — the situation in which the shared limiter shed the audit sample.
 */
class ReviewAdmissionTest {

    private static final long MINUTE = CapacityLimiter.MINUTE_MILLIS;
    private static final long T0 = 1_767_225_600_000L;

    /** What a run admitted: audits, routed items and the IPW estimate of the routed arrivals. */
    private record Run(
            int audits,
            int auditsAdmitted,
            int routed,
            double routedIpw,
            int[] admittedPerMinute,
            double minAuditPropensity) {}

    /**
     * {@code routedPerMinute} routed candidates (risk 0.5..0.8) and {@code auditsPerMinute} audit
     * samples (risk near 0 or 1) per minute for {@code minutes}, capacity {@code capacity}.
     */
    private static Run run(boolean auditFirst, int routedPerMinute, int auditsPerMinute, int minutes, int capacity) {
        Random random = new Random(11);
        DeterministicSampler sampler = new DeterministicSampler(11);
        CapacityLimiter shared = new CapacityLimiter();
        CapacityLimiter routed = new CapacityLimiter();
        CapacityLimiter audits = new CapacityLimiter();
        int auditCount = 0;
        int auditsAdmitted = 0;
        int routedCount = 0;
        double routedIpw = 0;
        double minAuditPropensity = 1;
        int[] admittedPerMinute = new int[minutes];
        int id = 0;
        for (int m = 0; m < minutes; m++) {
            int arrivals = routedPerMinute + auditsPerMinute;
            for (int i = 0; i < arrivals; i++) {
                long t = T0 + m * MINUTE + i * MINUTE / arrivals;
                boolean audit = random.nextInt(arrivals) < auditsPerMinute;
                double risk = audit
                        ? (random.nextBoolean() ? 0.01 : 0.97) + 0.02 * random.nextDouble()
                        : 0.5 + 0.3 * random.nextDouble();
                double priority = ReviewPriority.priority(2.0, 1_000, risk);
                double draw = sampler.uniform("c-" + id++, "capacity:q");
                Admission a = auditFirst
                        ? ReviewAdmission.admit(routed, audits, audit, t, priority, draw, capacity)
                        : shared.admit(t, priority, draw, capacity);
                if (a.admitted()) {
                    admittedPerMinute[m]++;
                }
                if (audit) {
                    auditCount++;
                    auditsAdmitted += a.admitted() ? 1 : 0;
                    minAuditPropensity = Math.min(minAuditPropensity, a.probability());
                } else {
                    routedCount++;
                    routedIpw += a.admitted() ? 1.0 / a.probability() : 0.0;
                }
            }
        }
        return new Run(auditCount, auditsAdmitted, routedCount, routedIpw, admittedPerMinute, minAuditPropensity);
    }

    @Test
    void shouldAdmitEveryAuditSampleWithProbabilityOneAtSixtyPercentCapacity() {
        // 80 routed + 20 audits per minute, capacity 60: the audits take 20, routed share the other 40
        Run run = run(true, 80, 20, 90, 60);
        assertThat(run.auditsAdmitted()).isEqualTo(run.audits());
        assertThat(run.minAuditPropensity()).isEqualTo(1.0);
    }

    @Test
    void shouldShedAuditSamplesUnderTheSharedLimiter() {
        // the behaviour issue 11 measured: low-priority audits admitted near the 1 % floor
        Run run = run(false, 80, 20, 90, 60);
        assertThat((double) run.auditsAdmitted() / run.audits()).isLessThan(0.2);
        assertThat(run.minAuditPropensity()).isLessThan(0.05);
    }

    @Test
    void shouldGiveRoutedCandidatesWhatTheAuditsLeaveAndKeepTheirWeightsUnbiased() {
        Run run = run(true, 80, 20, 90, 60);
        // after the first minute (no history yet) the queue takes about its capacity
        double steady = java.util.Arrays.stream(run.admittedPerMinute(), 1, 90)
                .average()
                .orElseThrow();
        assertThat(steady).isCloseTo(60, within(6.0));
        // Σ 1/p over admitted routed candidates estimates all routed arrivals
        assertThat(run.routedIpw()).isCloseTo(run.routed(), within(0.05 * run.routed()));
    }

    @Test
    void shouldLetAuditsOverflowAQueueTooSmallForThemAndHoldRoutedCandidatesAtTheFloor() {
        CapacityLimiter routed = new CapacityLimiter();
        CapacityLimiter audits = new CapacityLimiter();
        for (int i = 0; i < 30; i++) {
            assertThat(ReviewAdmission.admit(routed, audits, true, T0 + i, 0.1, 0.99, 10)
                            .probability())
                    .isEqualTo(1.0);
        }
        // 30 audits this minute against a capacity of 10: routed candidates get capacity 1 and p ≤ 1
        Admission a = ReviewAdmission.admit(routed, audits, false, T0 + 40, 1.0, 0.5, 10);
        assertThat(a.probability()).isBetween(CapacityLimiter.P_MIN, 1.0);
        assertThat(routed.arrivals).isEqualTo(1);
        assertThat(audits.arrivals).isEqualTo(30);
        assertThatThrownBy(() -> ReviewAdmission.admit(routed, audits, false, T0, 1.0, 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRecogniseTheAuditReasons() {
        assertThat(ReviewAdmission.isAuditReason(PolicyDecider.AUDIT_ALLOW)).isTrue();
        assertThat(ReviewAdmission.isAuditReason(PolicyDecider.AUDIT_ACTION)).isTrue();
        assertThat(ReviewAdmission.isAuditReason("THRESHOLD")).isFalse();
        assertThat(ReviewAdmission.isAuditReason(null)).isFalse();
    }
}
