package io.moderato.udfs.tuning;

import io.moderato.udfs.metrics.Intervals;
import io.moderato.udfs.metrics.PrecisionObligation;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.ThresholdRecommendation;
import io.moderato.udfs.metrics.ThresholdRecommender;
import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The one entry point of threshold tuning ({@code scripts/moderato tune}): from labelled examples
 * (score as decided, adjudicated label, weight 1/propensity), the action threshold to recommend for a
 * target precision at a confidence, with the expected precision, recall and human-review volume per
 * day there and at the threshold in force, each with its interval, and the curves behind them.
 *
 * <p>The recommendation is the FeedbackJob's own ({@link ThresholdRecommender}): the lowest bin edge
 * certified to meet the target by Learn-then-Test fixed-sequence testing from the top. When none is,
 * no threshold is recommended and {@link Result#withheld()} says why — typically "insufficient
 * labels: need ≈ N more audited items at this prevalence". Precision and recall are the IPW
 * estimates of {@link QualityReport} with their two-sided intervals at {@code confidence} (recall
 * withheld without enough audited misses).
 *
 * <p>Review volume at action threshold t: items the policy sends to review are those with
 * reviewThreshold ≤ score &lt; t, so the volume is the Horvitz–Thompson total Σ w over labelled
 * examples in that band (w = 1/propensity: each stands for w decisions), divided by the days the
 * examples span. Its interval is normal on the variance Σ w²: the arrivals of a daily rate are
 * Poisson (Σ w) and each was labelled with probability 1/w (Σ w(w − 1)). Audit samples add a further
 * share of the allowed and actioned items, set by the policy's audit rates.
 */
public final class ThresholdTuning {

    /** One labelled decision of the policy; {@code auditSampled} as on TrainingExample (recall's guard counts audit samples). */
    public record Example(double score, boolean violating, double weight, boolean auditSampled, long eventTimeMillis) {
        public Example {
            if (!(score >= 0 && score <= 1)) {
                throw new IllegalArgumentException("score must be in [0, 1], got " + score);
            }
            if (!(weight >= 1) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight (1/propensity) must be finite and >= 1, got " + weight);
            }
        }
    }

    /**
     * @param targetPrecision precision the recommended action threshold must meet, in (0, 1]
     * @param confidence confidence of the one-sided precision bound and of the two-sided intervals, in (0, 1)
     * @param reviewThreshold the policy's review threshold in force
     * @param actionThreshold the policy's action threshold in force
     */
    public record Request(
            String policyId,
            double targetPrecision,
            double confidence,
            double reviewThreshold,
            double actionThreshold) {
        public Request {
            Objects.requireNonNull(policyId, "policyId");
            new PrecisionObligation(targetPrecision, confidence);
        }
    }

    /** One threshold of the sweep; NaN where undefined (no predicted positives, no positives). */
    public record Point(double threshold, double precision, double recall, double reviewPerDay) {}

    /** Decisions per day with an interval at the request's confidence; NaN when the examples span no time. */
    public record Volume(double perDay, double lower, double upper) {
        static final Volume UNDEFINED = new Volume(Double.NaN, Double.NaN, Double.NaN);
    }

    /** Expected quality and review volume at one action threshold. */
    public record AtThreshold(
            double threshold, ProportionEstimate precision, ProportionEstimate recall, Volume reviewPerDay) {}

    /**
     * @param recommended the recommended action threshold, empty when withheld
     * @param atRecommended expectations there, null when withheld
     * @param atCurrent expectations at the action threshold in force
     * @param withheld why no threshold is recommended, null when one is
     */
    public record Result(
            Request request,
            long labels,
            double effectiveSampleSize,
            double daysCovered,
            OptionalDouble recommended,
            AtThreshold atRecommended,
            AtThreshold atCurrent,
            List<Point> curve,
            String withheld) {}

    private ThresholdTuning() {}

    public static Result recommend(List<Example> examples, Request request) {
        WeightedScoreHistogram histogram = new WeightedScoreHistogram();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        double sumW = 0;
        double sumW2 = 0;
        for (Example e : examples) {
            histogram.add(e.score(), e.violating(), e.weight(), e.auditSampled());
            first = Math.min(first, e.eventTimeMillis());
            last = Math.max(last, e.eventTimeMillis());
            sumW += e.weight();
            sumW2 += e.weight() * e.weight();
        }
        // a span shorter than a minute would turn a handful of items into a huge daily rate
        double days = examples.isEmpty() ? Double.NaN : Math.max(last - first, 60_000L) / 86_400_000.0;
        PrecisionObligation obligation = new PrecisionObligation(request.targetPrecision(), request.confidence());
        ThresholdRecommendation answer = examples.isEmpty()
                ? null
                : new ThresholdRecommender(
                                obligation,
                                request.confidence(),
                                QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS,
                                request.reviewThreshold())
                        .recommend(histogram);
        OptionalDouble recommended = answer == null ? OptionalDouble.empty() : answer.threshold();

        List<Point> curve = new ArrayList<>();
        for (WeightedScoreHistogram.CurvePoint p : histogram.curve()) {
            curve.add(new Point(
                    p.threshold(),
                    p.precision(),
                    p.recall(),
                    reviewPerDay(examples, request.reviewThreshold(), p.threshold(), days, request.confidence())
                            .perDay()));
        }
        AtThreshold current = at(histogram, examples, request, request.actionThreshold(), days);
        AtThreshold best =
                recommended.isPresent() ? at(histogram, examples, request, recommended.getAsDouble(), days) : null;
        double neff = Intervals.kishEffectiveSampleSize(sumW, sumW2);
        String withheld =
                answer == null ? "no labelled examples of " + request.policyId() : answer.insufficientReason();
        return new Result(request, examples.size(), neff, days, recommended, best, current, curve, withheld);
    }

    private static AtThreshold at(
            WeightedScoreHistogram histogram, List<Example> examples, Request request, double threshold, double days) {
        QualityReport report = histogram.report(threshold, QualityReport.Settings.of(request.confidence()));
        return new AtThreshold(
                threshold,
                report.precision(),
                report.recall(),
                reviewPerDay(examples, request.reviewThreshold(), threshold, days, request.confidence()));
    }

    /** Horvitz–Thompson estimate of decisions per day with reviewThreshold ≤ score &lt; actionThreshold. */
    static Volume reviewPerDay(
            List<Example> examples, double reviewThreshold, double actionThreshold, double days, double confidence) {
        if (!(days > 0)) {
            return Volume.UNDEFINED;
        }
        double total = 0;
        double variance = 0;
        for (Example e : examples) {
            if (e.score() >= reviewThreshold && e.score() < actionThreshold) {
                total += e.weight();
                variance += e.weight() * e.weight();
            }
        }
        double half = Intervals.twoSidedZ(confidence) * Math.sqrt(variance);
        return new Volume(total / days, Math.max(0, total - half) / days, (total + half) / days);
    }
}
