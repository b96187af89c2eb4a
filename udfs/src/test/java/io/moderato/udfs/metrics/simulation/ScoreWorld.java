package io.moderato.udfs.metrics.simulation;

import org.apache.commons.math3.special.Erf;

/**
 * The fixed part of every simulated world: scores are logistic(N(μ, 2²)) with μ = 1.4 for violating
 * and −4.3 for non-violating items (the model of the earlier IPW coverage test: ROC-AUC ≈ 0.98,
 * precision ≈ 0.92 at 0.8 with 5 % prevalence), review threshold 0.5, action threshold 0.8, scores
 * resolved to the 100 bins of the quality histogram. A score is drawn as its bin (inverse CDF of the
 * exact bin probabilities) plus a uniform position inside the bin, so the truth at every bin edge
 * is exact.
 */
public final class ScoreWorld {

    public static final int BINS = 100;
    public static final double REVIEW_THRESHOLD = 0.5;
    public static final double ACTION_THRESHOLD = 0.8;
    static final int REVIEW_EDGE = 50;
    static final int ACTION_EDGE = 80;

    private static final double SIGMA = 2.0;
    private static final double VIOLATING_MEAN = 1.4;
    private static final double BENIGN_MEAN = -4.3;

    private final double[] violatingCdf = binCdf(VIOLATING_MEAN);
    private final double[] benignCdf = binCdf(BENIGN_MEAN);

    private static double[] binCdf(double mean) {
        double[] cdf = new double[BINS];
        for (int i = 0; i < BINS - 1; i++) {
            double upper = (i + 1.0) / BINS;
            double latent = Math.log(upper / (1.0 - upper));
            cdf[i] = 0.5 * Erf.erfc(-(latent - mean) / (SIGMA * Math.sqrt(2.0)));
        }
        cdf[BINS - 1] = 1.0;
        return cdf;
    }

    /** The bin of a uniform draw u for an item of the given label. */
    int bin(boolean violating, double u) {
        double[] cdf = violating ? violatingCdf : benignCdf;
        int lo = 0;
        int hi = BINS - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cdf[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** P(score ≥ edge k / BINS) for an item of the given label. */
    double survival(boolean violating, int edge) {
        return edge == 0 ? 1.0 : 1.0 - (violating ? violatingCdf : benignCdf)[edge - 1];
    }

    double share(double prevalence, int fromEdge, int toEdge) {
        return prevalence * (survival(true, fromEdge) - survival(true, toEdge))
                + (1 - prevalence) * (survival(false, fromEdge) - survival(false, toEdge));
    }

    double actionShare(double prevalence) {
        return share(prevalence, ACTION_EDGE, BINS);
    }

    double reviewShare(double prevalence) {
        return share(prevalence, REVIEW_EDGE, ACTION_EDGE);
    }

    double allowShare(double prevalence) {
        return share(prevalence, 0, REVIEW_EDGE);
    }

    static boolean isAction(int bin) {
        return bin >= ACTION_EDGE;
    }

    static boolean isReview(int bin) {
        return bin >= REVIEW_EDGE && bin < ACTION_EDGE;
    }
}
