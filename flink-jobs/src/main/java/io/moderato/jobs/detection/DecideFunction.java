package io.moderato.jobs.detection;

import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.jobs.internal.UserInput;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewQueue;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.ShadowScore;
import io.moderato.schemas.Signal;
import io.moderato.schemas.UserSignal;
import io.moderato.schemas.WindowedUserRisk;
import io.moderato.udfs.config.ConfigVerdict;
import io.moderato.udfs.decision.Bands;
import io.moderato.udfs.decision.DeterministicSampler;
import io.moderato.udfs.decision.QueueRouter;
import io.moderato.udfs.decision.ReviewPriority;
import io.moderato.udfs.fusion.ContextFeatures;
import io.moderato.udfs.fusion.Contribution;
import io.moderato.udfs.fusion.FusedRisk;
import io.moderato.udfs.fusion.RiskFuser;
import io.moderato.udfs.window.Escalation;
import io.moderato.udfs.window.SlidingRiskWindow;
import io.moderato.udfs.window.WindowRisk;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keyed by user. Keeps the user's latest signal and a sliding risk window per policy; for each
 * scored content item it fuses per-policy risk from the config in force, updates the window (not
 * for late items), escalates on windowed user risk, picks the band, draws the audit sample and
 * emits: the decision (main output) or, when some policy asks for review, a review candidate for
 * the per-queue router; enforcement actions; and, from subtask 0, an audit record for every
 * config submitted on the broadcast side.
 */
public final class DecideFunction extends KeyedBroadcastProcessFunction<String, UserInput, PolicyConfig, RiskDecision> {

    static final String JOB = "detection";
    static final int TOP_SIGNALS = 3;
    static final int FALLBACK_CAPACITY_PER_MINUTE = 60;
    static final long FALLBACK_SLA_MILLIS = Duration.ofHours(24).toMillis();

    private final List<PolicyConfig> defaults;
    private final long windowLengthMillis;
    private final long windowSlideMillis;
    private final Duration userSignalTtl;
    private final long samplingSeed;

    private transient ValueState<UserSignal> userSignal;
    private transient MapState<String, SlidingRiskWindow> windows;
    private transient ValueState<Long> cleanupTimer;
    private transient DeterministicSampler sampler;
    private transient PolicyBook book;
    private transient boolean bookLoaded;

    private transient MetricGroup metrics;
    private transient Map<String, Counter> decisionCounters;
    private transient Map<String, Long> activeVersions;
    private transient Counter lateEvents;
    private transient Counter configsRejected;
    private transient Histogram latencyPublished;
    private transient Histogram latencyPrePublish;

    public DecideFunction(List<PolicyConfig> defaults, Duration windowLength, Duration windowSlide,
                          Duration userSignalTtl, long samplingSeed) {
        this.defaults = List.copyOf(defaults);
        this.windowLengthMillis = windowLength.toMillis();
        this.windowSlideMillis = windowSlide.toMillis();
        this.userSignalTtl = userSignalTtl;
        this.samplingSeed = samplingSeed;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserSignal> signalDescriptor = DetectionState.userSignal();
        signalDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(userSignalTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        userSignal = getRuntimeContext().getState(signalDescriptor);
        windows = getRuntimeContext().getMapState(DetectionState.riskWindows());
        cleanupTimer = getRuntimeContext().getState(DetectionState.cleanupTimer());
        sampler = new DeterministicSampler(samplingSeed);
        book = new PolicyBook(defaults);

        metrics = getRuntimeContext().getMetricGroup();
        decisionCounters = new HashMap<>();
        activeVersions = new HashMap<>();
        lateEvents = metrics.counter("lateEvents");
        configsRejected = metrics.counter("configsRejected");
        latencyPublished = metrics.histogram("eventToDecisionMillis", new DescriptiveStatisticsHistogram(4096));
        latencyPrePublish = metrics.histogram("prePublishEventToDecisionMillis", new DescriptiveStatisticsHistogram(4096));
        for (PolicyConfig config : defaults) {
            trackVersion(config);
        }
    }

    // ---------------------------------------------------------------- policy config (broadcast side)

    @Override
    public void processBroadcastElement(PolicyConfig config, Context ctx, Collector<RiskDecision> out) throws Exception {
        BroadcastState<String, PolicyConfig> state = ctx.getBroadcastState(DetectionState.POLICY_CONFIGS);
        loadBook(state.immutableEntries());
        PolicyBook.Outcome outcome = book.offer(config);
        if (outcome.accepted()) {
            state.put(config.getPolicyId(), config);
            trackVersion(config);
        } else if ("REJECTED".equals(outcome.verdict().status())) {
            configsRejected.inc();
        }
        // every subtask sees every config; one audit record per submission is enough
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            ctx.output(DetectionState.CONFIG_AUDIT, audit(config, outcome, ctx.currentProcessingTime()));
        }
    }

