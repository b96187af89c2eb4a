package io.moderato.models.train;

import io.moderato.udfs.model.Calibration;

/**
 * Fits Platt scaling, the udfs {@link Calibration} {@code platt}: calibrated = 1 / (1 + exp(a · logit(p) + b)),
 * by maximum likelihood with Platt's smoothed targets ((N₊ + 1) / (N₊ + 2) for positives, 1 / (N₋ + 2) for
 * negatives) and the Newton method with backtracking of Lin, Lin and Weng, "A note on Platt's probabilistic
 * outputs for support vector machines" (Machine Learning 68, 2007). Deterministic: the same scores and labels
 * always give the same a and b. The score is clipped to [1e-7, 1 − 1e-7] before the logit exactly as
 * {@link Calibration#apply} does at serving time.
 */
public final class PlattScaling {

    private static final int MAX_ITERATIONS = 100;
    private static final double MIN_STEP = 1e-10;
    private static final double SIGMA = 1e-12;
    private static final double EPSILON = 1e-5;

    private PlattScaling() {}

    public static Calibration fit(double[] scores, boolean[] positive) {
        if (scores.length != positive.length || scores.length == 0) {
            throw new IllegalArgumentException("need as many labels as scores, and at least one: " + scores.length
                    + " scores, " + positive.length + " labels");
        }
        int n = scores.length;
        double prior1 = 0;
        for (boolean p : positive) {
            prior1 += p ? 1 : 0;
        }
        double prior0 = n - prior1;
        if (prior1 == 0 || prior0 == 0) {
            throw new IllegalArgumentException("Platt scaling needs both classes, got " + (int) prior1
                    + " positives and " + (int) prior0 + " negatives");
        }
        double hiTarget = (prior1 + 1) / (prior1 + 2);
        double loTarget = 1 / (prior0 + 2);
        double[] f = new double[n];
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = logit(scores[i]);
            t[i] = positive[i] ? hiTarget : loTarget;
        }
        double a = 0;
        double b = Math.log((prior0 + 1) / (prior1 + 1));
        double fval = objective(f, t, a, b);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] direction = newtonDirection(f, t, a, b);
            if (direction == null) {
                break;
            }
            double dA = direction[0];
            double dB = direction[1];
            double gd = direction[2];
            double step = 1;
            while (step >= MIN_STEP) {
                double newA = a + step * dA;
                double newB = b + step * dB;
                double newF = objective(f, t, newA, newB);
                if (newF < fval + 0.0001 * step * gd) {
                    a = newA;
                    b = newB;
                    fval = newF;
                    break;
                }
                step /= 2;
            }
            if (step < MIN_STEP) {
                break; // line search failed: the current point is as good as it gets numerically
            }
        }
        return new Calibration("platt", a, b);
    }

    /**
     * The Newton step {dA, dB} on the regularised Hessian and the directional derivative along it, or
     * null when the gradient is below tolerance (converged).
     */
    private static double[] newtonDirection(double[] f, double[] t, double a, double b) {
        double h11 = SIGMA;
        double h22 = SIGMA;
        double h21 = 0;
        double g1 = 0;
        double g2 = 0;
        for (int i = 0; i < f.length; i++) {
            double fApB = f[i] * a + b;
            double p;
            double q;
            if (fApB >= 0) {
                p = Math.exp(-fApB) / (1.0 + Math.exp(-fApB));
                q = 1.0 / (1.0 + Math.exp(-fApB));
            } else {
                p = 1.0 / (1.0 + Math.exp(fApB));
                q = Math.exp(fApB) / (1.0 + Math.exp(fApB));
            }
            double d2 = p * q;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            double d1 = t[i] - p;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (Math.abs(g1) < EPSILON && Math.abs(g2) < EPSILON) {
            return null;
        }
        double det = h11 * h22 - h21 * h21;
        double dA = -(h22 * g1 - h21 * g2) / det;
        double dB = -(-h21 * g1 + h11 * g2) / det;
        return new double[] {dA, dB, g1 * dA + g2 * dB};
    }

    private static double objective(double[] f, double[] t, double a, double b) {
        double value = 0;
        for (int i = 0; i < f.length; i++) {
            double fApB = f[i] * a + b;
            value += fApB >= 0
                    ? t[i] * fApB + Math.log1p(Math.exp(-fApB))
                    : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
        }
        return value;
    }

    static double logit(double p) {
        double clipped = Math.min(1 - 1e-7, Math.max(1e-7, p));
        return Math.log(clipped / (1 - clipped));
    }
}
