package io.moderato.jobs.feedback;

import java.util.Objects;

/**
 * One change of a labelled item's verdict as the quality metrics see it, from the label join to the
 * metrics operator: the item's score and decision as taken, its weight 1/propensity, and its
 * review-sample verdict before and after the change. Only labels that came through the review
 * sample (REVIEW, AUDIT) make a verdict here: an item labelled only by appeal is not a valid
 * inverse-propensity sample. A change retracts the previous verdict and adds the current one, so
 * every item counts once, with its latest verdict, in every window still open.
 *
 * <p>A Flink POJO (public fields, no-arg constructor).
 */
public class LabelledItem {

    /** The policy labelled. */
    public String policyId;
    /** Active models that scored the policy: "modality=name:version" sorted by modality, ",". */
    public String modelVersion;
    /** The item's surface, or "*" for the all-surfaces copy. */
    public String surface;
    /** Event time of the decision: the windows are over it. */
    public long eventTimeMillis;
    /** When the verdict became what it is (the adjudication's latest label time). */
    public long labelledAtMillis;
    /** PolicyDecision.fusedRisk. */
    public double score;
    /** fusedRisk at or above the decision's own action threshold (band ACTION / BLOCK). */
    public boolean predictedPositive;
    /** PolicyDecision.actionThreshold, for snapshots of policies the job has no config for. */
    public double actionThreshold;
    /** 1 / PolicyDecision.propensity. */
    public double weight;
    /** PolicyDecision.auditSampled: the item reached review through the random audit sample (recall's guard counts these). */
    public boolean auditSampled;
    /** PolicyConfig version the decision used. */
    public long configVersion;
    /** Whether the item had a review-sample verdict before this change. */
    public boolean hadPrevious;

    public boolean previousViolating;
    /** Whether the item has a review-sample verdict after this change. */
    public boolean hasCurrent;

    public boolean currentViolating;

    public LabelledItem() {}

    /** A copy for another surface key (the all-surfaces one). */
    public LabelledItem withSurface(String otherSurface) {
        LabelledItem copy = new LabelledItem();
        copy.policyId = policyId;
        copy.modelVersion = modelVersion;
        copy.surface = otherSurface;
        copy.eventTimeMillis = eventTimeMillis;
        copy.labelledAtMillis = labelledAtMillis;
        copy.score = score;
        copy.predictedPositive = predictedPositive;
        copy.actionThreshold = actionThreshold;
        copy.weight = weight;
        copy.auditSampled = auditSampled;
        copy.configVersion = configVersion;
        copy.hadPrevious = hadPrevious;
        copy.previousViolating = previousViolating;
        copy.hasCurrent = hasCurrent;
        copy.currentViolating = currentViolating;
        return copy;
    }

    /** The metrics key: policy, model version, surface (NUL-separated: ids are data and may hold any other character). */
    public String key() {
        return policyId + '\u0000' + modelVersion + '\u0000' + surface;
    }

    /** True when this is the first review-sample verdict of the item (what the sequential detectors take). */
    public boolean isFirstVerdict() {
        return !hadPrevious && hasCurrent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledItem i
                && eventTimeMillis == i.eventTimeMillis
                && labelledAtMillis == i.labelledAtMillis
                && score == i.score
                && predictedPositive == i.predictedPositive
                && actionThreshold == i.actionThreshold
                && weight == i.weight
                && auditSampled == i.auditSampled
                && configVersion == i.configVersion
                && hadPrevious == i.hadPrevious
                && previousViolating == i.previousViolating
                && hasCurrent == i.hasCurrent
                && currentViolating == i.currentViolating
                && Objects.equals(policyId, i.policyId)
                && Objects.equals(modelVersion, i.modelVersion)
                && Objects.equals(surface, i.surface);
    }

    @Override
    public int hashCode() {
        return Objects.hash(policyId, modelVersion, surface, eventTimeMillis, labelledAtMillis);
    }

    @Override
    public String toString() {
        return "LabelledItem{" + policyId + "|" + modelVersion + "|" + surface + " @" + eventTimeMillis + ", score="
                + score + ", predicted=" + predictedPositive
                + ", w=" + weight + (auditSampled ? " (audit)" : "") + ", "
                + (hadPrevious ? String.valueOf(previousViolating) : "-") + " -> "
                + (hasCurrent ? String.valueOf(currentViolating) : "-") + '}';
    }
}
