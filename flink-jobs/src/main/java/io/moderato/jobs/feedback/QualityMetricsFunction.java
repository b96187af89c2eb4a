package io.moderato.jobs.feedback;

import io.moderato.jobs.common.BroadcastPolicyBook;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.Estimate;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.drift.Adwin;
import io.moderato.udfs.drift.DriftSignal;
import io.moderato.udfs.drift.PageHinkley;
import io.moderato.udfs.metrics.PrecisionObligation;
import io.moderato.udfs.metrics.QualityReport;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by policy × model version × surface (and "*" for all surfaces). Accumulates the
 * inverse-propensity-weighted confusion and score histograms of labelled items per tumbling
 * event-time window of the decisions' event time ({@code windowSizes}, e.g. 1 h and 24 h) and emits
 * one {@link MetricSnapshot} per window once the watermark is {@code labelGraceMillis} past its end
 * (labels come hours after the decision). Each closed window of the shortest size is merged into a
 * cumulative accumulator, emitted with it. An item whose window already closed counts in the
 * cumulative one only (shortest size) and is counted as {@code labelsAfterWindowClosed}.
 *
 * <p>On the all-surfaces keys it also runs ADWIN and Page-Hinkley on each item's first
 * review-sample verdict (error indicator and positive indicator), reset when the policy config
 * version of the decisions changes, and emits a {@link DriftAlert} to
 * {@link FeedbackState#LABEL_DRIFT_ALERTS} when one fires.
 *
 * <p>The broadcast policy config gives the live action threshold reported with each snapshot, the
 * precision obligation behind {@code recommendedThreshold} and the review threshold behind its
 * review volume. The counts themselves are those of
 * the decisions actually taken (the decision's own threshold), exact across threshold changes.
 */
public final class QualityMetricsFunction
        extends KeyedBroadcastProcessFunction<String, LabelledItem, PolicyConfig, MetricSnapshot> {

    /** Surface of the all-surfaces keys. */
    public static final String ALL_SURFACES = "*";

    /** Defaults of the PolicyConfig schema, for policies the job has no config for. */
    static final PrecisionObligation DEFAULT_OBLIGATION = new PrecisionObligation(0.95, 0.95);

    /**
     * How the metrics are computed: tumbling window sizes, how long after a window's end labels are
     * still awaited, the confidence and thin-window floor of every interval, and the label-based
     * change detectors' parameters.
     */
    public record Settings(
            long[] windowSizes, long labelGraceMillis, double confidence, int minFalseNegatives, LabelDrift labelDrift)
            implements Serializable {
        public Settings {
            if (windowSizes.length == 0) {
                throw new IllegalArgumentException("at least one window size is needed");
            }
            windowSizes = windowSizes.clone();
            Arrays.sort(windowSizes);
        }
    }

    /** ADWIN δ, Page-Hinkley δ and λ, and the ratio to the threshold at which an alert is critical. */
    public record LabelDrift(double adwinDelta, double phDelta, double phLambda, double criticalRatio)
            implements Serializable {}

    private final List<PolicyConfig> defaults;
    private final long[] windowSizes;
    private final long labelGraceMillis;
    private final double confidence;
    private final int minFalseNegatives;
    private final LabelDrift labelDriftSettings;

    private transient MapState<String, MetricWindow> windows;
    private transient ValueState<MetricWindow> cumulative;
    private transient ValueState<LabelDriftState> labelDrift;
    private transient BroadcastPolicyBook book;

    private transient MetricGroup metrics;
    private transient Counter labelsAfterWindowClosed;
    private transient Counter labelsDroppedForWindow;
    private transient Counter snapshotsEmitted;
    private transient Counter recallSuppressed;
    private transient Counter driftItemsFromOlderConfig;
    private transient Map<String, MetricSnapshot> latest;
    private transient Map<String, Counter> alertCounters;
    private transient Map<String, double[]> detectorGauges;

    /** {@code defaults}: the policy configs used for policies the broadcast side has not yet configured. */
    public QualityMetricsFunction(List<PolicyConfig> defaults, Settings settings) {
        this.defaults = List.copyOf(defaults);
        this.windowSizes = settings.windowSizes();
        this.labelGraceMillis = settings.labelGraceMillis();
        this.confidence = settings.confidence();
        this.minFalseNegatives = settings.minFalseNegatives();
        this.labelDriftSettings = settings.labelDrift();
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(FeedbackState.metricWindows());
        cumulative = getRuntimeContext().getState(FeedbackState.cumulative());
        labelDrift = getRuntimeContext().getState(FeedbackState.labelDrift());
        book = new BroadcastPolicyBook(defaults, config -> {});
        metrics = getRuntimeContext().getMetricGroup();
        labelsAfterWindowClosed = metrics.counter("labelsAfterWindowClosed");
        labelsDroppedForWindow = metrics.counter("labelsAfterLongerWindowClosed");
        snapshotsEmitted = metrics.counter("metricSnapshots");
        recallSuppressed = metrics.counter("recallSuppressedThinWindow");
        driftItemsFromOlderConfig = metrics.counter("labelDriftItemsFromOlderConfig");
        latest = new HashMap<>();
        alertCounters = new HashMap<>();
        detectorGauges = new HashMap<>();
    }

    // ---------------------------------------------------------------- config (broadcast side)

    @Override
    public void processBroadcastElement(PolicyConfig config, Context ctx, Collector<MetricSnapshot> out)
            throws Exception {
        book.offer(config, ctx.getBroadcastState(FeedbackState.POLICY_CONFIGS));
    }

    // ---------------------------------------------------------------- labelled items (keyed side)

    @Override
    public void processElement(LabelledItem item, ReadOnlyContext ctx, Collector<MetricSnapshot> out) throws Exception {
        book.loaded(ctx.getBroadcastState(FeedbackState.POLICY_CONFIGS).immutableEntries());
        long watermark = ctx.timerService().currentWatermark();
        for (int i = 0; i < windowSizes.length; i++) {
            long size = windowSizes[i];
            long start = Windows.start(item.eventTimeMillis, size);
            long due = emissionTime(start + size);
            if (due > watermark) {
                String id = Windows.kind(size) + "@" + start;
                MetricWindow window = windows.get(id);
                if (window == null) {
                    window = MetricWindow.of(item, Windows.kind(size), start, start + size);
                    ctx.timerService().registerEventTimeTimer(due);
                }
                windows.put(id, window.apply(item));
            } else if (i == 0) {
                labelsAfterWindowClosed.inc();
                MetricWindow total = cumulative.value();
                if (total == null) {
                    total = MetricWindow.of(item, Windows.CUMULATIVE, start, start + size);
                }
                cumulative.update(total.apply(item));
            } else {
                labelsDroppedForWindow.inc();
            }
        }
        if (ALL_SURFACES.equals(item.surface) && item.isFirstVerdict()) {
            detectChange(item, ctx);
        }
    }

    /** The window [.., end) is final when the watermark passes its last millisecond plus the label grace. */
    private long emissionTime(long end) {
        return end - 1 + labelGraceMillis;
    }

    // ---------------------------------------------------------------- window end

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricSnapshot> out) throws Exception {
        // after a restore a timer can come before any element: the live config is in the broadcast state
        book.loaded(ctx.getBroadcastState(FeedbackState.POLICY_CONFIGS).immutableEntries());
        List<Map.Entry<String, MetricWindow>> due = new ArrayList<>();
        for (Map.Entry<String, MetricWindow> entry : windows.entries()) {
            if (emissionTime(entry.getValue().end) <= timestamp) {
                due.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        due.sort(Comparator.comparingLong((Map.Entry<String, MetricWindow> e) -> e.getValue().end - e.getValue().start)
                .thenComparingLong(e -> e.getValue().start));
        String kindOfShortest = Windows.kind(windowSizes[0]);
        for (Map.Entry<String, MetricWindow> entry : due) {
            MetricWindow window = entry.getValue();
            emit(window, out);
            if (window.kind.equals(kindOfShortest)) {
                MetricWindow total = cumulative.value();
                if (total == null) {
                    total = MetricWindow.of(new LabelledItem(), Windows.CUMULATIVE, window.start, window.end);
                    total.policyId = window.policyId;
                    total.modelVersion = window.modelVersion;
                    total.surface = window.surface;
                }
                total.merge(window);
                cumulative.update(total);
                emit(total, out);
            }
            windows.remove(entry.getKey());
        }
    }

    private void emit(MetricWindow window, Collector<MetricSnapshot> out) {
        PolicyConfig config = book.book().get(window.policyId);
        double threshold = config != null
                ? config.getActionThreshold()
                : Double.isNaN(window.lastActionThreshold) ? 1.0 : window.lastActionThreshold;
        PrecisionObligation obligation = config != null
                ? new PrecisionObligation(config.getPrecisionObligation(), config.getObligationConfidence())
                : DEFAULT_OBLIGATION;
        double reviewThreshold = config != null ? config.getReviewThreshold() : Double.NaN;
        MetricSnapshot snapshot = MetricSnapshots.of(
                window.policyId,
                window.modelVersion,
                window.surface,
                window,
                threshold,
                new QualityReport.Settings(confidence, minFalseNegatives, obligation, reviewThreshold));
        if (snapshot.getWithheld().containsKey("recall")) {
            recallSuppressed.inc();
        }
        snapshotsEmitted.inc();
        track(window, snapshot);
        out.collect(snapshot);
    }

    /** Gauges per policy × surface × window kind, reading the latest snapshot of that kind. */
    private void track(MetricWindow window, MetricSnapshot snapshot) {
        String id = window.policyId + '\u0000' + window.surface + '\u0000' + snapshot.getWindowKind();
        if (!latest.containsKey(id)) {
            MetricGroup group = metrics.addGroup("policy", window.policyId)
                    .addGroup("surface", window.surface)
                    .addGroup("window", snapshot.getWindowKind());
            group.gauge("precision", () -> value(latest.get(id).getPrecision()));
            group.gauge("recall", () -> value(latest.get(id).getRecall()));
            group.gauge("falsePositiveRate", () -> value(latest.get(id).getFalsePositiveRate()));
            group.gauge("prevalence", () -> value(latest.get(id).getPrevalence()));
            group.gauge("recommendedThreshold", () -> {
                Double t = latest.get(id).getRecommendedThreshold();
                return t == null ? Double.NaN : t;
            });
            group.gauge("labelCount", () -> latest.get(id).getLabelCount());
            group.gauge("expectedCalibrationError", () -> {
                Double ece = latest.get(id).getExpectedCalibrationError();
                return ece == null ? Double.NaN : ece;
            });
        }
        latest.put(id, snapshot);
    }

    private static double value(Estimate estimate) {
        return estimate == null ? Double.NaN : estimate.getValue();
    }

    // ---------------------------------------------------------------- label-based change detection

    private void detectChange(LabelledItem item, ReadOnlyContext ctx) throws Exception {
        LabelDriftState state = labelDrift.value();
        if (state == null || item.configVersion > state.configVersion) {
            state = LabelDriftState.watching(item.configVersion, labelDriftSettings);
        } else if (item.configVersion < state.configVersion) {
            driftItemsFromOlderConfig.inc();
            return;
        }
        state.observed(item.eventTimeMillis);
        double error = item.currentViolating != item.predictedPositive ? 1.0 : 0.0;
        double positive = item.currentViolating ? 1.0 : 0.0;
        if (state.errorAdwin.add(error)) {
            alert(item, state, "error", state.errorAdwin.lastSignal(), adwinDetails(state.errorAdwin), ctx);
        }
        if (state.positiveAdwin.add(positive)) {
            alert(item, state, "positive", state.positiveAdwin.lastSignal(), adwinDetails(state.positiveAdwin), ctx);
        }
        if (state.errorPageHinkley.add(error)) {
            alert(item, state, "error", state.errorPageHinkley.lastSignal(), Map.of("direction", "increase"), ctx);
        }
        if (state.positivePageHinkley.add(positive)) {
            alert(
                    item,
                    state,
                    "positive",
                    state.positivePageHinkley.lastSignal(),
                    Map.of("direction", state.positivePageHinkley.lastWasIncrease() ? "increase" : "decrease"),
                    ctx);
        }
        labelDrift.update(state);
        gauge(item.policyId, "error", state.errorAdwin.mean(), state.errorPageHinkley.statistic());
        gauge(item.policyId, "positive", state.positiveAdwin.mean(), state.positivePageHinkley.statistic());
    }

    /** Gauges per policy × stream: ADWIN's window mean (the current rate) and Page-Hinkley's statistic. */
    private void gauge(String policyId, String stream, double adwinMean, double pageHinkley) {
        double[] values = detectorGauges.get(policyId + '\u0000' + stream);
        if (values == null) {
            double[] fresh = new double[2];
            MetricGroup group = metrics.addGroup("policy", policyId).addGroup("stream", stream);
            group.addGroup("detector", Adwin.NAME).gauge("mean", () -> fresh[0]);
            group.addGroup("detector", PageHinkley.NAME).gauge("statistic", () -> fresh[1]);
            detectorGauges.put(policyId + '\u0000' + stream, fresh);
            values = fresh;
        }
        values[0] = adwinMean;
        values[1] = pageHinkley;
    }

    private static Map<String, String> adwinDetails(Adwin adwin) {
        return Map.of(
                "meanBefore",
                Double.toString(adwin.getLastMeanBefore()),
                "meanAfter",
                Double.toString(adwin.getLastMeanAfter()),
                "width",
                Long.toString(adwin.width()));
    }

    private void alert(
            LabelledItem item,
            LabelDriftState state,
            String stream,
            Optional<DriftSignal> fired,
            Map<String, String> extra,
            ReadOnlyContext ctx) {
        if (fired.isEmpty()) {
            return;
        }
        DriftSignal signal = DriftSignal.of(
                fired.get().detector(),
                fired.get().statistic(),
                fired.get().threshold(),
                labelDriftSettings.criticalRatio());
        Map<String, String> details = new TreeMap<>(extra);
        details.put("stream", stream);
        details.put("configVersion", Long.toString(state.configVersion));
        details.put("items", Long.toString(state.items));
        DriftAlert alert = DriftAlert.newBuilder()
                .setPolicyId(item.policyId)
                .setModelVersion(item.modelVersion)
                .setModality(MetricSnapshots.FUSED)
                .setDetector(signal.detector())
                .setStatistic(signal.statistic())
                .setThreshold(signal.threshold())
                // the first crossing of a sequential detector is at least a warning
                .setSeverity(signal.isAlert() ? signal.severity().name() : DriftSignal.Severity.WARNING.name())
                .setWindowStartMillis(state.firstEventTimeMillis)
                .setWindowEndMillis(state.lastEventTimeMillis + 1)
                .setDetectedAtMillis(item.labelledAtMillis)
                .setDetails(details)
                .build();
        alertCounters
                .computeIfAbsent(
                        item.policyId + '\u0000' + signal.detector() + '\u0000' + stream,
                        k -> metrics.addGroup("policy", item.policyId)
                                .addGroup("stream", stream)
                                .addGroup("detector", signal.detector())
                                .counter("alerts"))
                .inc();
        ctx.output(FeedbackState.LABEL_DRIFT_ALERTS, alert);
    }
}