    private ConfigAudit audit(PolicyConfig config, PolicyBook.Outcome outcome, long now) {
        ConfigVerdict verdict = outcome.verdict();
        String reason = switch (verdict.status()) {
            case "ACCEPTED" -> null;
            case "IGNORED_STALE" -> "version " + config.getVersion() + " is not newer than the accepted version "
                    + verdict.previousVersion();
            default -> String.join("; ", verdict.violations());
        };
        return ConfigAudit.newBuilder()
                .setPolicyId(config.getPolicyId())
                .setVersion(config.getVersion())
                .setStatus(verdict.status())
                .setReason(reason)
                .setViolations(verdict.violations())
                .setPreviousVersion(outcome.previous() == null ? null : outcome.previous().getVersion())
                .setSubmitted(config)
                .setJob(JOB)
                .setProcessedAtMillis(now)
                .build();
    }

    private void loadBook(Iterable<Map.Entry<String, PolicyConfig>> accepted) {
        if (!bookLoaded) {
            // after a restore the broadcast state holds what was accepted before
            for (Map.Entry<String, PolicyConfig> entry : accepted) {
                book.restore(entry.getValue());
                trackVersion(entry.getValue());
            }
            bookLoaded = true;
        }
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
        ReadOnlyBroadcastState<String, PolicyConfig> state = ctx.getBroadcastState(DetectionState.POLICY_CONFIGS);
        loadBook(state.immutableEntries());
        decide(input.getContent(), ctx, out);
    }

