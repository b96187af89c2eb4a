package io.moderato.udfs.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EscalationTest {

    @Test
    void shouldEscalateWhenTwoOrMoreItemsAverageAtOrAboveTheThreshold() {
        assertThat(Escalation.escalate(new WindowRisk(0.7, 0.6, 0, 2), 0.6)).isTrue();
        assertThat(Escalation.escalate(new WindowRisk(0.9, 0.75, 3, 5), 0.6)).isTrue();
    }

    @Test
    void shouldNotEscalateBelowTheThreshold() {
        assertThat(Escalation.escalate(new WindowRisk(0.95, 0.5999, 1, 10), 0.6))
                .isFalse();
    }

    @Test
    void shouldNotLetASingleItemEscalateItself() {
        assertThat(Escalation.escalate(new WindowRisk(0.99, 0.99, 0, 1), 0.6)).isFalse();
        assertThat(Escalation.escalate(WindowRisk.EMPTY, 0.0)).isFalse();
        assertThat(Escalation.escalate(null, 0.0)).isFalse();
    }

    @Test
    void shouldUseTheMeanNotTheMaxSoOneBadItemDoesNotEscalateTheRest() {
        SlidingRiskWindow w = new SlidingRiskWindow();
        long t = 1_767_225_600_000L;
        w.add(t, 0.95, false);
        w.add(t + 60_000, 0.1, false);
        assertThat(Escalation.escalate(w.aggregate(t + 60_000), 0.6)).isFalse();
        w.add(t + 120_000, 0.8, true);
        w.add(t + 180_000, 0.7, true);
        assertThat(Escalation.escalate(w.aggregate(t + 180_000), 0.6)).isTrue(); // mean 0.6375
    }
}
