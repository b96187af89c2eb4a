package io.moderato.udfs.decision;

/**
 * Review priority as expected harm that a review can still prevent:
 * {@code priority = severity × ln(1 + reach) × uncertainty(risk)} with
 * {@code uncertainty = 1 − |2·risk − 1|} (1 at risk 0.5, 0 at 0 and 1: a reviewer adds most where
 * the model is least sure). Reach is log-compressed so one viral item does not starve a queue.
 * Inputs are clamped rather than rejected: severity NaN or negative → 0; reach below 1 → 1,
 * because a reach of 0 means "unknown" on ContentEvent and must not zero the priority; risk
 * clamped to [0, 1], NaN → 0.5 (unknown risk is maximal uncertainty).
 */
public final class ReviewPriority {

    private ReviewPriority() {}

    public static double priority(double severity, long reach, double risk) {
        double s = Double.isNaN(severity) ? 0.0 : Math.max(0.0, severity);
        return s * Math.log1p(Math.max(1L, reach)) * uncertainty(risk);
    }

    /** 1 − |2·risk − 1| with risk clamped to [0, 1] (NaN → 0.5, so uncertainty 1). */
    public static double uncertainty(double risk) {
        double r = Double.isNaN(risk) ? 0.5 : Math.max(0.0, Math.min(1.0, risk));
        return 1.0 - Math.abs(2.0 * r - 1.0);
    }
}
