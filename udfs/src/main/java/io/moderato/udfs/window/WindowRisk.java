package io.moderato.udfs.window;

import io.moderato.schemas.WindowedUserRisk;

/**
 * A user's fused risk for one policy over a sliding window: highest and mean risk, how many items
 * were borderline (review band) and how many items there were. All zero for an empty window.
 */
public record WindowRisk(double maxRisk, double meanRisk, int borderlineCount, int itemCount) {

    public static final WindowRisk EMPTY = new WindowRisk(0.0, 0.0, 0, 0);

    /** The wire form, {@code PolicyDecision.userRisk}. */
    public WindowedUserRisk toAvro() {
        return new WindowedUserRisk(maxRisk, meanRisk, borderlineCount, itemCount);
    }
}
