package io.moderato.jobs.detection;

import io.moderato.jobs.internal.PendingCandidates;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.decision.Admission;
import io.moderato.udfs.decision.CapacityLimiter;
import io.moderato.udfs.decision.DeterministicSampler;
import io.moderato.udfs.decision.ReviewAdmission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by review queue. Applies the queue's soft capacity (tasks per event-time minute) with the
 * audit sample admitted first ({@link ReviewAdmission}): a candidate carrying an audit reason is
 * always admitted, so audit propensities stay the rates they were drawn at; routed candidates share
 * what the audit load leaves. An admitted candidate becomes one {@link ReviewTask}; a shed one does
 * not, but its decision is still written, with every review propensity multiplied by the admission
 * probability so metrics weighted by 1/propensity stay unbiased. Either way the decision goes out
 * on the main output: nothing vanishes without a record. Queue state lives as long as the queue (a
 * handful of keys).
 *
 * <p>Candidates are admitted in event-time order: each waits until the watermark passes its event
 * time, then those of that time are admitted in contentId order, so the limiter's load statistics —
 * and every admission draw — are the same whatever order the deciders' outputs interleave in, and
 * the limiter's clock moves with the watermark, never ahead of it because of one record. A candidate
 * behind the watermark (from a late item) is admitted at once.
 */
public final class RouteReviewFunction extends KeyedProcessFunction<String, ReviewCandidate, RiskDecision> {

    private final long samplingSeed;
    private transient ValueState<CapacityLimiter> capacity;
    private transient ValueState<CapacityLimiter> auditLoad;
    private transient EventTimeBuffer<PendingCandidates, ReviewCandidate> pending;
    private transient DeterministicSampler sampler;
    private transient Map<String, Counter> tasksByQueue;
    private transient Map<String, Counter> shedByQueue;

    public RouteReviewFunction(long samplingSeed) {
        this.samplingSeed = samplingSeed;
    }

    @Override
    public void open(OpenContext openContext) {
        capacity = getRuntimeContext().getState(DetectionState.queueCapacity());
        auditLoad = getRuntimeContext().getState(DetectionState.queueAuditLoad());
        pending = new EventTimeBuffer<>(
                getRuntimeContext().getMapState(DetectionState.pendingCandidates()),
                PendingCandidates::new,
                PendingCandidates::getItems,
                Comparator.comparing((ReviewCandidate c) -> c.getDecision().getContentId()));
        sampler = new DeterministicSampler(samplingSeed);
        tasksByQueue = new HashMap<>();
        shedByQueue = new HashMap<>();
    }

    @Override
    public void processElement(ReviewCandidate candidate, Context ctx, Collector<RiskDecision> out) throws Exception {
        long eventTime = candidate.getDecision().getEventTimeMillis();
        if (eventTime <= ctx.timerService().currentWatermark()) {
            admit(candidate, ctx, out);
            return;
        }
        pending.hold(eventTime, candidate, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskDecision> out) throws Exception {
        for (ReviewCandidate candidate : pending.release(timestamp)) {
            admit(candidate, ctx, out);
        }
    }

    private void admit(ReviewCandidate candidate, Context ctx, Collector<RiskDecision> out) throws Exception {
        RiskDecision decision = candidate.getDecision();
        CapacityLimiter routed = orNew(capacity.value());
        CapacityLimiter audits = orNew(auditLoad.value());
        boolean auditSample =
                candidate.getReasons().stream().anyMatch(r -> ReviewAdmission.isAuditReason(r.getReason()));
        Admission admission = ReviewAdmission.admit(
                routed,
                audits,
                auditSample,
                decision.getEventTimeMillis(),
                candidate.getPriority(),
                sampler.uniform(decision.getContentId(), "capacity:" + candidate.getQueue()),
                candidate.getCapacityPerMinute());
        if (auditSample) {
            auditLoad.update(audits);
        } else {
            capacity.update(routed);
        }

        double p = admission.probability();
        List<ReviewReason> reasons = new ArrayList<>(candidate.getReasons().size());
        double notAsked = 1.0;
        for (ReviewReason reason : candidate.getReasons()) {
            reasons.add(ReviewReason.newBuilder(reason)
                    .setPropensity(reason.getPropensity() * p)
                    .build());
            notAsked *= 1.0 - reason.getPropensity();
        }
        if (p < 1.0) {
            for (PolicyDecision policy : decision.getPolicies()) {
                if (isReason(candidate, policy.getPolicyId())) {
                    policy.setPropensity(policy.getPropensity() * p);
                }
            }
        }
        out.collect(decision);

        String queue = candidate.getQueue();
        if (!admission.admitted()) {
            counter(shedByQueue, queue, "tasksShed").inc();
            return;
        }
        counter(tasksByQueue, queue, "tasks").inc();
        // one admission draw per task: P(some policy asks) × P(admitted), not 1 − Π(1 − p·p_i)
        ctx.output(DetectionState.REVIEW_TASKS, reviewTask(candidate, reasons, p * (1.0 - notAsked)));
    }

    /** The review task of an admitted {@code candidate}, with its reasons' propensities already scaled. */
    private static ReviewTask reviewTask(ReviewCandidate candidate, List<ReviewReason> reasons, double propensity) {
        RiskDecision decision = candidate.getDecision();
        return ReviewTask.newBuilder()
                .setContentId(decision.getContentId())
                .setUserId(decision.getUserId())
                .setSurface(decision.getSurface())
                .setLocale(decision.getLocale())
                .setReachEstimate(decision.getReachEstimate())
                .setPrePublish(decision.getPrePublish())
                .setEventTimeMillis(decision.getEventTimeMillis())
                .setQueue(candidate.getQueue())
                .setPriority(candidate.getPriority())
                .setReasons(reasons)
                .setPropensity(propensity)
                .setCreatedAtMillis(decision.getDecidedAtMillis())
                .setDeadlineMillis(decision.getEventTimeMillis() + candidate.getSlaMillis())
                .build();
    }

    private static CapacityLimiter orNew(CapacityLimiter limiter) {
        return limiter == null ? new CapacityLimiter() : limiter;
    }

    private static boolean isReason(ReviewCandidate candidate, String policyId) {
        for (ReviewReason reason : candidate.getReasons()) {
            if (reason.getPolicyId().equals(policyId)) {
                return true;
            }
        }
        return false;
    }

    private Counter counter(Map<String, Counter> counters, String queue, String name) {
        return counters.computeIfAbsent(
                queue,
                q -> getRuntimeContext().getMetricGroup().addGroup("queue", q).counter(name));
    }
}
