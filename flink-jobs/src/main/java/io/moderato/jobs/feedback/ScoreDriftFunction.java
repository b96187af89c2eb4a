package io.moderato.jobs.feedback;

import io.moderato.schemas.DriftAlert;
import io.moderato.udfs.drift.DriftSignal;
import io.moderato.udfs.drift.KolmogorovSmirnov;
import io.moderato.udfs.drift.PopulationStabilityIndex;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by policy | modality | model:version. Merges the pre-aggregated score counts of every
 * decision (labelled or not) per tumbling event-time window and, when the watermark passes the
 * window's end, compares them with a reference: the model manifest's histogram for that policy
 * ({@link Reference#MANIFEST}: the validation data the model was trained beside), or the model
 * version's own first windows of the same kind ({@link Reference#TRAFFIC}: the windows ending within
 * {@code baselineMillis} of the first one's start, and any further ones until it holds {@code minItems}
 * scores, form the reference and are not tested; a new model version starts a new baseline, and a baseline not
 * read for {@code baselineIdleMillis} — a retired version's — expires). Either way: PSI
 * (regrouped into ≤ 10 equal-reference-mass groups) and KS (the reference treated as a sample of
 * its item count). A statistic above its threshold emits a {@link DriftAlert} (WARNING, or CRITICAL
 * at {@code criticalRatio} × threshold). Windows with fewer than {@code minItems} scores, or models
 * without a reference, are not tested (counted). Partials for a window that was already evaluated
 * are dropped and counted as late. Window state is removed at evaluation: nothing stays behind.
 */
public final class ScoreDriftFunction extends KeyedProcessFunction<String, ScoreWindow, DriftAlert> {

    /**
     * Windows with fewer than {@code minItems} scores are not tested; PSI alerts above
     * {@code psiThreshold}, KS at significance {@code ksAlpha} and only above {@code ksMinStatistic};
     * an alert is CRITICAL at {@code criticalRatio} × its threshold.
     */
    public record Settings(
            int minItems,
            double psiThreshold,
            double ksAlpha,
            double ksMinStatistic,
            double criticalRatio,
            Reference reference,
            long baselineMillis,
            long baselineIdleMillis)
            implements Serializable {

        /** Against the manifests' references. */
        public Settings(
                int minItems, double psiThreshold, double ksAlpha, double ksMinStatistic, double criticalRatio) {
            this(minItems, psiThreshold, ksAlpha, ksMinStatistic, criticalRatio, Reference.MANIFEST, 0, 0);
        }
    }

    /** What a window's scores are compared with. */
    public enum Reference {
        /** The model manifest's reference histogram (its validation data). */
        MANIFEST,
        /** The model version's own first windows on this platform. */
        TRAFFIC
    }

    private final ReferenceHistograms references;
    private final int minItems;
    private final double psiThreshold;
    private final double ksAlpha;
    private final double ksMinStatistic;
    private final double criticalRatio;
    private final Reference referenceSource;
    private final long baselineMillis;
    private final long baselineIdleMillis;

    private transient MapState<String, ScoreWindow> windows;
    private transient MapState<String, TrafficBaseline> baselines;
    private transient PopulationStabilityIndex psi;
    private transient KolmogorovSmirnov ks;
    private transient MetricGroup metrics;
    private transient Counter lateScores;
    private transient Counter thinWindows;
    private transient Counter withoutReference;
    private transient Counter windowsTested;
    private transient Counter baselineWindows;
    private transient Map<String, double[]> gaugeValues;
    private transient Map<String, Counter> alertCounters;

    public ScoreDriftFunction(ReferenceHistograms references, Settings settings) {
        this.references = references;
        this.minItems = settings.minItems();
        this.psiThreshold = settings.psiThreshold();
        this.ksAlpha = settings.ksAlpha();
        this.ksMinStatistic = settings.ksMinStatistic();
        this.criticalRatio = settings.criticalRatio();
        this.referenceSource = settings.reference();
        this.baselineMillis = settings.baselineMillis();
        this.baselineIdleMillis = settings.baselineIdleMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(FeedbackState.scoreWindows());
        MapStateDescriptor<String, TrafficBaseline> baselineState = FeedbackState.trafficBaselines();
        if (baselineIdleMillis > 0) {
            // a retired model version's baseline is not read any more: let it go (processing time, as all state TTL)
            baselineState.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(baselineIdleMillis))
                    .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        baselines = getRuntimeContext().getMapState(baselineState);
        psi = new PopulationStabilityIndex(
                psiThreshold, PopulationStabilityIndex.DEFAULT_EPSILON, PopulationStabilityIndex.DEFAULT_GROUPS);
        ks = new KolmogorovSmirnov(ksAlpha, ksMinStatistic);
        metrics = getRuntimeContext().getMetricGroup();
        lateScores = metrics.counter("scoresAfterDriftWindowClosed");
        thinWindows = metrics.counter("driftWindowsTooThin");
        withoutReference = metrics.counter("driftWindowsWithoutReference");
        windowsTested = metrics.counter("driftWindowsTested");
        baselineWindows = metrics.counter("driftWindowsInTrafficBaseline");
        gaugeValues = new HashMap<>();
        alertCounters = new HashMap<>();
    }

    @Override
    public void processElement(ScoreWindow partial, Context ctx, Collector<DriftAlert> out) throws Exception {
        if (partial.end - 1 <= ctx.timerService().currentWatermark()) {
            lateScores.inc(partial.items);
            return;
        }
        String id = partial.windowId();
        ScoreWindow window = windows.get(id);
        if (window == null) {
            window = ScoreWindow.of(
                    partial.policyId,
                    partial.modality,
                    partial.model,
                    partial.version,
                    partial.kind,
                    partial.start,
                    partial.end);
            ctx.timerService().registerEventTimeTimer(partial.end - 1);
        }
        window.merge(partial);
        windows.put(id, window);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DriftAlert> out) throws Exception {
        List<Map.Entry<String, ScoreWindow>> due = new ArrayList<>();
        for (Map.Entry<String, ScoreWindow> entry : windows.entries()) {
            if (entry.getValue().end - 1 <= timestamp) {
                due.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        // by kind, then in time order: a traffic baseline is made of each kind's first windows
        due.sort(Comparator.comparingLong((Map.Entry<String, ScoreWindow> e) -> e.getValue().end - e.getValue().start)
                .thenComparingLong(e -> e.getValue().start));
        for (Map.Entry<String, ScoreWindow> entry : due) {
            evaluate(entry.getValue(), out);
            windows.remove(entry.getKey());
        }
    }

    private void evaluate(ScoreWindow window, Collector<DriftAlert> out) throws Exception {
        TrafficBaseline baseline = null;
        if (referenceSource == Reference.TRAFFIC) {
            baseline = baselines.get(window.kind);
            if (baseline == null) {
                baseline = TrafficBaseline.startingAt(window.start);
            }
            if (baseline.covers(window, baselineMillis, minItems)) {
                baseline.add(window);
                baselines.put(window.kind, baseline);
                baselineWindows.inc();
                return; // a baseline window is not tested
            }
        }
        if (window.items < minItems) {
            thinWindows.inc();
            return;
        }
        // past its period a baseline holds at least minItems scores (covers() kept it growing until then)
        Optional<ReferenceHistograms.Reference> found = baseline == null
                ? references.reference(window.model, window.version, window.policyId)
                : Optional.of(ReferenceHistograms.ofFineCounts(baseline.counts));
        if (found.isEmpty()) {
            withoutReference.inc();
            return;
        }
        windowsTested.inc();
        ReferenceHistograms.Reference reference = found.get();
        double[] expected = reference.histogram().counts();
        double[] observed = reference.regroup(window.counts);
        DriftSignal psiSignal = grade(psi.evaluate(expected, observed));
        DriftSignal ksSignal =
                grade(ks.evaluate(expected, observed, reference.histogram().total()));
        track(window, psiSignal, ksSignal);
        for (DriftSignal signal : List.of(psiSignal, ksSignal)) {
            if (signal.isAlert()) {
                out.collect(alert(window, signal, reference, baseline));
            }
        }
    }

    private DriftSignal grade(DriftSignal signal) {
        return DriftSignal.of(signal.detector(), signal.statistic(), signal.threshold(), criticalRatio);
    }

    /** @param baseline the traffic baseline {@code reference} was made of, or null for a manifest reference */
    private DriftAlert alert(
            ScoreWindow window, DriftSignal signal, ReferenceHistograms.Reference reference, TrafficBaseline baseline) {
        Map<String, String> details = new TreeMap<>();
        details.put("windowKind", window.kind);
        details.put("items", Long.toString(window.items));
        details.put("reference", window.model + ":" + window.version + "/" + window.policyId);
        details.put("referenceSource", referenceSource.name());
        if (baseline != null) {
            details.put("baselineStartMillis", Long.toString(baseline.start));
            details.put("baselineEndMillis", Long.toString(baseline.end));
        }
        details.put(
                "referenceItems", Long.toString(Math.round(reference.histogram().total())));
        details.put("referenceBins", Integer.toString(reference.histogram().counts().length));
        details.put("binsAligned", Boolean.toString(reference.exact()));
        alertCounters
                .computeIfAbsent(
                        window.key() + '\u0000' + signal.detector(),
                        k -> group(window)
                                .addGroup("detector", signal.detector())
                                .counter("alerts"))
                .inc();
        return DriftAlert.newBuilder()
                .setPolicyId(window.policyId)
                .setModelVersion(window.model + ":" + window.version)
                .setModality(window.modality)
                .setDetector(signal.detector())
                .setStatistic(signal.statistic())
                .setThreshold(signal.threshold())
                .setSeverity(signal.severity().name())
                .setWindowStartMillis(window.start)
                .setWindowEndMillis(window.end)
                .setDetectedAtMillis(window.end - 1)
                .setDetails(details)
                .build();
    }

    /** Gauges per policy × modality × model × window kind: the latest PSI and KS statistics. */
    private void track(ScoreWindow window, DriftSignal psiSignal, DriftSignal ksSignal) {
        String id = window.key() + '\u0000' + window.kind;
        double[] values = gaugeValues.get(id);
        if (values == null) {
            double[] fresh = new double[2];
            MetricGroup group = group(window).addGroup("window", window.kind);
            group.addGroup("detector", PopulationStabilityIndex.NAME).gauge("statistic", () -> fresh[0]);
            group.addGroup("detector", KolmogorovSmirnov.NAME).gauge("statistic", () -> fresh[1]);
            gaugeValues.put(id, fresh);
            values = fresh;
        }
        values[0] = psiSignal.statistic();
        values[1] = ksSignal.statistic();
    }

    private MetricGroup group(ScoreWindow window) {
        return metrics.addGroup("policy", window.policyId)
                .addGroup("modality", window.modality)
                .addGroup("model", window.model + ":" + window.version);
    }
}
