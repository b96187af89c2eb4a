package io.moderato.jobs.feedback;

/**
 * The scores of a model version's first windows of one kind, summed on the fine bins of {@link ScoreWindow}: the
 * drift reference when {@code feedback.drift.reference} is {@code TRAFFIC}. It covers the windows that end at most
 * {@code feedback.drift.baseline} after the start of the first window of that kind, and after that further windows
 * until it holds {@code feedback.drift.min-window-items} scores (a quiet start must not leave a reference too thin
 * to test against, for good). A Flink POJO (keyed state of {@link ScoreDriftFunction}, one per window kind, with a
 * TTL of {@code feedback.drift.baseline-idle} refreshed by every comparison).
 */
public class TrafficBaseline {

    public long start;
    public long end;
    public long items;
    public double[] counts;

    public TrafficBaseline() {}

    static TrafficBaseline startingAt(long start) {
        TrafficBaseline b = new TrafficBaseline();
        b.start = start;
        b.end = start;
        b.counts = new double[ScoreWindow.BINS];
        return b;
    }

    /** Whether {@code window} still belongs to the baseline: inside its period, or the baseline is still thin. */
    boolean covers(ScoreWindow window, long baselineMillis, long minItems) {
        return window.end - start <= baselineMillis || items < minItems;
    }

    void add(ScoreWindow window) {
        for (int i = 0; i < ScoreWindow.BINS; i++) {
            counts[i] += window.counts[i];
        }
        items += window.items;
        end = Math.max(end, window.end);
    }
}
