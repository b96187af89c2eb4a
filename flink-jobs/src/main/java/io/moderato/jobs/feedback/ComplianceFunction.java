package io.moderato.jobs.feedback;

import io.moderato.schemas.ComplianceReport;
import io.moderato.udfs.feedback.ComplianceDay;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by policy | UTC day (of the decisions' event time: the day is a cohort). Merges the
 * day's {@link ComplianceDelta}s and emits its {@link ComplianceReport} when the watermark passes
 * the end of the day; labels, tasks and appeals keep arriving for days, so a changed report is
 * re-emitted at most every {@code updateInterval} of event time, and a last time (if changed) when
 * the day is dropped {@code retention} after its end. Readers keep the report with the latest
 * {@code generatedAtMillis}, which is the event time of the emitting timer (never the wall clock).
 * A delta for a day already dropped is counted ({@code complianceUpdatesAfterRetention}) and
 * ignored: a fresh accumulator would publish a partial day over the complete one.
 */
public final class ComplianceFunction extends KeyedProcessFunction<String, ComplianceDelta, ComplianceReport> {

    private final long updateIntervalMillis;
    private final long retentionMillis;
    private final double confidence;
    private final int minimumAuditedLabels;

    private transient ValueState<ComplianceState> state;
    private transient Counter reports;
    private transient Counter afterRetention;

    /**
     * A changed day is re-emitted at most every {@code updateIntervalMillis} of event time and dropped
     * {@code retentionMillis} after its end; its intervals have {@code confidence}, and recall is
     * withheld below {@code minimumAuditedLabels} (feedback.metrics.recall.min-false-negative-labels).
     */
    public record Settings(long updateIntervalMillis, long retentionMillis, double confidence, int minimumAuditedLabels)
            implements Serializable {}

    public ComplianceFunction(Settings settings) {
        this.updateIntervalMillis = settings.updateIntervalMillis();
        this.retentionMillis = settings.retentionMillis();
        this.confidence = settings.confidence();
        this.minimumAuditedLabels = settings.minimumAuditedLabels();
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(FeedbackState.complianceDay());
        reports = getRuntimeContext().getMetricGroup().counter("complianceReports");
        afterRetention = getRuntimeContext().getMetricGroup().counter("complianceUpdatesAfterRetention");
    }

    private long firstReport(long dayStart) {
        return dayStart + ComplianceDay.DAY_MILLIS - 1;
    }

    private long cleanup(long dayStart) {
        return firstReport(dayStart) + retentionMillis;
    }

    @Override
    public void processElement(ComplianceDelta delta, Context ctx, Collector<ComplianceReport> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (cleanup(delta.dayStartMillis) <= watermark) {
            afterRetention.inc();
            return;
        }
        ComplianceState current = state.value();
        if (current == null) {
            current = new ComplianceState();
            current.day = new ComplianceDay();
            ctx.timerService().registerEventTimeTimer(firstReport(delta.dayStartMillis));
            ctx.timerService().registerEventTimeTimer(cleanup(delta.dayStartMillis));
        }
        current.day.merge(delta.day);
        current.dirty = true;
        if (current.reported && current.updateTimer == 0) {
            // the next tick of the update grid after the watermark, never past the cleanup
            long first = firstReport(delta.dayStartMillis);
            long ticks = Math.max(1, Math.floorDiv(watermark - first, updateIntervalMillis) + 1);
            long next = Math.min(first + ticks * updateIntervalMillis, cleanup(delta.dayStartMillis));
            ctx.timerService().registerEventTimeTimer(next);
            current.updateTimer = next;
        }
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ComplianceReport> out) throws Exception {
        ComplianceState current = state.value();
        if (current == null) {
            return;
        }
        String key = ctx.getCurrentKey();
        int bar = key.lastIndexOf('\u0000');
        String policyId = key.substring(0, bar);
        long dayStart = Long.parseLong(key.substring(bar + 1));
        if (current.dirty) {
            out.collect(current.day.toReport(policyId, dayStart, timestamp, confidence, minimumAuditedLabels));
            reports.inc();
            current.dirty = false;
        }
        if (timestamp == firstReport(dayStart)) {
            current.reported = true;
        }
        if (timestamp == current.updateTimer) {
            current.updateTimer = 0;
        }
        if (timestamp >= cleanup(dayStart)) {
            if (current.updateTimer != 0) {
                ctx.timerService().deleteEventTimeTimer(current.updateTimer);
            }
            state.clear();
            return;
        }
        state.update(current);
    }
}
