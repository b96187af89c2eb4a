package io.moderato.jobs.feedback;

import io.moderato.udfs.feedback.ComplianceDay;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Merges {@link ComplianceDelta}s per policy × day in memory before the keyBy to the compliance
 * operator (chained to the operator producing them): a delta is a whole {@link ComplianceDay}
 * (≈ 5 KB, mostly its two time histograms), so shipping and merging one per label would cost more
 * than the label's join. Merging is exact ({@link ComplianceDay#merge} adds every field), so only
 * the timing changes: a day's deltas are emitted before the watermark that passes the day's end is
 * forwarded (afterwards at every watermark, i.e. every auto-watermark interval), before every
 * checkpoint barrier and at end of input — the operator keeps no state and loses nothing.
 */
public final class ComplianceCombiner extends ComplianceDayBuffer
        implements OneInputStreamOperator<ComplianceDelta, ComplianceDelta> {

    @Override
    public void processElement(StreamRecord<ComplianceDelta> element) throws Exception {
        ComplianceDelta delta = element.getValue();
        ComplianceDelta merged = pending.get(delta.key());
        if (merged == null) {
            pending.put(delta.key(), ComplianceDelta.of(delta.policyId, delta.dayStartMillis, delta.day.copy()));
        } else {
            merged.day.merge(delta.day);
        }
    }
}
