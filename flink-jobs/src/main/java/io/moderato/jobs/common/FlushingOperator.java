package io.moderato.jobs.common;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * An operator that holds records in memory between calls (a micro-batch, partial aggregates) and
 * so must hand them on: before a watermark passes them (they would be late downstream), before a
 * checkpoint barrier (snapshots then never contain the buffer) and at the end of input.
 */
public abstract class FlushingOperator<OUT> extends AbstractStreamOperator<OUT> {

    /** Emits what is held and complete at event time {@code upTo}; {@code Long.MAX_VALUE}: everything. */
    protected abstract void flush(long upTo) throws Exception;

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush(mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(Long.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush(Long.MAX_VALUE);
        super.finish();
    }
}
