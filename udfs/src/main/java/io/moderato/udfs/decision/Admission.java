package io.moderato.udfs.decision;

/**
 * The outcome of {@link CapacityLimiter#admit}: whether the review task goes to the queue, and the
 * probability with which it did (its propensity factor, &gt; 0 even when not admitted).
 */
public record Admission(boolean admitted, double probability) {}
