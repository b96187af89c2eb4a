package io.moderato.jobs.feedback;

import io.moderato.udfs.metrics.WeightedScoreHistogram;

/**
 * Raw counts of one model's scores for one policy over one tumbling event-time window, on the
 * fine bins of {@link WeightedScoreHistogram} ({@value #BINS} equal-width bins on [0, 1], binned
 * with {@link WeightedScoreHistogram#binOf}, so "score ≥ k/100" is exact). Both the per-subtask
 * partials of the pre-aggregator and the merged window of the drift operator. A Flink POJO.
 */
public class ScoreWindow {

    public static final int BINS = WeightedScoreHistogram.DEFAULT_BINS;

    public String policyId;
    public String modality;
    public String model;
    public String version;
    public String kind;
    public long start;
    public long end;
    public long items;
    public double[] counts;

    public ScoreWindow() {}

    public static ScoreWindow of(
            String policyId, String modality, String model, String version, String kind, long start, long end) {
        ScoreWindow w = new ScoreWindow();
        w.policyId = policyId;
        w.modality = modality;
        w.model = model;
        w.version = version;
        w.kind = kind;
        w.start = start;
        w.end = end;
        w.counts = new double[BINS];
        return w;
    }

    /** The drift key: policy, modality, model:version (NUL-separated). */
    public String key() {
        return key(policyId, modality, model, version);
    }

    public static String key(String policyId, String modality, String model, String version) {
        return policyId + '\u0000' + modality + '\u0000' + model + ":" + version;
    }

    /** The window's id within its key. */
    public String windowId() {
        return kind + "@" + start;
    }

    public void add(double score) {
        counts[WeightedScoreHistogram.binOf(score, BINS)]++;
        items++;
    }

    public void merge(ScoreWindow other) {
        for (int i = 0; i < BINS; i++) {
            counts[i] += other.counts[i];
        }
        items += other.items;
    }

    @Override
    public String toString() {
        return "ScoreWindow{" + policyId + "|" + modality + "|" + model + ":" + version + " " + windowId() + ", items="
                + items + '}';
    }
}
