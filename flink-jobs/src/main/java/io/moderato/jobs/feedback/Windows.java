package io.moderato.jobs.feedback;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Tumbling event-time windows aligned to the epoch (so to UTC midnight for whole-hour sizes) and
 * their names in {@code MetricSnapshot.windowKind}: "1h", "24h", "15m", "30s", else "&lt;n&gt;ms".
 */
public final class Windows {

    /** {@code MetricSnapshot.windowKind} of the cumulative accumulator. */
    public static final String CUMULATIVE = "cumulative";

    private Windows() {}

    public static String kind(long sizeMillis) {
        if (sizeMillis % 3_600_000L == 0) {
            return sizeMillis / 3_600_000L + "h";
        }
        if (sizeMillis % 60_000L == 0) {
            return sizeMillis / 60_000L + "m";
        }
        if (sizeMillis % 1_000L == 0) {
            return sizeMillis / 1_000L + "s";
        }
        return sizeMillis + "ms";
    }

    /** Inclusive start of the window of {@code sizeMillis} holding {@code timestamp}. */
    public static long start(long timestamp, long sizeMillis) {
        return Math.floorDiv(timestamp, sizeMillis) * sizeMillis;
    }

    /** Window sizes in milliseconds, ascending. */
    public static long[] sizes(List<Duration> windows) {
        return windows.stream()
                .mapToLong(Duration::toMillis)
                .sorted()
                .distinct()
                .toArray();
    }

    /** Human-readable list of window kinds. */
    public static String describe(long[] sizes) {
        return Arrays.stream(sizes).mapToObj(Windows::kind).toList().toString();
    }
}
