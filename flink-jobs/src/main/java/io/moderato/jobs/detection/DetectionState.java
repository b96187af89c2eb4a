package io.moderato.jobs.detection;

import io.moderato.jobs.internal.PendingCandidates;
import io.moderato.jobs.internal.PendingContent;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.decision.CapacityLimiter;
import io.moderato.udfs.window.SlidingRiskWindow;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** State descriptors and side outputs of the DetectionJob, in one place. */
public final class DetectionState {

    private DetectionState() {}

    /** Broadcast state: the latest accepted config per policy id (defaults are not stored). */
    public static final MapStateDescriptor<String, PolicyConfig> POLICY_CONFIGS =
            new MapStateDescriptor<>("policy-configs", Types.STRING, new AvroTypeInfo<>(PolicyConfig.class));

    /** Keyed by user: the latest user signal (with TTL). */
    public static final String USER_SIGNAL = "user-signal";

    public static ValueStateDescriptor<UserSignal> userSignal() {
        return new ValueStateDescriptor<>(USER_SIGNAL, new AvroTypeInfo<>(UserSignal.class));
    }

    /** Keyed by user: sliding risk window per policy id. */
    public static MapStateDescriptor<String, SlidingRiskWindow> riskWindows() {
        return new MapStateDescriptor<>("user-risk-windows", Types.STRING, TypeInformation.of(SlidingRiskWindow.class));
    }

    /** Keyed by user: the pending window-cleanup timer. */
    public static ValueStateDescriptor<Long> cleanupTimer() {
        return new ValueStateDescriptor<>("window-cleanup-timer", Types.LONG);
    }

    /** Keyed by user: scored items waiting for the watermark to pass their event time (the map key). */
    public static MapStateDescriptor<Long, PendingContent> pendingContent() {
        return new MapStateDescriptor<>("pending-content", Types.LONG, new AvroTypeInfo<>(PendingContent.class));
    }

    /** Keyed by user: fingerprint of each contentId decided within the dedup horizon (state TTL). */
    public static MapStateDescriptor<String, Long> decidedContent() {
        return new MapStateDescriptor<>("decided-content", Types.STRING, Types.LONG);
    }

    /** Keyed by review queue: candidates waiting for the watermark to pass their event time (the map key). */
    public static MapStateDescriptor<Long, PendingCandidates> pendingCandidates() {
        return new MapStateDescriptor<>("pending-candidates", Types.LONG, new AvroTypeInfo<>(PendingCandidates.class));
    }

    /** Keyed by review queue: admission state of the soft capacity limit (routed candidates). */
    public static ValueStateDescriptor<CapacityLimiter> queueCapacity() {
        return new ValueStateDescriptor<>("queue-capacity", TypeInformation.of(CapacityLimiter.class));
    }

    /** Keyed by review queue: the audit-sample load, admitted first ({@code ReviewAdmission}). */
    public static ValueStateDescriptor<CapacityLimiter> queueAuditLoad() {
        return new ValueStateDescriptor<>("queue-audit-load", TypeInformation.of(CapacityLimiter.class));
    }

    public static final OutputTag<EnforcementAction> ACTIONS =
            new OutputTag<>("enforcement-actions", new AvroTypeInfo<>(EnforcementAction.class));
    public static final OutputTag<ReviewCandidate> REVIEW_CANDIDATES =
            new OutputTag<>("review-candidates", new AvroTypeInfo<>(ReviewCandidate.class));
    public static final OutputTag<ConfigAudit> CONFIG_AUDIT =
            new OutputTag<>("config-audit", new AvroTypeInfo<>(ConfigAudit.class));
    /** The scorer's fast verdicts on pre-publish items (prepublish.verdicts, at least once). */
    public static final OutputTag<PrepublishVerdict> PREPUBLISH_VERDICTS =
            new OutputTag<>("prepublish-verdicts", new AvroTypeInfo<>(PrepublishVerdict.class));

    public static final OutputTag<ReviewTask> REVIEW_TASKS =
            new OutputTag<>("review-tasks", new AvroTypeInfo<>(ReviewTask.class));
}
