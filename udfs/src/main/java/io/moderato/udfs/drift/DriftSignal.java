package io.moderato.udfs.drift;

import java.util.Objects;

/**
 * The outcome of one drift check, ready for a {@code DriftAlert}: which detector, the statistic it
 * computed, the threshold it compared against, and a severity from their ratio — NONE at or below
 * the threshold, WARNING above it, CRITICAL at or above {@code criticalRatio} times it.
 *
 * <p>Sequential detectors (ADWIN, Page-Hinkley) report at the first crossing, so their ratio is
 * usually just above 1 and their signals are WARNINGs unless the change is abrupt and large.
 *
 * @param detector detector name, e.g. "PSI", "KS", "ADWIN", "PAGE_HINKLEY"
 * @param statistic the statistic, NaN when it could not be computed (then severity is NONE)
 * @param threshold the alert threshold the statistic is compared with, &gt; 0
 * @param severity NONE, WARNING or CRITICAL
 */
public record DriftSignal(String detector, double statistic, double threshold, Severity severity) {

    /** Ratio statistic / threshold from which a signal is CRITICAL when none is configured. */
    public static final double DEFAULT_CRITICAL_RATIO = 2.0;

    /** How far past its threshold a statistic is. */
    public enum Severity {
        NONE,
        WARNING,
        CRITICAL
    }

    public DriftSignal {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(severity, "severity");
    }

    /** Grades {@code statistic} against {@code threshold} with {@link #DEFAULT_CRITICAL_RATIO}. */
    public static DriftSignal of(String detector, double statistic, double threshold) {
        return of(detector, statistic, threshold, DEFAULT_CRITICAL_RATIO);
    }

    /**
     * Grades {@code statistic} against {@code threshold}: above it WARNING, at or above
     * {@code criticalRatio}·threshold CRITICAL.
     *
     * @throws IllegalArgumentException if threshold ≤ 0 or criticalRatio &lt; 1
     */
    public static DriftSignal of(String detector, double statistic, double threshold, double criticalRatio) {
        if (!(threshold > 0.0)) {
            throw new IllegalArgumentException("threshold must be > 0, got " + threshold);
        }
        if (!(criticalRatio >= 1.0)) {
            throw new IllegalArgumentException("criticalRatio must be >= 1, got " + criticalRatio);
        }
        Severity severity;
        if (Double.isNaN(statistic) || statistic <= threshold) {
            severity = Severity.NONE;
        } else if (statistic >= criticalRatio * threshold) {
            severity = Severity.CRITICAL;
        } else {
            severity = Severity.WARNING;
        }
        return new DriftSignal(detector, statistic, threshold, severity);
    }

    /** True for WARNING and CRITICAL. */
    public boolean isAlert() {
        return severity != Severity.NONE;
    }

    /** statistic / threshold. */
    public double ratio() {
        return statistic / threshold;
    }
}
