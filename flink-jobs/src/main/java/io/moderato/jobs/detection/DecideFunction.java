package io.moderato.jobs.detection;

import io.moderato.jobs.common.BroadcastPolicyBook;
import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.internal.PendingContent;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.internal.UserInput;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.decision.DeterministicSampler;
import io.moderato.udfs.decision.ItemDecider;
import io.moderato.udfs.decision.PolicyDecider;
import io.moderato.udfs.fusion.ContextFeatures;
import io.moderato.udfs.vector.FeaturePacking;
import io.moderato.udfs.window.SlidingRiskWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user. Keeps the user's latest signal, a sliding risk window per policy, the fingerprints
 * of recently decided content and the items waiting for the watermark. Content is decided in
 * event-time order: an item waits in keyed state until the watermark passes its event time, then
 * the items of that time are decided in contentId order — so a window only ever holds what precedes
 * an item in event time, and the same input gives the same decisions however partitions interleave.
 * An item that arrives behind the watermark (late) is decided at once, flagged, and does not enter
 * the window. The same contentId with the same content within the dedup horizon is dropped as a
 * duplicate; with changed content it is an edit, decided again.
 *
 * <p>The decision itself is {@link ItemDecider}'s (plain Java: per policy, fuse, window, band, fail
 * safe, sample; then the review queue); this function keeps the state and timers it needs and emits
 * what it returns: the decision (main output) or, when some policy asks for review, a review
 * candidate for the per-queue router, and enforcement actions. Policy configs arrive already
 * accepted by the {@link ConfigGate}.
 */
public final class DecideFunction extends KeyedBroadcastProcessFunction<String, UserInput, PolicyConfig, RiskDecision> {

    static final int TOP_SIGNALS = 3;

    private final List<PolicyConfig> defaults;
    private final long windowLengthMillis;
    private final long windowSlideMillis;
    private final Duration userSignalTtl;
    private final Duration dedupHorizon;
    private final long samplingSeed;

    private transient ValueState<UserSignal> userSignal;
    private transient MapState<String, SlidingRiskWindow> windows;
    private transient ValueState<Long> cleanupTimer;
    private transient EventTimeBuffer<PendingContent, ScoredContent> pending;
    private transient MapState<String, Long> decidedContent;
    private transient ItemDecider itemDecider;
    private transient ItemDecider.Windows userWindows;
    private transient BroadcastPolicyBook book;

    private transient MetricGroup metrics;
    private transient Map<String, Counter> decisionCounters;
    private transient Map<String, Counter> failSafeCounters;
    private transient Map<String, Long> activeVersions;
    private transient Counter lateEvents;
    private transient Counter duplicatesDropped;
    private transient Counter editsDecided;
    private transient Histogram latencyPublished;
    private transient Histogram latencyPrePublish;

    public DecideFunction(
            List<PolicyConfig> defaults,
            Duration windowLength,
            Duration windowSlide,
            Duration userSignalTtl,
            Duration dedupHorizon,
            long samplingSeed) {
        this.defaults = List.copyOf(defaults);
        this.windowLengthMillis = windowLength.toMillis();
        this.windowSlideMillis = windowSlide.toMillis();
        this.userSignalTtl = userSignalTtl;
        this.dedupHorizon = dedupHorizon;
        this.samplingSeed = samplingSeed;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserSignal> signalDescriptor = DetectionState.userSignal();
        signalDescriptor.enableTimeToLive(ttl(userSignalTtl));
        userSignal = getRuntimeContext().getState(signalDescriptor);
        windows = getRuntimeContext().getMapState(DetectionState.riskWindows());
        cleanupTimer = getRuntimeContext().getState(DetectionState.cleanupTimer());
        // equal event times: a fixed order, whatever order they arrived in
        pending = new EventTimeBuffer<>(
                getRuntimeContext().getMapState(DetectionState.pendingContent()),
                PendingContent::new,
                PendingContent::getItems,
                Comparator.comparing((ScoredContent c) -> c.getEvent().getContentId())
                        .thenComparingLong(ScoredContent::getContentHash));
        MapStateDescriptor<String, Long> decided = DetectionState.decidedContent();
        decided.enableTimeToLive(ttl(dedupHorizon));
        decidedContent = getRuntimeContext().getMapState(decided);
        itemDecider = new ItemDecider(
                new PolicyDecider(new DeterministicSampler(samplingSeed), TOP_SIGNALS),
                windowLengthMillis,
                windowSlideMillis);
        userWindows = new ItemDecider.Windows() {
            @Override
            public SlidingRiskWindow get(String policyId) throws Exception {
                return windows.get(policyId);
            }

            @Override
            public void put(String policyId, SlidingRiskWindow window) throws Exception {
                windows.put(policyId, window);
            }
        };
        book = new BroadcastPolicyBook(defaults, this::trackVersion);

        metrics = getRuntimeContext().getMetricGroup();
        decisionCounters = new HashMap<>();
        failSafeCounters = new HashMap<>();
        activeVersions = new HashMap<>();
        lateEvents = metrics.counter("lateEvents");
        duplicatesDropped = metrics.counter("duplicatesDropped");
        editsDecided = metrics.counter("editsDecided");
        latencyPublished = metrics.histogram("eventToDecisionMillis", new DescriptiveStatisticsHistogram(4096));
        latencyPrePublish =
                metrics.histogram("prePublishEventToDecisionMillis", new DescriptiveStatisticsHistogram(4096));
        for (PolicyConfig config : defaults) {
            trackVersion(config);
        }
    }

