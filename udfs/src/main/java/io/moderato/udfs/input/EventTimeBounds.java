package io.moderato.udfs.input;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The event times a job accepts, relative to the processing time at which a record is read:
 * {@code now − maxPast ≤ t ≤ now + maxFuture}. A record outside is refused (dead-lettered) with a
 * reason naming the field, the value and the setting — one year-3000 event must not move the
 * event-time clock for everyone, and a time the broker would refuse must never reach a sink.
 *
 * @param maxPast          oldest accepted event time, before processing time
 * @param maxFuture        newest accepted event time, after processing time
 * @param maxPastSetting   the option that sets maxPast, named in the reason
 * @param maxFutureSetting the option that sets maxFuture, named in the reason
 */
public record EventTimeBounds(Duration maxPast, Duration maxFuture, String maxPastSetting, String maxFutureSetting)
        implements Serializable {

    public EventTimeBounds {
        Objects.requireNonNull(maxPast, "maxPast");
        Objects.requireNonNull(maxFuture, "maxFuture");
        if (maxPast.isNegative() || maxFuture.isNegative()) {
            throw new IllegalArgumentException(
                    "event-time bounds must not be negative: past " + maxPast + ", future " + maxFuture);
        }
    }

    /** Null when {@code eventTimeMillis} of {@code field} is acceptable at processing time {@code nowMillis}, else why not. */
    public String problem(String field, long eventTimeMillis, long nowMillis) {
        if (eventTimeMillis <= 0) {
            return "field '" + field + "' must be positive epoch millis, got " + eventTimeMillis;
        }
        long ahead = eventTimeMillis - nowMillis;
        if (ahead > maxFuture.toMillis()) {
            return "field '" + field + "' = " + eventTimeMillis + " (" + instant(eventTimeMillis) + ") is "
                    + Duration.ofMillis(ahead) + " after processing time " + instant(nowMillis) + ", more than "
                    + maxFutureSetting + " = " + maxFuture;
        }
        long behind = nowMillis - eventTimeMillis;
        if (behind > maxPast.toMillis()) {
            return "field '" + field + "' = " + eventTimeMillis + " (" + instant(eventTimeMillis) + ") is "
                    + Duration.ofMillis(behind) + " before processing time " + instant(nowMillis) + ", more than "
                    + maxPastSetting + " = " + maxPast;
        }
        return null;
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
