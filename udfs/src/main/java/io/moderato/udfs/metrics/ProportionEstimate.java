package io.moderato.udfs.metrics;

/**
 * A point estimate of a proportion with its confidence interval and the effective sample size the
 * interval was computed on, or the reason it is not published. {@code value} is NaN when the
 * population it is a share of carried no weight (then the interval is the uninformative [0, 1])
 * and when the estimate is withheld because the labels cannot support the interval's stated
 * confidence ({@link #withheldReason()} says why).
 *
 * @param value the estimate, in [0, 1], or NaN when undefined or withheld
 * @param lower lower confidence bound, in [0, 1]
 * @param upper upper confidence bound, in [0, 1]
 * @param effectiveSampleSize the n_eff the interval was computed on (0 when undefined)
 * @param withheldReason why the estimate is not published, or null when it is
 */
public record ProportionEstimate(
        double value, double lower, double upper, double effectiveSampleSize, String withheldReason) {

    /** A published estimate. */
    public ProportionEstimate(double value, double lower, double upper, double effectiveSampleSize) {
        this(value, lower, upper, effectiveSampleSize, null);
    }

    /** The estimate of a proportion of an empty population: value NaN, interval [0, 1], n_eff 0. */
    public static ProportionEstimate undefined() {
        return new ProportionEstimate(Double.NaN, 0.0, 1.0, 0.0);
    }

    /** An estimate that must not be published, with the reason (value NaN, interval [0, 1]). */
    public static ProportionEstimate withheld(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a withheld estimate needs a reason");
        }
        return new ProportionEstimate(Double.NaN, 0.0, 1.0, 0.0, reason);
    }

    /** True when the population carried weight and the estimate is published, i.e. {@link #value()} is a number. */
    public boolean isDefined() {
        return !Double.isNaN(value);
    }

    /** True when the estimate was withheld (see {@link #withheldReason()}). */
    public boolean isWithheld() {
        return withheldReason != null;
    }

    /** True when {@code x} lies inside the closed interval [lower, upper]. */
    public boolean contains(double x) {
        return x >= lower && x <= upper;
    }

    /** Width of the interval, upper - lower. */
    public double width() {
        return upper - lower;
    }
}
