package io.moderato.jobs.feedback;

import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.feedback.ComplianceDay;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Counts every decision into a {@link ComplianceDay} per policy × UTC day of its event time
 * ({@link ComplianceDay#addDecision}) in memory, before the keyBy to the compliance operator: every
 * decision counts, so one delta per decision would cost a 5 KB day each. A day's delta is emitted
 * when the watermark passes the day's end, before every checkpoint barrier and at end of input; the
 * operator keeps no state and loses nothing on failure.
 */
public final class DecisionComplianceCounter extends ComplianceDayBuffer
        implements OneInputStreamOperator<RiskDecision, ComplianceDelta> {

    @Override
    public void processElement(StreamRecord<RiskDecision> element) {
        RiskDecision decision = element.getValue();
        long day = ComplianceDay.dayStartMillis(decision.getEventTimeMillis());
        for (PolicyDecision policy : decision.getPolicies()) {
            pending.computeIfAbsent(
                            policy.getPolicyId() + '\u0000' + day,
                            k -> ComplianceDelta.of(policy.getPolicyId(), day, new ComplianceDay()))
                    .day
                    .addDecision(decision, policy);
        }
    }
}
