package io.moderato.udfs.metrics;

/**
 * One labelled item as the quality estimators take it: its calibrated score, its adjudicated label,
 * the probability with which it got a label at all (its weight is 1/propensity) and whether it was
 * a random audit sample (TrainingExample.auditSampled).
 *
 * @param score calibrated score in [0, 1]
 * @param violating the adjudicated label
 * @param propensity probability of having been labelled, in (0, 1]
 * @param auditSample whether the item reached review through the random audit sample
 */
public record LabelledScore(double score, boolean violating, double propensity, boolean auditSample) {

    public LabelledScore {
        WeightedConfusion.requireScore(score);
        if (!(propensity > 0.0 && propensity <= 1.0)) {
            throw new IllegalArgumentException("propensity must be in (0, 1], got " + propensity);
        }
    }

    /** 1 / propensity. */
    public double weight() {
        return 1.0 / propensity;
    }
}