    private void decide(ScoredContent scored, ReadOnlyContext ctx, Collector<RiskDecision> out) throws Exception {
        ContentEvent event = scored.getEvent();
        long eventTime = event.getEventTimeMillis();
        boolean late = eventTime <= ctx.timerService().currentWatermark();
        if (late) {
            lateEvents.inc();
        }
        UserSignal signal = userSignal.value();
        Map<String, Double> context = ContextFeatures.of(signal);

        List<PolicyDecision> decisions = new ArrayList<>();
        List<ReviewReason> reasons = new ArrayList<>();
        Map<String, Long> configVersions = new TreeMap<>();
        Set<ModelVersion> modelsUsed = new LinkedHashSet<>();
        String winnerPolicy = null;
        double winnerPriority = -1;
        long decidedAt = ctx.currentProcessingTime();

        for (PolicyConfig config : book.current()) {
            if (!appliesTo(config, event)) {
                continue;
            }
            String policy = config.getPolicyId();
            Map<String, Double> modalityScores = modalityScores(scored.getScores(), config, modelsUsed);
            if (modalityScores.isEmpty()) {
                continue; // nothing the policy's models could score on this item
            }
            FusedRisk fused = RiskFuser.fuse(config.getFusionStrategy(), config.getFusionWeights(),
                    config.getFusionBias(), modalityScores, context, TOP_SIGNALS);
            double risk = fused.risk();
            boolean borderline = risk >= config.getReviewThreshold() && risk < config.getActionThreshold();

            SlidingRiskWindow window = windows.get(policy);
            if (window == null) {
                window = new SlidingRiskWindow(windowLengthMillis, windowSlideMillis);
            }
            if (!late) {
                window.add(eventTime, risk, borderline);
                windows.put(policy, window);
            }
            WindowRisk userRisk = window.aggregate(eventTime);
            boolean escalate = Escalation.escalate(userRisk, config.getEscalationThreshold());
            String band = Bands.band(risk, config.getReviewThreshold(), config.getActionThreshold(), escalate,
                    event.getPrePublish());
            boolean escalated = escalate && risk < config.getReviewThreshold();

            boolean audited = false;
            double propensity;
            String reason = null;
            if (Bands.needsReview(band)) {
                propensity = 1.0;
                reason = escalated ? "ESCALATION" : "THRESHOLD";
            } else if (Bands.isAction(band)) {
                propensity = config.getAuditSampleRateAction();
                audited = sampler.sampled(event.getContentId(), "audit:" + policy, propensity);
                reason = audited ? "AUDIT_ACTION" : null;
            } else {
                propensity = config.getAuditSampleRateAllow();
                audited = sampler.sampled(event.getContentId(), "audit:" + policy, propensity);
                reason = audited ? "AUDIT_ALLOW" : null;
            }
            count(policy, band);
            configVersions.put(policy, config.getVersion());
            decisions.add(PolicyDecision.newBuilder()
                    .setPolicyId(policy)
                    .setModalityScores(modalityScores)
                    .setFusedRisk(risk)
                    .setUserRisk(new WindowedUserRisk(userRisk.maxRisk(), userRisk.meanRisk(),
                            userRisk.borderlineCount(), userRisk.itemCount()))
                    .setBand(band)
                    .setEscalated(escalated)
                    .setActionThreshold(config.getActionThreshold())
                    .setReviewThreshold(config.getReviewThreshold())
                    .setEscalationThreshold(config.getEscalationThreshold())
                    .setTopSignals(signals(fused.topSignals()))
                    .setAuditSampled(audited)
                    .setPropensity(propensity)
                    .setShadowScores(shadowScores(scored.getScores(), config))
                    .build());

            if (reason != null) {
                reasons.add(new ReviewReason(policy, band, reason, risk, propensity, config.getVersion()));
                double priority = ReviewPriority.priority(config.getSeverity(), event.getReachEstimate(), risk);
                if (priority > winnerPriority || priority == winnerPriority && policy.compareTo(winnerPolicy) < 0) {
                    winnerPriority = priority;
                    winnerPolicy = policy;
                }
            }
            emitAction(ctx, event, config, band, risk, decidedAt);
        }
        if (!late) {
            scheduleCleanup(ctx, eventTime);
        }

        RiskDecision decision = RiskDecision.newBuilder()
                .setContentId(event.getContentId())
                .setUserId(event.getUserId())
                .setSurface(event.getSurface())
                .setLocale(event.getLocale())
                .setReachEstimate(event.getReachEstimate())
                .setEventTimeMillis(eventTime)
                .setDecidedAtMillis(decidedAt)
                .setPrePublish(event.getPrePublish())
                .setLate(late)
                .setPolicies(decisions)
                .setModelVersions(new ArrayList<>(modelsUsed))
                .setConfigVersions(new TreeMap<>(configVersions))
                .setContextFeatures(context)
                .setFeatures(FeaturePacking.unpackAll(scored.getFeatures()))
                .build();
        (event.getPrePublish() ? latencyPrePublish : latencyPublished).update(Math.max(0, decidedAt - scored.getIngestMillis()));

        if (winnerPolicy == null) {
            out.collect(decision);
            return;
        }
        final String winner = winnerPolicy;
        reasons.sort(Comparator.comparing((ReviewReason r) -> !r.getPolicyId().equals(winner))
                .thenComparing(ReviewReason::getPolicyId));
        PolicyConfig winnerConfig = book.get(winner);
        String queue = QueueRouter.queueFor(winnerConfig, event.getLocale());
        ReviewQueue queueConfig = winnerConfig.getReviewQueues().stream()
                .filter(q -> q.getName().equals(queue)).findFirst().orElse(null);
        ctx.output(DetectionState.REVIEW_CANDIDATES, ReviewCandidate.newBuilder()
                .setDecision(decision)
                .setQueue(queue)
                .setPriority(winnerPriority)
                .setCapacityPerMinute(queueConfig == null ? FALLBACK_CAPACITY_PER_MINUTE : queueConfig.getCapacityPerMinute())
                .setSlaMillis(queueConfig == null ? FALLBACK_SLA_MILLIS : queueConfig.getSlaMillis())
                .setReasons(reasons)
                .build());
    }

