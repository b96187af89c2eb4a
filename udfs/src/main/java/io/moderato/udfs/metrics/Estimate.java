package io.moderato.udfs.metrics;

/**
 * A point estimate of a proportion with its confidence interval and the effective sample size the
 * interval was computed on; {@code value} is NaN when the population it is a share of carried no
 * weight (then the interval is the uninformative [0, 1]).
 *
 * @param value the estimate, in [0, 1], or NaN when undefined
 * @param lower lower confidence bound, in [0, 1]
 * @param upper upper confidence bound, in [0, 1]
 * @param effectiveSampleSize the n_eff fed to the Wilson interval (0 when undefined)
 */
public record Estimate(double value, double lower, double upper, double effectiveSampleSize) {

    /** The estimate of a proportion of an empty population: value NaN, interval [0, 1], n_eff 0. */
    public static Estimate undefined() {
        return new Estimate(Double.NaN, 0.0, 1.0, 0.0);
    }

    /** True when the population carried weight, i.e. {@link #value()} is a number. */
    public boolean isDefined() {
        return !Double.isNaN(value);
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
