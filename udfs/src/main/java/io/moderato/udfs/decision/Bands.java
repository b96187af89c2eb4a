package io.moderato.udfs.decision;

/**
 * The decision bands of {@code PolicyDecision.band} and the rule that picks one from a fused risk.
 * Published items get ALLOW / REVIEW / ACTION; pre-publish items (the platform waits for us) get
 * ALLOW / HOLD (held until reviewed) / BLOCK.
 */
public final class Bands {

    public static final String ALLOW = "ALLOW";
    public static final String REVIEW = "REVIEW";
    public static final String ACTION = "ACTION";
    public static final String HOLD = "HOLD";
    public static final String BLOCK = "BLOCK";

    private Bands() {}

    /**
     * ACTION at/above action threshold, REVIEW in [review, action), ALLOW below; escalated lifts
     * ALLOW to REVIEW; prePublish maps REVIEW→HOLD and ACTION→BLOCK. Both thresholds are inclusive
     * lower bounds, so with equal thresholds nothing is REVIEW by risk alone.
     *
     * @param escalated true when the author's windowed risk escalates (see
     *                  {@code io.moderato.udfs.window.Escalation}); it never lowers a band
     * @throws IllegalArgumentException when risk is NaN (fusion never produces one; a NaN is a bug
     *                                  that must not be silently allowed)
     */
    public static String band(
            double risk, double reviewThreshold, double actionThreshold, boolean escalated, boolean prePublish) {
        if (Double.isNaN(risk)) {
            throw new IllegalArgumentException("risk = NaN cannot be banded");
        }
        String band;
        if (risk >= actionThreshold) {
            band = ACTION;
        } else if (risk >= reviewThreshold || escalated) {
            band = REVIEW;
        } else {
            band = ALLOW;
        }
        if (prePublish) {
            return switch (band) {
                case ACTION -> BLOCK;
                case REVIEW -> HOLD;
                default -> ALLOW;
            };
        }
        return band;
    }

    /**
     * True for the bands that send the item to human review by themselves: REVIEW and HOLD, and
     * any band this code does not know (the schema tells readers to treat unknown bands as REVIEW).
     * ALLOW and ACTION / BLOCK items reach review only through the audit sample.
     */
    public static boolean needsReview(String band) {
        return !ALLOW.equals(band) && !isAction(band);
    }

    /** True for the auto-action bands ACTION (published) and BLOCK (pre-publish). */
    public static boolean isAction(String band) {
        return ACTION.equals(band) || BLOCK.equals(band);
    }
}
