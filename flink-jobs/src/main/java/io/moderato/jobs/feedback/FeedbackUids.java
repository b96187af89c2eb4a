package io.moderato.jobs.feedback;

/**
 * Stable operator uids of the FeedbackJob. Changing one orphans that operator's state in every
 * savepoint: add new ones, never rename.
 */
public final class FeedbackUids {

    private FeedbackUids() {}

    public static final String SOURCE_DECISIONS = "source-risk-decisions";
    public static final String SOURCE_LABELS = "source-review-labels";
    public static final String SOURCE_TASKS = "source-review-tasks";
    public static final String SOURCE_POLICY_CONFIG = "source-policy-config";
    public static final String DECODE_DECISIONS = "decode-risk-decisions";
    public static final String DECODE_LABELS = "decode-review-labels";
    public static final String DECODE_TASKS = "decode-review-tasks";
    public static final String DECODE_POLICY_CONFIG = "decode-policy-config";
    public static final String WATERMARKS_DECISIONS = "watermarks-risk-decisions";
    public static final String WATERMARKS_LABELS = "watermarks-review-labels";
    public static final String WATERMARKS_TASKS = "watermarks-review-tasks";
    public static final String WATERMARKS_POLICY_CONFIG = "watermarks-policy-config";
    public static final String JOIN = "join-labels-decisions";
    public static final String SURFACES = "labelled-items-by-surface";
    public static final String METRICS = "quality-metrics";
    public static final String PRE_AGGREGATE = "pre-aggregate-decisions";
    public static final String SCORE_DRIFT = "score-drift";
    public static final String TASKS_TO_COMPLIANCE = "review-tasks-to-compliance";
    public static final String COUNT_DECISION_COMPLIANCE = "count-decision-compliance";
    public static final String COMBINE_LABEL_COMPLIANCE = "combine-label-compliance";
    public static final String COMBINE_TASK_COMPLIANCE = "combine-task-compliance";
    public static final String COMPLIANCE = "compliance-days";
    public static final String SINK_TRAINING_EXAMPLES = "sink-training-examples";
    public static final String SINK_TRAINING_FILES = "sink-training-example-files";
    public static final String SINK_QUALITY_METRICS = "sink-quality-metrics";
    public static final String SINK_DRIFT_ALERTS = "sink-drift-alerts";
    public static final String SINK_COMPLIANCE_REPORTS = "sink-compliance-reports";
    public static final String SINK_UNMATCHED_LABELS = "sink-unmatched-labels";
    public static final String SINK_DEADLETTER = "sink-deadletter";
}
