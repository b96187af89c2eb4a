package io.moderato.jobs.feedback;

import io.moderato.jobs.common.RecordCheck;
import io.moderato.jobs.detection.ConfigGate;
import io.moderato.jobs.detection.DetectionInputs;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.config.PolicyConfigValidator;
import io.moderato.udfs.input.EventTimeBounds;
import io.moderato.udfs.input.RecordBounds;
import io.moderato.udfs.model.ContentScorer;
import org.apache.flink.configuration.Configuration;

/**
 * What the FeedbackJob refuses at its door (dead-lettered with the reason, naming the field):
 * missing ids, event times (labels: labelledAtMillis) outside {@link FeedbackOptions#MAX_PAST} /
 * {@link FeedbackOptions#MAX_FUTURE} of processing time, and sizes beyond what the DetectionJob
 * ever writes — so that no input can make a training example, an unmatched label or a metric
 * record too large for the broker.
 */
public final class FeedbackInputs {

    public static final int MAX_NOTES_CHARS = 4096;

    private FeedbackInputs() {}

    private static EventTimeBounds time(Configuration conf) {
        return new EventTimeBounds(
                conf.get(FeedbackOptions.MAX_PAST),
                conf.get(FeedbackOptions.MAX_FUTURE),
                FeedbackOptions.MAX_PAST.key(),
                FeedbackOptions.MAX_FUTURE.key());
    }

    public static RecordCheck<RiskDecision> decision(Configuration conf) {
        EventTimeBounds time = time(conf);
        String captured = "values the DetectionJob captures per decision";
        RecordBounds sizes = RecordBounds.defaults()
                .with("policies", ConfigGate.MAX_POLICIES, "policies in force")
                .with("policies[].scoringProblems", 16, "scoring problems per policy")
                .with("features", 16, "feature vectors per decision")
                .with("features[].indices", ContentScorer.MAX_CAPTURED_VALUES, captured)
                .with("features[].values", ContentScorer.MAX_CAPTURED_VALUES, captured);
        return (decision, now) -> RecordCheck.first(
                RecordCheck.requireText("contentId", decision.getContentId()),
                time.problem("eventTimeMillis", decision.getEventTimeMillis(), now),
                sizes.problem(decision),
                capturedValues(decision));
    }

    private static String capturedValues(RiskDecision decision) {
        long values = 0;
        for (FeatureVector f : decision.getFeatures()) {
            values += f.getValues().size();
        }
        return values <= ContentScorer.MAX_CAPTURED_VALUES
                ? null
                : "field 'features' holds " + values + " values, more than the " + ContentScorer.MAX_CAPTURED_VALUES
                        + " the DetectionJob captures per decision";
    }

    public static RecordCheck<ReviewLabel> label(Configuration conf) {
        EventTimeBounds time = time(conf);
        RecordBounds sizes = RecordBounds.defaults()
                .with("contentId", DetectionInputs.MAX_ID_CHARS, "ids")
                .with("reviewerId", DetectionInputs.MAX_ID_CHARS, "ids")
                .with("policyId", PolicyConfigValidator.MAX_POLICY_ID_CHARS, "policy ids are keys")
                .with("notes", MAX_NOTES_CHARS, "reviewer notes");
        return (label, now) -> RecordCheck.first(
                RecordCheck.requireText("contentId", label.getContentId()),
                RecordCheck.requireText("policyId", label.getPolicyId()),
                RecordCheck.requireText("reviewerId", label.getReviewerId()),
                time.problem("labelledAtMillis", label.getLabelledAtMillis(), now),
                sizes.problem(label));
    }

    public static RecordCheck<ReviewTask> task(Configuration conf) {
        EventTimeBounds time = time(conf);
        RecordBounds sizes = RecordBounds.defaults().with("reasons", ConfigGate.MAX_POLICIES, "policies in force");
        return (task, now) -> RecordCheck.first(
                RecordCheck.requireText("contentId", task.getContentId()),
                time.problem("eventTimeMillis", task.getEventTimeMillis(), now),
                sizes.problem(task));
    }
}
