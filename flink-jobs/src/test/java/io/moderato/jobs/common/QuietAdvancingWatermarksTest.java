package io.moderato.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/** The event-time clock of the jobs' main inputs, on a fake wall clock and a fake nano clock. */
class QuietAdvancingWatermarksTest {

    private static final long NOW = 1_780_000_000_000L;
    private static final long SECOND = 1_000L;

    private long wallClock = NOW;
    private long nanos = 0;
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    };

    private JobSettings.QuietAdvancingWatermarks<String> generator() {
        return new JobSettings.QuietAdvancingWatermarks<>(2 * SECOND, 1_000_000_000L, () -> wallClock, () -> nanos);
    }

    private long last() {
        return emitted.get(emitted.size() - 1);
    }

    @Test
    void shouldTrailTheNewestEventTimeByTheOutOfOrdernessBoundWhileEventsFlow() {
        var g = generator();
        g.onPeriodicEmit(output);
        assertThat(emitted)
                .as("nothing seen yet: no watermark (idleness decides)")
                .isEmpty();
        g.onEvent("a", NOW - 10 * SECOND, output);
        g.onEvent("b", NOW - 12 * SECOND, output);
        g.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW - 10 * SECOND - 2 * SECOND - 1);
    }

    @Test
    void shouldNotLetAFutureDatedEventMoveTheClockPastWallClockTime() {
        var g = generator();
        g.onEvent("normal", NOW - 5 * SECOND, output);
        g.onEvent("year 3000", 32_503_680_000_000L, output);
        g.onPeriodicEmit(output);
        // the future event counts as "now": later normal events (now − 1 s) are not behind the watermark
        assertThat(last()).isEqualTo(NOW - 2 * SECOND - 1);
        assertThat(NOW - SECOND).isGreaterThan(last());
        wallClock += 60 * SECOND;
        nanos += 100_000_000L;
        g.onEvent("normal, a minute later", NOW + 59 * SECOND, output);
        g.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW + 60 * SECOND - 2 * SECOND - 1);
    }

    @Test
    void shouldAdvanceToTheNewestEventTimeAfterAQuietPeriod() {
        var g = generator();
        g.onEvent("last before a pause", NOW - 30 * SECOND, output);
        nanos += 999_999_999L;
        g.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW - 32 * SECOND - 1);
        nanos += 1L;
        g.onPeriodicEmit(output);
        assertThat(last()).as("quiet for 1 s: everything seen can be decided").isEqualTo(NOW - 30 * SECOND);
        g.onPeriodicEmit(output);
        assertThat(emitted)
                .as("never emits the same or a lower watermark twice")
                .hasSize(2);
    }
}