    private static boolean appliesTo(PolicyConfig config, ContentEvent event) {
        return config.getEnabled()
                && (config.getSurfaces().isEmpty() || config.getSurfaces().contains(event.getSurface()));
    }

    /** Scores of the policy's active models, one per modality (the policy's own output column). */
    private static Map<String, Double> modalityScores(List<ModelScore> scores, PolicyConfig config,
                                                      Set<ModelVersion> modelsUsed) {
        Map<String, Double> byModality = new TreeMap<>();
        for (ModelScore score : scores) {
            if (score.getShadow() || !score.getPolicyId().equals(config.getPolicyId())) {
                continue;
            }
            for (ModelVersion active : config.getActiveModels()) {
                // match on modality and model name: if a new version failed to load, the working one scored
                if (active.getModality().equals(score.getModality()) && active.getName().equals(score.getModel())) {
                    byModality.put(score.getModality(), score.getScore());
                    modelsUsed.add(new ModelVersion(score.getModality(), score.getModel(), score.getVersion()));
                }
            }
        }
        return byModality;
    }

    private static List<ShadowScore> shadowScores(List<ModelScore> scores, PolicyConfig config) {
        List<ShadowScore> shadow = new ArrayList<>();
        for (ModelScore score : scores) {
            if (score.getShadow() && score.getPolicyId().equals(config.getPolicyId())) {
                shadow.add(new ShadowScore(new ModelVersion(score.getModality(), score.getModel(), score.getVersion()),
                        score.getScore()));
            }
        }
        return shadow;
    }

    private static List<Signal> signals(List<Contribution> contributions) {
        List<Signal> signals = new ArrayList<>(contributions.size());
        for (Contribution c : contributions) {
            signals.add(new Signal(c.name(), c.contribution()));
        }
        return signals;
    }

    private void emitAction(ReadOnlyContext ctx, ContentEvent event, PolicyConfig config, String band, double risk,
                            long decidedAt) {
        String action = switch (band) {
            case Bands.ACTION -> config.getAutoAction();
            case Bands.BLOCK -> "BLOCK_PREPUBLISH";
            case Bands.HOLD -> "HOLD_PREPUBLISH";
            default -> null;
        };
        if (action == null) {
            return;
        }
        ctx.output(DetectionState.ACTIONS, EnforcementAction.newBuilder()
                .setContentId(event.getContentId())
                .setUserId(event.getUserId())
                .setPolicyId(config.getPolicyId())
                .setAction(action)
                .setSurface(event.getSurface())
                .setScore(risk)
                .setConfigVersion(config.getVersion())
                .setModelVersions(new ArrayList<>(config.getActiveModels()))
                .setEventTimeMillis(event.getEventTimeMillis())
                .setDecidedAtMillis(decidedAt)
                .build());
    }

    private void count(String policy, String band) {
        decisionCounters.computeIfAbsent(policy + "/" + band,
                k -> metrics.addGroup("policy", policy).addGroup("band", band).counter("decisions")).inc();
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

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskDecision> out) throws Exception {
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
