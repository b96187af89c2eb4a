package io.moderato.jobs.feedback;

import io.moderato.jobs.common.FlushingOperator;
import io.moderato.udfs.feedback.ComplianceDay;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Merges {@link ComplianceDelta}s per policy × day in memory before the keyBy to the compliance
 * operator (chained to the operator producing them): a delta is a whole {@link ComplianceDay}
 * (≈ 5 KB, mostly its two time histograms), so shipping and merging one per label would cost more
 * than the label's join. Merging is exact ({@link ComplianceDay#merge} adds every field), so only
 * the timing changes: a day's deltas are emitted before the watermark that passes the day's end is
 * forwarded (afterwards at every watermark, i.e. every auto-watermark interval), before every
 * checkpoint barrier and at end of input — the operator keeps no state and loses nothing.
 */
public final class ComplianceCombiner extends FlushingOperator<ComplianceDelta>
        implements OneInputStreamOperator<ComplianceDelta, ComplianceDelta> {

    private transient Map<String, ComplianceDelta> pending;

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

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

    /** Emits the days whose last millisecond is at or before {@code upTo}. */
    @Override
    protected void flush(long upTo) {
        if (pending.isEmpty()) {
            return;
        }
        List<ComplianceDelta> ready = new ArrayList<>();
        for (Iterator<ComplianceDelta> it = pending.values().iterator(); it.hasNext(); ) {
            ComplianceDelta delta = it.next();
            if (upTo == Long.MAX_VALUE || delta.dayStartMillis + ComplianceDay.DAY_MILLIS - 1 <= upTo) {
                ready.add(delta);
                it.remove();
            }
        }
        for (ComplianceDelta delta : ready) {
            output.collect(new StreamRecord<>(delta, delta.dayStartMillis));
        }
    }
}
