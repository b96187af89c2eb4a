package io.moderato.jobs.feedback;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.feedback.Adjudication;
import io.moderato.udfs.feedback.ComplianceDay;
import io.moderato.udfs.feedback.LabelAdjudicator;
import io.moderato.udfs.feedback.TrainingExamples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by contentId: joins review labels to the item's decision, either side first, and turns
 * every change of a policy's adjudicated verdict into a {@link TrainingExample} (main output), a
 * {@link LabelledItem} for the quality metrics and a {@link ComplianceDelta} for the compliance day.
 *
 * <ul>
 *   <li><b>State</b>: the decision, the distinct labels (by {@link #labelKey}) and the expiry time.</li>
 *   <li><b>Duplicates</b>: a label equal to a stored one in reviewer, source, verdict and time is a
 *       redelivery: nothing is emitted (a copy with a higher severity replaces the stored one, as the
 *       adjudicator would keep it). A second decision for the item is ignored and counted.</li>
 *   <li><b>Adjudication</b>: all labels of the item and policy go through
 *       {@link LabelAdjudicator#adjudicate} (APPEAL, then ADJUDICATION, then one vote per reviewer,
 *       then latest; udfs/docs/feedback.md). Each new distinct label yields one example carrying the
 *       adjudication of all the item's labels so far (it always changes: its label count grows).
 *       Labels that came before the decision are held and replayed in label-time order when it
 *       arrives, so the examples do not depend on which input was read first.</li>
 *   <li><b>TTL in event time</b>: the item's state expires {@code ttl} after the latest event time
 *       seen for it (the decision's eventTimeMillis, the labels' labelledAtMillis); one timer per item,
 *       moved (deleted and re-registered) when that time grows. Event time makes expiry reproducible in
 *       replays and tests; the price is that a stalled input holds state longer (idle inputs are
 *       excluded from the watermark by the sources' idleness).</li>
 *   <li><b>Never silently dropped</b>: labels still without a decision at expiry, labels for a policy
 *       the decision has no entry for, and labels on a decision that cannot make an example
 *       (propensity outside (0, 1], no config version, score outside [0, 1]) go to
 *       {@link FeedbackState#UNMATCHED_LABELS} and the {@code unmatchedLabels} counter.</li>
 * </ul>
 * At expiry all state of the item and its timer are gone.
 */
public final class JoinLabelsFunction
        extends KeyedCoProcessFunction<String, RiskDecision, ReviewLabel, TrainingExample> {

    private final long ttlMillis;

    private transient ValueState<RiskDecision> decision;
    private transient MapState<String, ReviewLabel> labels;
    private transient ValueState<Long> expiry;

    private transient Counter examples;
    private transient Counter duplicateLabels;
    private transient Counter duplicateDecisions;
    private transient Counter unmatched;
    private transient Counter unmatchedExpired;
    private transient Counter unmatchedNoPolicy;
    private transient Counter unmatchedUnusable;

    public JoinLabelsFunction(Duration ttl) {
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        decision = getRuntimeContext().getState(FeedbackState.decision());
        labels = getRuntimeContext().getMapState(FeedbackState.labels());
        expiry = getRuntimeContext().getState(FeedbackState.expiry());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        examples = metrics.counter("trainingExamples");
        duplicateLabels = metrics.counter("duplicateLabels");
        duplicateDecisions = metrics.counter("duplicateDecisions");
        unmatched = metrics.counter("unmatchedLabels");
        unmatchedExpired = metrics.counter("unmatchedLabelsNoDecisionWithinTtl");
        unmatchedNoPolicy = metrics.counter("unmatchedLabelsNoPolicyDecision");
        unmatchedUnusable = metrics.counter("unmatchedLabelsUnusableDecision");
    }

    /** Identity of a distinct label, as the adjudicator de-duplicates: policy, reviewer, source, verdict, time. */
    public static String labelKey(ReviewLabel label) {
        return label.getPolicyId()
                + '\u0000'
                + label.getReviewerId()
                + '\u0000'
                + normalisedSource(label.getSource())
                + '\u0000'
                + label.getViolating()
                + '\u0000'
                + label.getLabelledAtMillis();
    }

    private static String normalisedSource(String source) {
        return source == null ? "" : source.trim().toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- decisions

    @Override
    public void processElement1(RiskDecision incoming, Context ctx, Collector<TrainingExample> out) throws Exception {
        if (decision.value() != null) {
            duplicateDecisions.inc();
            return;
        }
        decision.update(incoming);
        // labels that came first set an expiry: without one there is nothing to replay (and no map to scan)
        Long pending = expiry.value();
        extendExpiry(incoming.getEventTimeMillis(), pending, ctx);
        if (pending == null) {
            return;
        }

        // labels that came first are replayed in label-time order, as if they had come after the decision:
        // what is emitted then does not depend on which input happened to be read first
        List<ReviewLabel> waiting = waiting();
        labels.clear();
        for (ReviewLabel label : waiting) {
            join(label, incoming, null, ctx, out);
        }
    }

    /** The stored labels in label-time order (then by key): a deterministic replay order. */
    private List<ReviewLabel> waiting() throws Exception {
        List<ReviewLabel> waiting = new ArrayList<>();
        for (ReviewLabel label : labels.values()) {
            waiting.add(label);
        }
        waiting.sort(
                Comparator.comparingLong(ReviewLabel::getLabelledAtMillis).thenComparing(JoinLabelsFunction::labelKey));
        return waiting;
    }

    // ---------------------------------------------------------------- labels

    @Override
    public void processElement2(ReviewLabel label, Context ctx, Collector<TrainingExample> out) throws Exception {
        ReviewLabel stored = labels.get(labelKey(label));
        if (stored != null && severityRank(label) <= severityRank(stored)) {
            duplicateLabels.inc();
            return;
        }
        RiskDecision current = decision.value();
        if (current == null) {
            labels.put(labelKey(label), label);
            extendExpiry(label.getLabelledAtMillis(), ctx);
            return;
        }
        join(label, current, stored, ctx, out);
    }

    /**
     * Adds a new distinct label (or a copy of {@code replaced} with a higher severity) to the item's
     * labels for its policy and emits what changed: the example of the new adjudication, the metrics'
     * verdict change, the compliance delta.
     */
    private void join(
            ReviewLabel label, RiskDecision current, ReviewLabel replaced, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        PolicyDecision policyDecision = policyDecision(current, label.getPolicyId());
        if (unusable(current, policyDecision, label.getPolicyId()) != null) {
            unmatched(label, policyDecision == null ? unmatchedNoPolicy : unmatchedUnusable, ctx);
            return;
        }
        List<ReviewLabel> before = new ArrayList<>();
        for (ReviewLabel l : labels.values()) {
            if (l.getPolicyId().equals(label.getPolicyId())) {
                before.add(l);
            }
        }
        Adjudication previous = before.isEmpty() ? null : LabelAdjudicator.adjudicate(before);
        List<ReviewLabel> after = new ArrayList<>(before);
        after.remove(replaced);
        after.add(label);
        Adjudication adjudication = LabelAdjudicator.adjudicate(after);
        labels.put(labelKey(label), label);
        extendExpiry(label.getLabelledAtMillis(), ctx);
        if (adjudication.equals(previous)) {
            return;
        }
        emitChange(current, policyDecision, previous, adjudication, ctx, out);
        ComplianceDay delta = new ComplianceDay();
        if (delta.addLabel(label, previous, adjudication, current, policyDecision)) {
            compliance(label.getPolicyId(), current, delta, ctx);
        }
    }

    private static double severityRank(ReviewLabel label) {
        Double s = label.getSeverity();
        return s == null || !Double.isFinite(s) ? Double.NEGATIVE_INFINITY : s;
    }

    // ---------------------------------------------------------------- outputs

    private void emitChange(
            RiskDecision d,
            PolicyDecision policy,
            Adjudication previous,
            Adjudication current,
            Context ctx,
            Collector<TrainingExample> out) {
        out.collect(TrainingExamples.of(d, policy, current));
        examples.inc();

        boolean hadPrevious = previous != null && previous.inReviewSample();
        boolean hasCurrent = current.inReviewSample();
        boolean changed = hadPrevious != hasCurrent || hasCurrent && previous.violating() != current.violating();
        if (!changed) {
            return;
        }
        LabelledItem item = new LabelledItem();
        item.policyId = policy.getPolicyId();
        item.modelVersion = modelVersion(d, policy);
        item.surface = d.getSurface();
        item.eventTimeMillis = d.getEventTimeMillis();
        item.labelledAtMillis = current.lastLabelledAtMillis();
        item.score = policy.getFusedRisk();
        item.predictedPositive = policy.getFusedRisk() >= policy.getActionThreshold();
        item.actionThreshold = policy.getActionThreshold();
        item.weight = 1.0 / policy.getPropensity();
        item.auditSampled = policy.getAuditSampled();
        item.configVersion = d.getConfigVersions().get(policy.getPolicyId());
        item.hadPrevious = hadPrevious;
        item.previousViolating = hadPrevious && previous.violating();
        item.hasCurrent = hasCurrent;
        item.currentViolating = hasCurrent && current.violating();
        ctx.output(FeedbackState.LABELLED_ITEMS, item);
    }

    private static void compliance(String policyId, RiskDecision d, ComplianceDay delta, Context ctx) {
        ctx.output(
                FeedbackState.COMPLIANCE_DELTAS,
                ComplianceDelta.of(policyId, ComplianceDay.dayStartMillis(d.getEventTimeMillis()), delta));
    }

    private void unmatched(ReviewLabel label, Counter reason, Context ctx) {
        unmatched.inc();
        reason.inc();
        ctx.output(FeedbackState.UNMATCHED_LABELS, label);
    }

    /**
     * The policy's active models as in {@code MetricSnapshot.modelVersion}: "modality=name:version" of
     * each modality the policy has a score for, sorted by modality, joined by ','.
     */
    static String modelVersion(RiskDecision d, PolicyDecision policy) {
        Map<String, String> byModality = new TreeMap<>();
        for (ModelVersion m : d.getModelVersions()) {
            if (policy.getModalityScores().containsKey(m.getModality())) {
                byModality.put(m.getModality(), m.getName() + ":" + m.getVersion());
            }
        }
        StringBuilder joined = new StringBuilder();
        for (Map.Entry<String, String> e : byModality.entrySet()) {
            if (joined.length() > 0) {
                joined.append(',');
            }
            joined.append(e.getKey()).append('=').append(e.getValue());
        }
        return joined.toString();
    }

    private static PolicyDecision policyDecision(RiskDecision d, String policyId) {
        for (PolicyDecision p : d.getPolicies()) {
            if (p.getPolicyId().equals(policyId)) {
                return p;
            }
        }
        return null;
    }

    /** Why the decision cannot make a training example for the policy; null when it can. */
    static String unusable(RiskDecision d, PolicyDecision policy, String policyId) {
        if (policy == null) {
            return "the decision has no entry for policy " + policyId;
        }
        if (!policy.getScoringProblems().isEmpty()) {
            return "the decision failed safe (" + policy.getScoringProblems().get(0)
                    + "): its risk is not a model score";
        }
        double propensity = policy.getPropensity();
        if (!(propensity > 0.0 && propensity <= 1.0)) {
            return "propensity " + propensity + " is outside (0, 1]";
        }
        if (!d.getConfigVersions().containsKey(policyId)) {
            return "no config version for policy " + policyId;
        }
        double risk = policy.getFusedRisk();
        if (!(risk >= 0.0 && risk <= 1.0)) {
            return "fused risk " + risk + " is outside [0, 1]";
        }
        return null;
    }

    // ---------------------------------------------------------------- expiry

    /** The item lives until {@code ttl} after the latest event time seen for it: one timer, moved forward. */
    private void extendExpiry(long eventTime, Context ctx) throws Exception {
        extendExpiry(eventTime, expiry.value(), ctx);
    }

    private void extendExpiry(long eventTime, Long pending, Context ctx) throws Exception {
        long due = eventTime + ttlMillis;
        if (pending != null && pending >= due) {
            return;
        }
        if (pending != null) {
            ctx.timerService().deleteEventTimeTimer(pending);
        }
        ctx.timerService().registerEventTimeTimer(due);
        expiry.update(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingExample> out) throws Exception {
        if (decision.value() == null) {
            for (ReviewLabel label : waiting()) {
                unmatchedExpired.inc();
                unmatched.inc();
                ctx.output(FeedbackState.UNMATCHED_LABELS, label);
            }
        }
        decision.clear();
        labels.clear();
        expiry.clear();
    }
}
