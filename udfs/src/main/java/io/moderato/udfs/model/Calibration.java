package io.moderato.udfs.model;

/**
 * Maps a model probability p to a calibrated one. {@code none}: identity. {@code platt}:
 * 1 / (1 + exp(a · logit(p) + b)), Platt's form with the raw logit as the score.
 */
public record Calibration(String method, double a, double b) {

    public static final Calibration IDENTITY = new Calibration("none", 0, 0);

    public Calibration {
        if (!"none".equals(method) && !"platt".equals(method)) {
            throw new IllegalArgumentException("calibration.method must be 'none' or 'platt', got '" + method + "'");
        }
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("calibration a and b must be finite, got a=" + a + ", b=" + b);
        }
    }

    public float apply(float p) {
        if ("none".equals(method)) {
            return p;
        }
        double clipped = Math.min(1 - 1e-7, Math.max(1e-7, p));
        double logit = Math.log(clipped / (1 - clipped));
        return (float) (1.0 / (1.0 + Math.exp(a * logit + b)));
    }
}
