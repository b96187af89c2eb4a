package io.moderato.jobs.detection;

import io.moderato.jobs.common.RecordCheck;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.config.PolicyConfigValidator;
import io.moderato.udfs.input.EventTimeBounds;
import io.moderato.udfs.input.RecordBounds;
import org.apache.flink.configuration.Configuration;

/**
 * What the DetectionJob refuses at its door: each check names the field, and a refused record goes
 * to the dead-letter topic with its coordinates. Beyond required ids: event times within
 * {@link DetectionOptions#MAX_PAST} / {@link DetectionOptions#MAX_FUTURE} of processing time, a
 * non-negative reach, and sizes (texts up to {@link DetectionOptions#MAX_TEXT_CHARS}, embeddings up
 * to {@value #MAX_EMBEDDING_DIMENSIONS} values, user features up to {@value #MAX_EXTRA_FEATURES},
 * every other string and list under {@link RecordBounds}' defaults), so that no input can make an
 * output record too large for the broker.
 */
public final class DetectionInputs {

    public static final int MAX_EMBEDDING_DIMENSIONS = 8192;
    public static final int MAX_EXTRA_FEATURES = 64;
    public static final int MAX_ATTRIBUTES = 64;
    /** Ids are Kafka keys and state keys, and every output record carries them. */
    public static final int MAX_ID_CHARS = 256;
    /** Surfaces and locales are short names (a BCP 47 tag); every decision carries them. */
    public static final int MAX_NAME_CHARS = 64;

    private DetectionInputs() {}

    public static RecordCheck<ContentEvent> content(Configuration conf) {
        EventTimeBounds time = new EventTimeBounds(
                conf.get(DetectionOptions.MAX_PAST),
                conf.get(DetectionOptions.MAX_FUTURE),
                DetectionOptions.MAX_PAST.key(),
                DetectionOptions.MAX_FUTURE.key());
        int maxText = conf.get(DetectionOptions.MAX_TEXT_CHARS);
        String textSetting = DetectionOptions.MAX_TEXT_CHARS.key();
        RecordBounds sizes = RecordBounds.defaults()
                .with("contentId", MAX_ID_CHARS, "ids")
                .with("userId", MAX_ID_CHARS, "ids")
                .with("surface", MAX_NAME_CHARS, "surface names")
                .with("locale", MAX_NAME_CHARS, "locale tags")
                .with("text", maxText, textSetting)
                .with("transcript.text", maxText, textSetting)
                .with("imageEmbedding.vector", MAX_EMBEDDING_DIMENSIONS, "embedding dimensions")
                .with("audioEmbedding.vector", MAX_EMBEDDING_DIMENSIONS, "embedding dimensions")
                .with("videoEmbedding.vector", MAX_EMBEDDING_DIMENSIONS, "embedding dimensions")
                .with("attributes", MAX_ATTRIBUTES, "attributes per event");
        return (event, now) -> RecordCheck.first(
                RecordCheck.requireText("contentId", event.getContentId()),
                RecordCheck.requireText("userId", event.getUserId()),
                event.getReachEstimate() < 0
                        ? "field 'reachEstimate' must be >= 0, got " + event.getReachEstimate()
                        : null,
                time.problem("eventTimeMillis", event.getEventTimeMillis(), now),
                sizes.problem(event));
    }

    public static RecordCheck<UserSignal> userSignal() {
        RecordBounds sizes = RecordBounds.defaults()
                .with("userId", MAX_ID_CHARS, "ids")
                .with("extraFeatures", MAX_EXTRA_FEATURES, "extra features per user")
                .with("extraFeatures key", MAX_NAME_CHARS, "feature names");
        return (signal, now) ->
                RecordCheck.first(RecordCheck.requireText("userId", signal.getUserId()), sizes.problem(signal));
    }

    /**
     * Only what is needed to key and audit a config: its id (the audit record's Kafka key). Everything
     * else, sizes included, is judged by the {@link ConfigGate} and reported in config.audit.
     */
    public static RecordCheck<PolicyConfig> policyConfig() {
        return (config, now) -> {
            String problem = RecordCheck.requireText("policyId", config.getPolicyId());
            if (problem == null && config.getPolicyId().length() > PolicyConfigValidator.MAX_POLICY_ID_CHARS) {
                problem = "field 'policyId' has " + config.getPolicyId().length() + " characters, more than "
                        + PolicyConfigValidator.MAX_POLICY_ID_CHARS;
            }
            return problem;
        };
    }
}
