package io.moderato.udfs.metrics;

/**
 * A policy's precision obligation from config, e.g. "precision ≥ 0.95 at 95% confidence": met at a
 * threshold when the one-sided lower confidence bound of precision there is at least
 * {@code minimumPrecision}.
 *
 * @param minimumPrecision required precision, in (0, 1]
 * @param confidence one-sided confidence level of the lower bound, in (0, 1)
 */
public record PrecisionObligation(double minimumPrecision, double confidence) {

    public PrecisionObligation {
        if (!(minimumPrecision > 0.0 && minimumPrecision <= 1.0)) {
            throw new IllegalArgumentException("minimumPrecision must be in (0, 1], got " + minimumPrecision);
        }
        if (!(confidence > 0.0 && confidence < 1.0)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
    }
}
