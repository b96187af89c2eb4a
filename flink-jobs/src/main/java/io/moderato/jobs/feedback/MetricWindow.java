package io.moderato.jobs.feedback;

import io.moderato.udfs.metrics.WeightedConfusion;
import io.moderato.udfs.metrics.WeightedScoreHistogram;

/**
 * The quality accumulators of one key over one window (or cumulatively): the IPW confusion of the
 * decisions actually taken and the IPW score histogram per label. Items are added with their
 * current review-sample verdict and retracted with their previous one (see {@link LabelledItem}):
 * counts stay exact, and a cell or bin whose item count returns to 0 gets its weight sums reset so
 * floating-point residue cannot define an estimate. A Flink POJO.
 */
public class MetricWindow {

    public String policyId;
    public String modelVersion;
    public String surface;
    public String kind;
    public long start;
    public long end;
    public WeightedConfusion confusion;
    public WeightedScoreHistogram histogram;
    /** The action threshold of the last decision applied (used when the job has no config for the policy). */
    public double lastActionThreshold = Double.NaN;

    public MetricWindow() {}

    public static MetricWindow of(LabelledItem key, String kind, long start, long end) {
        MetricWindow window = new MetricWindow();
        window.policyId = key.policyId;
        window.modelVersion = key.modelVersion;
        window.surface = key.surface;
        window.kind = kind;
        window.start = start;
        window.end = end;
        window.confusion = new WeightedConfusion();
        window.histogram = new WeightedScoreHistogram();
        return window;
    }

    /** Retracts the item's previous verdict (if any) and adds its current one (if any). */
    public MetricWindow apply(LabelledItem item) {
        if (item.hadPrevious) {
            retract(item.score, item.predictedPositive, item.previousViolating, item.weight, item.auditSampled);
        }
        if (item.hasCurrent) {
            confusion.add(item.score, item.predictedPositive, item.currentViolating, item.weight, item.auditSampled);
            histogram.add(item.score, item.currentViolating, item.weight, item.auditSampled);
        }
        lastActionThreshold = item.actionThreshold;
        return this;
    }

    /** Adds all of {@code other} (a closed window merged into the cumulative one). */
    public MetricWindow merge(MetricWindow other) {
        confusion.merge(other.confusion);
        histogram.merge(other.histogram);
        start = Math.min(start, other.start);
        end = Math.max(end, other.end);
        if (!Double.isNaN(other.lastActionThreshold)) {
            lastActionThreshold = other.lastActionThreshold;
        }
        return this;
    }

    private void retract(double score, boolean predicted, boolean violating, double weight, boolean audited) {
        WeightedConfusion one = new WeightedConfusion().add(score, predicted, violating, weight, audited);
        WeightedConfusion c = confusion;
        c.setTruePositiveCount(c.getTruePositiveCount() - one.getTruePositiveCount());
        c.setFalsePositiveCount(c.getFalsePositiveCount() - one.getFalsePositiveCount());
        c.setTrueNegativeCount(c.getTrueNegativeCount() - one.getTrueNegativeCount());
        c.setFalseNegativeCount(c.getFalseNegativeCount() - one.getFalseNegativeCount());
        c.setTruePositiveAuditedCount(c.getTruePositiveAuditedCount() - one.getTruePositiveAuditedCount());
        c.setFalsePositiveAuditedCount(c.getFalsePositiveAuditedCount() - one.getFalsePositiveAuditedCount());
        c.setTrueNegativeAuditedCount(c.getTrueNegativeAuditedCount() - one.getTrueNegativeAuditedCount());
        c.setFalseNegativeAuditedCount(c.getFalseNegativeAuditedCount() - one.getFalseNegativeAuditedCount());
        c.setTruePositiveWeight(
                residueFree(c.getTruePositiveWeight() - one.getTruePositiveWeight(), c.getTruePositiveCount()));
        c.setFalsePositiveWeight(
                residueFree(c.getFalsePositiveWeight() - one.getFalsePositiveWeight(), c.getFalsePositiveCount()));
        c.setTrueNegativeWeight(
                residueFree(c.getTrueNegativeWeight() - one.getTrueNegativeWeight(), c.getTrueNegativeCount()));
        c.setFalseNegativeWeight(
                residueFree(c.getFalseNegativeWeight() - one.getFalseNegativeWeight(), c.getFalseNegativeCount()));
        c.setTruePositiveSquaredWeight(residueFree(
                c.getTruePositiveSquaredWeight() - one.getTruePositiveSquaredWeight(), c.getTruePositiveCount()));
        c.setFalsePositiveSquaredWeight(residueFree(
                c.getFalsePositiveSquaredWeight() - one.getFalsePositiveSquaredWeight(), c.getFalsePositiveCount()));
        c.setTrueNegativeSquaredWeight(residueFree(
                c.getTrueNegativeSquaredWeight() - one.getTrueNegativeSquaredWeight(), c.getTrueNegativeCount()));
        c.setFalseNegativeSquaredWeight(residueFree(
                c.getFalseNegativeSquaredWeight() - one.getFalseNegativeSquaredWeight(), c.getFalseNegativeCount()));
        c.setWeightedSquaredError(
                residueFree(c.getWeightedSquaredError() - one.getWeightedSquaredError(), c.labelCount()));

        WeightedScoreHistogram h = histogram;
        int bin = WeightedScoreHistogram.binOf(score, h.bins());
        double w2 = weight * weight;
        int auditedOne = audited ? 1 : 0;
        if (violating) {
            h.getPositiveAuditedCount()[bin] -= auditedOne;
            long n = --h.getPositiveCount()[bin];
            h.getPositiveWeight()[bin] = residueFree(h.getPositiveWeight()[bin] - weight, n);
            h.getPositiveSquaredWeight()[bin] = residueFree(h.getPositiveSquaredWeight()[bin] - w2, n);
        } else {
            h.getNegativeAuditedCount()[bin] -= auditedOne;
            long n = --h.getNegativeCount()[bin];
            h.getNegativeWeight()[bin] = residueFree(h.getNegativeWeight()[bin] - weight, n);
            h.getNegativeSquaredWeight()[bin] = residueFree(h.getNegativeSquaredWeight()[bin] - w2, n);
        }
        long inBin = h.getPositiveCount()[bin] + h.getNegativeCount()[bin];
        h.getWeightedScoreSum()[bin] = residueFree(h.getWeightedScoreSum()[bin] - weight * score, inBin);
        double error = score - (violating ? 1.0 : 0.0);
        h.setWeightedSquaredError(residueFree(h.getWeightedSquaredError() - weight * error * error, h.labelCount()));
    }

    private static double residueFree(double value, long count) {
        return count == 0 ? 0.0 : value;
    }

    @Override
    public String toString() {
        return "MetricWindow{" + kind + " [" + start + ", " + end + "), " + confusion + '}';
    }
}
