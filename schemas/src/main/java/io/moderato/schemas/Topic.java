package io.moderato.schemas;

import java.util.Arrays;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every Moderato Kafka topic with the Avro record its values carry (Schema Registry subject
 * {@code <topic>-value}) and the record field its key is taken from. This is the single list the
 * schema-compatibility gate runs over: a record on the wire without a frozen released schema fails
 * the build. Two topics may carry the same record (review.labels.unmatched holds review.labels'
 * records); the record is then frozen once.
 */
public enum Topic {
    CONTENT_EVENTS("content.events", ContentEvent.class, ContentEvent.getClassSchema(), "contentId"),
    USER_SIGNALS("user.signals", UserSignal.class, UserSignal.getClassSchema(), "userId"),
    POLICY_CONFIG("policy.config", PolicyConfig.class, PolicyConfig.getClassSchema(), "policyId"),
    RISK_DECISIONS("risk.decisions", RiskDecision.class, RiskDecision.getClassSchema(), "contentId"),
    PREPUBLISH_VERDICTS(
            "prepublish.verdicts", PrepublishVerdict.class, PrepublishVerdict.getClassSchema(), "contentId"),
    REVIEW_TASKS("review.tasks", ReviewTask.class, ReviewTask.getClassSchema(), "contentId"),
    ENFORCEMENT_ACTIONS(
            "enforcement.actions", EnforcementAction.class, EnforcementAction.getClassSchema(), "contentId"),
    REVIEW_LABELS("review.labels", ReviewLabel.class, ReviewLabel.getClassSchema(), "contentId"),
    /** Labels the FeedbackJob could not join to a decision within its TTL: the review.labels record, unchanged. */
    REVIEW_LABELS_UNMATCHED("review.labels.unmatched", ReviewLabel.class, ReviewLabel.getClassSchema(), "contentId"),
    TRAINING_EXAMPLES("training.examples", TrainingExample.class, TrainingExample.getClassSchema(), "contentId"),
    QUALITY_METRICS("quality.metrics", MetricSnapshot.class, MetricSnapshot.getClassSchema(), "policyId"),
    DRIFT_ALERTS("drift.alerts", DriftAlert.class, DriftAlert.getClassSchema(), "policyId"),
    CONFIG_AUDIT("config.audit", ConfigAudit.class, ConfigAudit.getClassSchema(), "policyId"),
    COMPLIANCE_REPORTS("compliance.reports", ComplianceReport.class, ComplianceReport.getClassSchema(), "policyId"),
    DEADLETTER("deadletter", DeadLetter.class, DeadLetter.getClassSchema(), null);

    private final String topicName;
    private final Class<? extends SpecificRecord> recordClass;
    private final Schema schema;
    private final String keyField;

    Topic(String topicName, Class<? extends SpecificRecord> recordClass, Schema schema, String keyField) {
        this.topicName = topicName;
        this.recordClass = recordClass;
        this.schema = schema;
        this.keyField = keyField;
    }

    /** The Kafka topic name, e.g. {@code content.events}. */
    public String topicName() {
        return topicName;
    }

    /** The Schema Registry subject of the topic's values (TopicNameStrategy). */
    public String valueSubject() {
        return topicName + "-value";
    }

    /** The generated SpecificRecord class of the topic's values. */
    public Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    /** The current writer schema of the topic's values. */
    public Schema schema() {
        return schema;
    }

    /** The string field of the record used as the Kafka key; empty for unkeyed topics. */
    public Optional<String> keyField() {
        return Optional.ofNullable(keyField);
    }

    /** The topic with this Kafka name, if it is one of Moderato's. */
    public static Optional<Topic> forTopicName(String topicName) {
        return Arrays.stream(values())
                .filter(t -> t.topicName.equals(topicName))
                .findFirst();
    }
}
