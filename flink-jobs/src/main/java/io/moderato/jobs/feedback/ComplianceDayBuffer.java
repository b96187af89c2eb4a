package io.moderato.jobs.feedback;

import io.moderato.jobs.common.FlushingOperator;
import io.moderato.udfs.feedback.ComplianceDay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Compliance deltas per policy × UTC day held in memory by a stateless pre-aggregating operator and
 * emitted once their day is complete at the watermark, before every checkpoint barrier and at end of
 * input ({@link FlushingOperator}), each stamped with its day's start.
 */
abstract class ComplianceDayBuffer extends FlushingOperator<ComplianceDelta> {

    /** The deltas not yet emitted, by {@link ComplianceDelta#key()}. */
    protected transient Map<String, ComplianceDelta> pending;

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

    /** Emits the days whose last millisecond is at or before {@code upTo} ({@code Long.MAX_VALUE}: all). */
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
