package io.moderato.udfs.window;

/**
 * When a user's recent behaviour sends an otherwise allowed item to review: the window (including
 * the current item) holds at least {@value #MIN_ITEMS} items and their mean risk is at or above
 * the policy's escalationThreshold. The mean, not the max, so one bad item does not put everything
 * the user posts for the next window length under review, and at least two items, so the current
 * item alone never escalates itself (its own risk is already judged by the review threshold).
 */
public final class Escalation {

    /** Fewest items in the window for escalation to apply. */
    public static final int MIN_ITEMS = 2;

    private Escalation() {}

    /** Escalate when the window (including the current item) holds ≥ 2 items and its meanRisk ≥ escalationThreshold. */
    public static boolean escalate(WindowRisk w, double escalationThreshold) {
        return w != null && w.itemCount() >= MIN_ITEMS && w.meanRisk() >= escalationThreshold;
    }
}
