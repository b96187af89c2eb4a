package io.moderato.udfs.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The answer of {@link ThresholdRecommender}: either a threshold certified to meet the precision
 * obligation, with what it would do (precision and recall with intervals, the estimated numbers of
 * items it would action and send to review), or the reason there is none — typically
 * "insufficient labels: need ≈ N more audited items at this prevalence".
 *
 * @param threshold the recommended action threshold (a histogram bin edge); empty when none
 * @param precision precision at the threshold, two-sided interval at the report's confidence;
 *     undefined when there is no threshold
 * @param precisionLowerBound the one-sided lower bound the fixed-sequence test used (at the
 *     obligation's confidence divided by the selection allowance); NaN when there is no threshold
 * @param recall recall at the threshold, with recall's audited-label guard; undefined when there
 *     is no threshold
 * @param actionVolume estimated items (Σ 1/propensity) scoring at or above the threshold, i.e.
 *     actioned automatically, in the labels' window; NaN when there is no threshold
 * @param reviewVolume estimated items between the review threshold and the recommended one, i.e.
 *     sent to review; NaN when there is no threshold or no review threshold was given
 * @param insufficientReason why there is no recommendation; null when there is one
 * @param additionalAuditedItems ≈ how many more audited items (at the current audit mix and
 *     prevalence) the labels need before a recommendation can be certified; -1 when there is a
 *     recommendation or no number can be given (e.g. no threshold's estimated precision reaches
 *     the obligation)
 * @param candidateThreshold the threshold the labels point to and {@code additionalAuditedItems}
 *     is computed for; empty when there is a recommendation or no candidate
 */
public record ThresholdRecommendation(
        OptionalDouble threshold,
        ProportionEstimate precision,
        double precisionLowerBound,
        ProportionEstimate recall,
        double actionVolume,
        double reviewVolume,
        String insufficientReason,
        long additionalAuditedItems,
        OptionalDouble candidateThreshold) {

    public ThresholdRecommendation {
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(recall, "recall");
        Objects.requireNonNull(candidateThreshold, "candidateThreshold");
        if (threshold.isPresent() == (insufficientReason != null)) {
            throw new IllegalArgumentException("exactly one of threshold and insufficientReason must be given");
        }
    }

    static ThresholdRecommendation recommended(
            double threshold,
            ProportionEstimate precision,
            double precisionLowerBound,
            ProportionEstimate recall,
            double actionVolume,
            double reviewVolume) {
        return new ThresholdRecommendation(
                OptionalDouble.of(threshold),
                precision,
                precisionLowerBound,
                recall,
                actionVolume,
                reviewVolume,
                null,
                -1,
                OptionalDouble.empty());
    }

    static ThresholdRecommendation insufficient(
            String reason, long additionalAuditedItems, OptionalDouble candidateThreshold) {
        return new ThresholdRecommendation(
                OptionalDouble.empty(),
                ProportionEstimate.undefined(),
                Double.NaN,
                ProportionEstimate.undefined(),
                Double.NaN,
                Double.NaN,
                reason,
                additionalAuditedItems,
                candidateThreshold);
    }

    /** No recommendation was asked for (no obligation configured). */
    static ThresholdRecommendation notRequested() {
        return insufficient("no precision obligation given", -1, OptionalDouble.empty());
    }

    /** True when a threshold is recommended. */
    public boolean isRecommended() {
        return threshold.isPresent();
    }
}
