package io.moderato.jobs.feedback;

import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** State descriptors and side outputs of the FeedbackJob, in one place. */
public final class FeedbackState {

    private FeedbackState() {}

    /** Broadcast state: the latest accepted config per policy id (defaults are not stored). */
    public static final MapStateDescriptor<String, PolicyConfig> POLICY_CONFIGS =
            new MapStateDescriptor<>("feedback-policy-configs", Types.STRING, new AvroTypeInfo<>(PolicyConfig.class));

    // ---------------------------------------------------------------- label join, keyed by contentId

    /** The item's decision, once it arrived. */
    public static ValueStateDescriptor<RiskDecision> decision() {
        return new ValueStateDescriptor<>("join-decision", new AvroTypeInfo<>(RiskDecision.class));
    }

    /** The item's distinct labels, by {@link JoinLabelsFunction#labelKey}. */
    public static MapStateDescriptor<String, ReviewLabel> labels() {
        return new MapStateDescriptor<>("join-labels", Types.STRING, new AvroTypeInfo<>(ReviewLabel.class));
    }

    /** Event time at which the item's state expires (its pending timer). */
    public static ValueStateDescriptor<Long> expiry() {
        return new ValueStateDescriptor<>("join-expiry", Types.LONG);
    }

    // ---------------------------------------------------------------- quality metrics, keyed by policy|model|surface

    /** Open windows by {@code kind@start}. */
    public static MapStateDescriptor<String, MetricWindow> metricWindows() {
        return new MapStateDescriptor<>("metric-windows", Types.STRING, TypeInformation.of(MetricWindow.class));
    }

    /** Everything merged from closed windows of the shortest kind (plus labels that came after them). */
    public static ValueStateDescriptor<MetricWindow> cumulative() {
        return new ValueStateDescriptor<>("metric-cumulative", TypeInformation.of(MetricWindow.class));
    }

    /** ADWIN / Page-Hinkley on labelled data (all-surfaces keys only). */
    public static ValueStateDescriptor<LabelDriftState> labelDrift() {
        return new ValueStateDescriptor<>("label-drift", TypeInformation.of(LabelDriftState.class));
    }

    // ---------------------------------------------------------------- score drift, keyed by policy|modality|model

    /** Open score windows by {@code kind@start}. */
    public static MapStateDescriptor<String, ScoreWindow> scoreWindows() {
        return new MapStateDescriptor<>("score-windows", Types.STRING, TypeInformation.of(ScoreWindow.class));
    }

    /** Per window kind: the model version's own first windows, the reference of the traffic mode. */
    public static MapStateDescriptor<String, TrafficBaseline> trafficBaselines() {
        return new MapStateDescriptor<>("traffic-baselines", Types.STRING, TypeInformation.of(TrafficBaseline.class));
    }

    // ---------------------------------------------------------------- compliance, keyed by policy|day

    /** The day's accumulator and its emission bookkeeping. */
    public static ValueStateDescriptor<ComplianceState> complianceDay() {
        return new ValueStateDescriptor<>("compliance-day", TypeInformation.of(ComplianceState.class));
    }

    // ---------------------------------------------------------------- side outputs

    public static final OutputTag<LabelledItem> LABELLED_ITEMS =
            new OutputTag<>("labelled-items", TypeInformation.of(LabelledItem.class));
    public static final OutputTag<ReviewLabel> UNMATCHED_LABELS =
            new OutputTag<>("unmatched-labels", new AvroTypeInfo<>(ReviewLabel.class));
    public static final OutputTag<ComplianceDelta> COMPLIANCE_DELTAS =
            new OutputTag<>("compliance-deltas", TypeInformation.of(ComplianceDelta.class));
    public static final OutputTag<DriftAlert> LABEL_DRIFT_ALERTS =
            new OutputTag<>("label-drift-alerts", new AvroTypeInfo<>(DriftAlert.class));
}
