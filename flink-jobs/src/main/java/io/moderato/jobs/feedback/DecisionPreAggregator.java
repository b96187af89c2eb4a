package io.moderato.jobs.feedback;

import io.moderato.jobs.common.FlushingOperator;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Local pre-aggregation of every decision's scores before the keyed drift operator: there are only
 * a handful of policy × modality × model keys, so sending each score through a keyBy would funnel
 * the whole decision stream into a few subtasks and a state access per score. Instead each subtask
 * counts scores into per-window {@link ScoreWindow} partials in memory and emits them when the
 * watermark passes the window's end, and all of them before every checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}) and at end of input — so the operator holds no state of its
 * own and loses nothing on failure. Partials are emitted before the watermark that closes their
 * window, so downstream they are never late unless the decision itself was.
 *
 * <p>A decision's score for a policy and modality is attributed to the active model of that
 * modality listed in {@code RiskDecision.modelVersions}; scores outside [0, 1] or without such a
 * model are skipped and counted. Decisions behind the watermark are counted as late and skipped
 * for windows already closed.
 */
public final class DecisionPreAggregator extends FlushingOperator<ScoreWindow>
        implements OneInputStreamOperator<RiskDecision, ScoreWindow> {

    private final long[] windowSizes;

    private transient Map<String, ScoreWindow> partials;
    private transient long watermark;
    private transient Counter lateScores;
    private transient Counter unattributedScores;

    public DecisionPreAggregator(long[] windowSizes) {
        this.windowSizes = windowSizes.clone();
    }

    @Override
    public void open() throws Exception {
        super.open();
        partials = new HashMap<>();
        watermark = Long.MIN_VALUE;
        lateScores = getMetricGroup().counter("lateScores");
        unattributedScores = getMetricGroup().counter("unattributedScores");
    }

    @Override
    public void processElement(StreamRecord<RiskDecision> element) throws Exception {
        RiskDecision decision = element.getValue();
        long eventTime = decision.getEventTimeMillis();
        for (PolicyDecision policy : decision.getPolicies()) {
            for (Map.Entry<String, Double> score : policy.getModalityScores().entrySet()) {
                ModelVersion model = activeModel(decision, score.getKey());
                Double value = score.getValue();
                if (model == null || value == null || !(value >= 0.0 && value <= 1.0)) {
                    unattributedScores.inc();
                    continue;
                }
                for (long size : windowSizes) {
                    long start = Windows.start(eventTime, size);
                    if (start + size - 1 <= watermark) {
                        lateScores.inc();
                        continue;
                    }
                    String id =
                            ScoreWindow.key(policy.getPolicyId(), score.getKey(), model.getName(), model.getVersion())
                                    + '\u0000' + size + "@" + start;
                    ScoreWindow partial = partials.get(id);
                    if (partial == null) {
                        partial = ScoreWindow.of(
                                policy.getPolicyId(),
                                score.getKey(),
                                model.getName(),
                                model.getVersion(),
                                Windows.kind(size),
                                start,
                                start + size);
                        partials.put(id, partial);
                    }
                    partial.add(value);
                }
            }
        }
    }

    private static ModelVersion activeModel(RiskDecision decision, String modality) {
        for (ModelVersion model : decision.getModelVersions()) {
            if (model.getModality().equals(modality)) {
                return model;
            }
        }
        return null;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    /** Emits the partials of windows ending at or before {@code upTo} (all of them for Long.MAX_VALUE). */
    @Override
    protected void flush(long upTo) {
        List<ScoreWindow> ready = new ArrayList<>();
        for (Iterator<ScoreWindow> it = partials.values().iterator(); it.hasNext(); ) {
            ScoreWindow partial = it.next();
            if (upTo == Long.MAX_VALUE || partial.end - 1 <= upTo) {
                ready.add(partial);
                it.remove();
            }
        }
        for (ScoreWindow partial : ready) {
            output.collect(new StreamRecord<>(partial, partial.end - 1));
        }
    }
}