    private static StateTtlConfig ttl(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    // ---------------------------------------------------------------- policy config (broadcast side)

    @Override
    public void processBroadcastElement(PolicyConfig config, Context ctx, Collector<RiskDecision> out)
            throws Exception {
        // the config gate has accepted it; the book only keeps the newest per policy
        book.offer(config, ctx.getBroadcastState(DetectionState.POLICY_CONFIGS));
    }

    private void trackVersion(PolicyConfig config) {
        String policy = config.getPolicyId();
        if (!activeVersions.containsKey(policy)) {
            metrics.addGroup("policy", policy).gauge("activeConfigVersion", () -> activeVersions.get(policy));
        }
        activeVersions.put(policy, config.getVersion());
    }

    // ---------------------------------------------------------------- user signals and content (keyed side)

    @Override
    public void processElement(UserInput input, ReadOnlyContext ctx, Collector<RiskDecision> out) throws Exception {
        if (input.getSignal() != null) {
            userSignal.update(input.getSignal());
            return;
        }
        ScoredContent content = input.getContent();
        long eventTime = content.getEvent().getEventTimeMillis();
        if (eventTime <= ctx.timerService().currentWatermark()) {
            lateEvents.inc();
            decide(content, true, ctx, out);
            return;
        }
        // wait for the watermark: everything that precedes this item in event time is then here
        pending.hold(eventTime, content, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskDecision> out) throws Exception {
        List<ScoredContent> due = pending.release(timestamp);
        if (!due.isEmpty()) {}
        for (ScoredContent item : due) {
            decide(item, false, ctx, out);
        }
        Long cleanup = cleanupTimer.value();
        if (cleanup != null && cleanup == timestamp) {
            cleanUpWindows(timestamp, ctx);
        }
    }

    private void decide(ScoredContent scored, boolean late, ReadOnlyContext ctx, Collector<RiskDecision> out)
            throws Exception {
        ContentEvent event = scored.getEvent();
        if (isDuplicate(event.getContentId(), scored.getContentHash())) {
            return;
        }
        Map<String, Double> context = ContextFeatures.of(userSignal.value());
        ItemDecider.Item item = new ItemDecider.Item(
                new PolicyDecider.Item(
                        event.getContentId(),
                        event.getEventTimeMillis(),
                        event.getPrePublish(),
                        event.getReachEstimate(),
                        late),
                event.getSurface(),
                event.getLocale());
        long decidedAt = ctx.currentProcessingTime();
        PolicyBook policies =
                book.loaded(ctx.getBroadcastState(DetectionState.POLICY_CONFIGS).immutableEntries());
        ItemDecider.Decided decided = itemDecider.decide(
                policies.current(),
                item,
                ScoreRecords.fromScores(scored.getScores()),
                ScoreRecords.fromProblems(scored.getProblems()),
                context,
                userWindows);
        count(decided.decisions());
        for (ItemDecider.Action action : decided.actions()) {
            ctx.output(DetectionState.ACTIONS, action(event, action, decidedAt));
        }
        if (!late) {
            scheduleCleanup(ctx, event.getEventTimeMillis());
        }
        RiskDecision decision = riskDecision(scored, late, decided, context, decidedAt);
        (event.getPrePublish() ? latencyPrePublish : latencyPublished)
                .update(Math.max(0, decidedAt - scored.getIngestMillis()));
        ItemDecider.ReviewRequest review = decided.review();
        if (review == null) {
            out.collect(decision);
            return;
        }
        ctx.output(
                DetectionState.REVIEW_CANDIDATES,
                ReviewCandidate.newBuilder()
                        .setDecision(decision)
                        .setQueue(review.queue())
                        .setPriority(review.priority())
                        .setCapacityPerMinute(review.capacityPerMinute())
                        .setSlaMillis(review.slaMillis())
                        .setReasons(review.reasons())
                        .build());
    }

    private static RiskDecision riskDecision(
            ScoredContent scored,
            boolean late,
            ItemDecider.Decided decided,
            Map<String, Double> context,
            long decidedAt) {
        ContentEvent event = scored.getEvent();
        return RiskDecision.newBuilder()
                .setContentId(event.getContentId())
                .setUserId(event.getUserId())
                .setSurface(event.getSurface())
                .setLocale(event.getLocale())
                .setReachEstimate(event.getReachEstimate())
                .setEventTimeMillis(event.getEventTimeMillis())
                .setDecidedAtMillis(decidedAt)
                .setPrePublish(event.getPrePublish())
                .setLate(late)
                .setPolicies(decided.decisions())
                .setModelVersions(decided.modelsUsed())
                .setConfigVersions(decided.configVersions())
                .setContextFeatures(context)
                .setFeatures(FeaturePacking.unpackAll(scored.getFeatures()))
                .setFeaturesOmitted(scored.getFeaturesOmitted())
                .build();
    }

    /** A contentId already decided with the same content is a duplicate; with other content an edit (decided). */
    private boolean isDuplicate(String contentId, long contentHash) throws Exception {
        Long seen = decidedContent.get(contentId);
        if (seen != null && seen == contentHash) {
            duplicatesDropped.inc();
            return true;
        }
        if (seen != null) {
            editsDecided.inc();
        }
        decidedContent.put(contentId, contentHash);
        return false;
    }

    private static EnforcementAction action(ContentEvent event, ItemDecider.Action action, long decidedAt) {
        PolicyConfig config = action.config();
        return EnforcementAction.newBuilder()
                .setContentId(event.getContentId())
                .setUserId(event.getUserId())
                .setPolicyId(config.getPolicyId())
                .setAction(action.action())
                .setSurface(event.getSurface())
                .setScore(action.risk())
                .setConfigVersion(config.getVersion())
                .setModelVersions(new ArrayList<>(config.getActiveModels()))
                .setEventTimeMillis(event.getEventTimeMillis())
                .setDecidedAtMillis(decidedAt)
                .build();
    }

    private void count(List<PolicyDecision> decisions) {
        for (PolicyDecision decision : decisions) {
            String policy = decision.getPolicyId();
            count(decisionCounters, policy, "band", decision.getBand(), "decisions");
            if (!decision.getScoringProblems().isEmpty()) {
                count(failSafeCounters, policy, null, null, "failSafeDecisions");
            }
        }
    }

    private void count(Map<String, Counter> counters, String policy, String group, String value, String name) {
        counters.computeIfAbsent(policy + "/" + value, k -> {
                    MetricGroup g = metrics.addGroup("policy", policy);
                    return (group == null ? g : g.addGroup(group, value)).counter(name);
                })
                .inc();
    }

    // ---------------------------------------------------------------- window cleanup

    /**
     * One clean-up timer per user. It is set once and not moved as the user keeps posting — moving it
     * was a timer delete and a register per event, a sixth of the decider's CPU in the benchmark; when
     * it fires it evicts expired buckets and, while items remain, sets the next one at the time the
     * newest window empties, so state goes exactly when the user's last window ends.
     */
    private void scheduleCleanup(ReadOnlyContext ctx, long eventTime) throws Exception {
        if (cleanupTimer.value() == null) {
            long due = (Math.floorDiv(eventTime, windowSlideMillis) + 1) * windowSlideMillis + windowLengthMillis;
            ctx.timerService().registerEventTimeTimer(due);
            cleanupTimer.update(due);
        }
    }

    private void cleanUpWindows(long timestamp, OnTimerContext ctx) throws Exception {
        List<String> emptied = new ArrayList<>();
        long next = Long.MIN_VALUE;
        for (Map.Entry<String, SlidingRiskWindow> entry : windows.entries()) {
            SlidingRiskWindow window = entry.getValue();
            window.evictBefore(timestamp);
            if (window.isEmpty()) {
                emptied.add(entry.getKey());
            } else {
                windows.put(entry.getKey(), window);
                next = Math.max(next, window.emptyAt());
            }
        }
        for (String policy : emptied) {
            windows.remove(policy);
        }
        cleanupTimer.clear();
        if (next != Long.MIN_VALUE) {
            // items arrived after this timer was set: come back when the newest window has emptied
            next = Math.max(next, timestamp + 1);
            ctx.timerService().registerEventTimeTimer(next);
            cleanupTimer.update(next);
        }
    }
}
