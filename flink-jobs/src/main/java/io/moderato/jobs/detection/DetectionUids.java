package io.moderato.jobs.detection;

/**
 * Stable operator uids of the DetectionJob. Changing one orphans that operator's state in every
 * savepoint: add new ones, never rename.
 */
public final class DetectionUids {

    private DetectionUids() {}

    public static final String SOURCE_CONTENT = "source-content-events";
    public static final String SOURCE_USER_SIGNALS = "source-user-signals";
    public static final String SOURCE_POLICY_CONFIG = "source-policy-config";
    public static final String DECODE_CONTENT = "decode-content-events";
    public static final String DECODE_USER_SIGNALS = "decode-user-signals";
    public static final String DECODE_POLICY_CONFIG = "decode-policy-config";
    public static final String WATERMARKS_CONTENT = "watermarks-content-events";
    public static final String WATERMARKS_USER_SIGNALS = "watermarks-user-signals";
    public static final String WATERMARKS_POLICY_CONFIG = "watermarks-policy-config";
    public static final String CONFIG_GATE = "config-gate";
    public static final String SCORE = "score-content";
    public static final String TO_USER_INPUT_CONTENT = "user-input-content";
    public static final String TO_USER_INPUT_SIGNAL = "user-input-signal";
    public static final String DECIDE = "fuse-window-decide";
    public static final String ROUTE = "route-review";
    public static final String SINK_DECISIONS = "sink-risk-decisions";
    public static final String SINK_ROUTED_DECISIONS = "sink-risk-decisions-routed";
    public static final String SINK_TASKS = "sink-review-tasks";
    public static final String SINK_ACTIONS = "sink-enforcement-actions";
    public static final String SINK_CONFIG_AUDIT = "sink-config-audit";
    public static final String SINK_DEADLETTER = "sink-deadletter";
    public static final String SINK_PREPUBLISH_VERDICTS = "sink-prepublish-verdicts";
}
