package io.moderato.udfs.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventTimeBoundsTest {

    private static final long NOW = 1_780_000_000_000L;
    private static final EventTimeBounds BOUNDS = new EventTimeBounds(
            Duration.ofDays(7),
            Duration.ofMinutes(5),
            "detection.event-time.max-past",
            "detection.event-time.max-future");

    @Test
    void shouldAcceptTimesWithinTheBoundsIncludingTheEdges() {
        assertThat(BOUNDS.problem("eventTimeMillis", NOW, NOW)).isNull();
        assertThat(BOUNDS.problem("eventTimeMillis", NOW + Duration.ofMinutes(5).toMillis(), NOW))
                .isNull();
        assertThat(BOUNDS.problem("eventTimeMillis", NOW - Duration.ofDays(7).toMillis(), NOW))
                .isNull();
    }

    @Test
    void shouldRefuseAFutureTimeNamingTheFieldTheValueAndTheSetting() {
        String problem = BOUNDS.problem("eventTimeMillis", 32_503_680_000_000L, NOW);
        assertThat(problem)
                .startsWith("field 'eventTimeMillis' = 32503680000000 (3000-01-01T00:00:00Z) is PT")
                .endsWith(
                        "after processing time 2026-05-28T20:26:40Z, more than detection.event-time.max-future = PT5M");
        assertThat(BOUNDS.problem("eventTimeMillis", NOW + Duration.ofMinutes(5).toMillis() + 1, NOW))
                .isNotNull();
    }

    @Test
    void shouldRefuseAnOldTimeAndANonPositiveOne() {
        assertThat(BOUNDS.problem("labelledAtMillis", NOW - Duration.ofDays(7).toMillis() - 1, NOW))
                .contains("before processing time")
                .contains("detection.event-time.max-past = PT168H");
        assertThat(BOUNDS.problem("eventTimeMillis", 0, NOW))
                .isEqualTo("field 'eventTimeMillis' must be positive epoch millis, got 0");
        assertThat(BOUNDS.problem("eventTimeMillis", -5, NOW)).contains("-5");
    }

    @Test
    void shouldRefuseNegativeBounds() {
        assertThatThrownBy(() -> new EventTimeBounds(Duration.ofSeconds(-1), Duration.ZERO, "a", "b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
