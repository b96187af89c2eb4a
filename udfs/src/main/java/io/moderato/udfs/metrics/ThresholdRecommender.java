package io.moderato.udfs.metrics;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Recommends the lowest action threshold whose precision is certified to meet a policy's
 * obligation "precision ≥ p at confidence c", by Learn-then-Test with fixed-sequence testing
 * (Angelopoulos et al. 2021): the histogram's bin edges are tested from the top down, each against
 * H₀ "precision &lt; p" with a one-sided Clopper–Pearson bound on the conservative effective sample
 * size ({@link Intervals}), and the walk stops at the first edge that fails. A fixed sequence needs
 * no multiplicity penalty however many edges it passes: the probability that any edge it certifies
 * has precision below p is at most the test level.
 *
 * <p>Two refinements, both measured on the seeded worlds of udfs/docs/statistics.md:
 * <ul>
 *   <li><b>Start.</b> The top edges hold too few labels for any test to pass, so the walk starts at
 *       the highest edge whose Kish effective sample size (which depends on the weights, not on the
 *       labels) could pass at all: n ≥ ln(level) / ln(p), the size at which an all-violating sample
 *       just passes.
 *   <li><b>Selection allowance.</b> The promise users read is "a recommendation that appears meets
 *       p", i.e. the error rate among the windows that get one, which is the test level divided by
 *       the share of windows that get one. The tests therefore run at level (1 − c) / allowance
 *       (default {@value #DEFAULT_SELECTION_ALLOWANCE}): at level 1 − c, windows with a few hundred
 *       labels got a recommendation in 3 % of seeds and it was wrong in 48 % of those.
 * </ul>
 *
 * <p>With no certified edge the answer is "insufficient labels: need ≈ N more audited items at this
 * prevalence": N is how many more audit samples, drawn like the window's audit samples (same
 * audit mix and prevalence), would bring the best-supported edge's effective sample size to the
 * size at which its current precision estimate passes the test. It is an estimate (the precision
 * estimate itself moves as labels come in), given so that an audit rate can be sized.
 *
 * <p>Entry points: {@link #recommend(WeightedScoreHistogram)} for the FeedbackJob's accumulators and
 * {@link #recommend(Iterable)} for labelled scores with their propensities (the tuning CLI).
 * Thread-safe and stateless apart from its settings.
 */
public final class ThresholdRecommender {

    /** Default divisor of the test level, see the class comment. */
    public static final int DEFAULT_SELECTION_ALLOWANCE = 5;

    private final PrecisionObligation obligation;
    private final double reportConfidence;
    private final int minimumAuditedLabels;
    private final double reviewThreshold;
    private final int selectionAllowance;

    /**
     * @param obligation the policy's "precision ≥ p at confidence c"
     * @param reportConfidence two-sided confidence of the precision and recall intervals reported
     *     with a recommendation
     * @param minimumAuditedLabels recall's guard (see {@link WeightedConfusion#recall(double, int)})
     * @param reviewThreshold the policy's review threshold, for the review volume; NaN when unknown
     * @param selectionAllowance divisor of the test level, ≥ 1
     */
    public ThresholdRecommender(
            PrecisionObligation obligation,
            double reportConfidence,
            int minimumAuditedLabels,
            double reviewThreshold,
            int selectionAllowance) {
        if (obligation == null) {
            throw new IllegalArgumentException("obligation is required");
        }
        if (!(reportConfidence > 0.0 && reportConfidence < 1.0)) {
            throw new IllegalArgumentException("reportConfidence must be in (0, 1), got " + reportConfidence);
        }
        if (minimumAuditedLabels < 0) {
            throw new IllegalArgumentException("minimumAuditedLabels must be >= 0, got " + minimumAuditedLabels);
        }
        if (!Double.isNaN(reviewThreshold) && !(reviewThreshold >= 0.0 && reviewThreshold <= 1.0)) {
            throw new IllegalArgumentException("reviewThreshold must be in [0, 1] or NaN, got " + reviewThreshold);
        }
        if (selectionAllowance < 1) {
            throw new IllegalArgumentException("selectionAllowance must be >= 1, got " + selectionAllowance);
        }
        this.obligation = obligation;
        this.reportConfidence = reportConfidence;
        this.minimumAuditedLabels = minimumAuditedLabels;
        this.reviewThreshold = reviewThreshold;
        this.selectionAllowance = selectionAllowance;
    }

    /** With the default selection allowance. */
    public ThresholdRecommender(
            PrecisionObligation obligation, double reportConfidence, int minimumAuditedLabels, double reviewThreshold) {
        this(obligation, reportConfidence, minimumAuditedLabels, reviewThreshold, DEFAULT_SELECTION_ALLOWANCE);
    }

    /** The one-sided level each edge is tested at: (1 − c) / allowance. */
    public double testLevel() {
        return (1.0 - obligation.confidence()) / selectionAllowance;
    }

    /** Recommends from labelled scores with their propensities, on {@link WeightedScoreHistogram#DEFAULT_BINS} edges. */
    public ThresholdRecommendation recommend(Iterable<LabelledScore> labels) {
        WeightedScoreHistogram histogram = new WeightedScoreHistogram();
        for (LabelledScore label : labels) {
            histogram.add(label.score(), label.violating(), label.weight(), label.auditSample());
        }
        return recommend(histogram);
    }

    /** Recommends from an accumulated histogram (the FeedbackJob's window). */
    public ThresholdRecommendation recommend(WeightedScoreHistogram histogram) {
        Edges edges = new Edges(histogram);
        double level = testLevel();
        double p = obligation.minimumPrecision();
        if (p >= 1.0) {
            return ThresholdRecommendation.insufficient(
                    "precision 1 cannot be certified from a sample", -1, OptionalDouble.empty());
        }
        double startSize = Math.log(level) / Math.log(p);
        int start = -1;
        for (int k = edges.bins - 1; k >= 0; k--) {
            if (edges.kish(k) >= startSize) {
                start = k;
                break;
            }
        }
        int certified = -1;
        int failed = -1;
        if (start >= 0) {
            for (int k = start; k >= 0; k--) {
                if (edges.passes(k, p, 1.0 - level)) {
                    certified = k;
                } else {
                    failed = k;
                    break;
                }
            }
        }
        if (certified >= 0) {
            WeightedConfusion at = histogram.confusionAtEdge(certified);
            return ThresholdRecommendation.recommended(
                    edges.threshold(certified),
                    at.precision(reportConfidence),
                    edges.lowerBound(certified, 1.0 - level),
                    at.recall(reportConfidence, minimumAuditedLabels),
                    edges.predictedWeight(certified),
                    reviewVolume(histogram, certified));
        }
        return insufficient(edges, start, failed, level);
    }

    private double reviewVolume(WeightedScoreHistogram histogram, int edge) {
        if (Double.isNaN(reviewThreshold)) {
            return Double.NaN;
        }
        double volume = 0.0;
        for (int i = histogram.nearestEdge(reviewThreshold); i < edge; i++) {
            volume += histogram.getPositiveWeight()[i] + histogram.getNegativeWeight()[i];
        }
        return volume;
    }

    /** The "insufficient labels" answer: how far the best-supported edge is from passing. */
    private ThresholdRecommendation insufficient(Edges edges, int start, int failed, double level) {
        double p = obligation.minimumPrecision();
        int candidate = bestSupportedEdge(edges, p);
        String target = String.format(
                Locale.ROOT, "precision >= %s at %s%% confidence", trim(p), trim(100.0 * obligation.confidence()));
        if (candidate < 0) {
            return ThresholdRecommendation.insufficient(
                    String.format(
                            Locale.ROOT,
                            "insufficient labels: no threshold's estimated precision exceeds %s yet (%d labelled items); %s"
                                    + " cannot be certified",
                            trim(p),
                            edges.labels,
                            target),
                    -1,
                    OptionalDouble.empty());
        }
        double needed = requiredEffectiveSize(edges.precision(candidate), p, 1.0 - level);
        double missing = needed - edges.effectiveSize(candidate);
        if (missing <= 0.0) {
            return walkStoppedAbove(edges, candidate, failed, level, target);
        }
        return moreLabelsNeeded(edges, candidate, missing, target);
    }

    /** The edge whose estimated precision exceeds {@code p} with the most evidence, or -1 if none does. */
    private static int bestSupportedEdge(Edges edges, double p) {
        int candidate = -1;
        double bestEvidence = 0.0;
        for (int k = 0; k < edges.bins; k++) {
            double nEff = edges.effectiveSize(k);
            double estimate = edges.precision(k);
            if (nEff >= 1.0 && estimate > p) {
                double evidence = (estimate - p) * Math.sqrt(nEff);
                if (evidence > bestEvidence) {
                    bestEvidence = evidence;
                    candidate = k;
                }
            }
        }
        return candidate;
    }

    /** The candidate would pass on its own, but the walk from the top stopped above it. */
    private static ThresholdRecommendation walkStoppedAbove(
            Edges edges, int candidate, int failed, double level, String target) {
        OptionalDouble candidateThreshold = OptionalDouble.of(edges.threshold(candidate));
        String where = failed >= 0
                ? String.format(
                        Locale.ROOT,
                        "stopped at %s (precision lower bound %.3f)",
                        trim(edges.threshold(failed)),
                        edges.lowerBound(failed, 1.0 - level))
                : "could not start (too few labels on the highest thresholds)";
        return ThresholdRecommendation.insufficient(
                String.format(
                        Locale.ROOT,
                        "insufficient labels: %s looks certifiable at %s, but the test walking down from the highest"
                                + " threshold %s; more audited items on the high scores are needed",
                        target,
                        trim(edges.threshold(candidate)),
                        where),
                -1,
                candidateThreshold);
    }

    /** How many more labelled (and audited) items the candidate edge needs to be certified. */
    private static ThresholdRecommendation moreLabelsNeeded(Edges edges, int candidate, double missing, String target) {
        OptionalDouble candidateThreshold = OptionalDouble.of(edges.threshold(candidate));
        double labelsAbove = edges.count(candidate);
        double perLabel = edges.effectiveSize(candidate) / labelsAbove;
        long moreLabelled = (long) Math.ceil(missing / perLabel);
        double auditedShare = edges.totalAudited == 0 ? 0.0 : (double) edges.audited(candidate) / edges.totalAudited;
        if (auditedShare <= 0.0) {
            return ThresholdRecommendation.insufficient(
                    String.format(
                            Locale.ROOT,
                            "insufficient labels: need ≈ %d more labelled items scoring >= %s (estimated precision %.3f there);"
                                    + " every such item is reviewed already, so only a longer window adds them",
                            moreLabelled,
                            trim(edges.threshold(candidate)),
                            edges.precision(candidate)),
                    -1,
                    candidateThreshold);
        }
        long moreAudited = (long) Math.ceil(moreLabelled / auditedShare);
        return ThresholdRecommendation.insufficient(
                String.format(
                        Locale.ROOT,
                        "insufficient labels: need ≈ %d more audited items at this prevalence (≈ %d more labelled items"
                                + " scoring >= %s, where precision is estimated at %.3f) to certify %s",
                        moreAudited,
                        moreLabelled,
                        trim(edges.threshold(candidate)),
                        edges.precision(candidate),
                        target),
                moreAudited,
                candidateThreshold);
    }

    /**
     * The smallest effective sample size at which the one-sided Clopper–Pearson bound of
     * {@code estimate} reaches {@code p} at {@code confidence}, for estimate &gt; p.
     */
    static double requiredEffectiveSize(double estimate, double p, double confidence) {
        double low = 1.0;
        double high = 2.0;
        while (!Intervals.clopperPearsonLowerBoundAtLeast(estimate, high, p, confidence)) {
            low = high;
            high *= 2.0;
            if (high > 1e12) {
                return Double.POSITIVE_INFINITY;
            }
        }
        for (int i = 0; i < 60 && high - low > 1e-3; i++) {
            double mid = 0.5 * (low + high);
            if (Intervals.clopperPearsonLowerBoundAtLeast(estimate, mid, p, confidence)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private static String trim(double x) {
        String s = String.format(Locale.ROOT, "%.4f", x);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** Suffix sums of the histogram: everything "at or above edge k". */
    private static final class Edges {
        final int bins;
        final double[] tp;
        final double[] fp;
        final double[] tp2;
        final double[] fp2;
        final long[] count;
        final long[] audited;
        final long labels;
        final long totalAudited;

        Edges(WeightedScoreHistogram h) {
            bins = h.bins();
            tp = WeightedScoreHistogram.suffixSum(h.getPositiveWeight());
            fp = WeightedScoreHistogram.suffixSum(h.getNegativeWeight());
            tp2 = WeightedScoreHistogram.suffixSum(h.getPositiveSquaredWeight());
            fp2 = WeightedScoreHistogram.suffixSum(h.getNegativeSquaredWeight());
            long[] positives = WeightedScoreHistogram.suffixSum(h.getPositiveCount());
            long[] negatives = WeightedScoreHistogram.suffixSum(h.getNegativeCount());
            long[] auditedPositives = WeightedScoreHistogram.suffixSum(h.getPositiveAuditedCount());
            long[] auditedNegatives = WeightedScoreHistogram.suffixSum(h.getNegativeAuditedCount());
            count = new long[bins + 1];
            audited = new long[bins + 1];
            for (int k = 0; k <= bins; k++) {
                count[k] = positives[k] + negatives[k];
                audited[k] = auditedPositives[k] + auditedNegatives[k];
            }
            labels = count[0];
            totalAudited = audited[0];
        }

        double threshold(int k) {
            return WeightedScoreHistogram.edge(k, bins);
        }

        long count(int k) {
            return count[k];
        }

        long audited(int k) {
            return audited[k];
        }

        double predictedWeight(int k) {
            return tp[k] + fp[k];
        }

        double precision(int k) {
            double total = tp[k] + fp[k];
            return total > 0.0 ? tp[k] / total : Double.NaN;
        }

        double kish(int k) {
            return Intervals.kishEffectiveSampleSize(tp[k] + fp[k], tp2[k] + fp2[k]);
        }

        double effectiveSize(int k) {
            return Intervals.conservativeEffectiveSampleSize(tp[k], fp[k], tp2[k], fp2[k], count[k]);
        }

        /** The fixed-sequence test at edge k: is precision's one-sided lower bound at least p? */
        boolean passes(int k, double p, double confidence) {
            double total = tp[k] + fp[k];
            return total > 0.0
                    && Intervals.clopperPearsonLowerBoundAtLeast(tp[k] / total, effectiveSize(k), p, confidence);
        }

        double lowerBound(int k, double confidence) {
            double bound = Intervals.weightedProportionLowerBound(tp[k], fp[k], tp2[k], fp2[k], count[k], confidence);
            return Double.isNaN(bound) ? 0.0 : bound;
        }
    }
}
