package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ReviewPriorityTest {

    @Test
    void shouldMultiplySeverityLogReachAndUncertainty() {
        // 3 × ln(100) × (1 − |0.5 − 1|) = 3 × 4.605170185988092 × 0.5
        assertThat(ReviewPriority.priority(3.0, 99, 0.25)).isCloseTo(6.907755278982137, within(1e-12));
        assertThat(ReviewPriority.priority(3.0, 99, 0.75)).isCloseTo(6.907755278982137, within(1e-12));
    }

    @Test
    void shouldGrowWithSeverity() {
        double previous = -1;
        for (double severity = 0.0; severity <= 5.0; severity += 0.5) {
            double p = ReviewPriority.priority(severity, 1_000, 0.6);
            assertThat(p).isGreaterThan(previous);
            previous = p;
        }
    }

    @Test
    void shouldGrowWithReach() {
        double previous = 0;
        for (long reach = 1; reach <= 10_000_000_000L; reach *= 10) {
            double p = ReviewPriority.priority(2.0, reach, 0.6);
            assertThat(p).isGreaterThan(previous);
            previous = p;
        }
    }

    @Test
    void shouldPeakAtRiskOneHalfAndVanishAtCertainty() {
        assertThat(ReviewPriority.uncertainty(0.5)).isEqualTo(1.0);
        assertThat(ReviewPriority.uncertainty(0.0)).isEqualTo(0.0);
        assertThat(ReviewPriority.uncertainty(1.0)).isEqualTo(0.0);
        double atHalf = ReviewPriority.priority(2.0, 500, 0.5);
        for (int i = 0; i <= 1000; i++) {
            double risk = i / 1000.0;
            assertThat(ReviewPriority.priority(2.0, 500, risk)).isLessThanOrEqualTo(atHalf);
            assertThat(ReviewPriority.uncertainty(risk)).isCloseTo(ReviewPriority.uncertainty(1 - risk), within(1e-12));
            if (risk < 0.5) {
                assertThat(ReviewPriority.uncertainty(risk)).isLessThan(ReviewPriority.uncertainty(risk + 0.001));
            }
        }
    }

    @Test
    void shouldTreatUnknownReachAsOneSoThePriorityIsNotZero() {
        assertThat(ReviewPriority.priority(1.0, 0, 0.5))
                .isEqualTo(Math.log(2))
                .isEqualTo(ReviewPriority.priority(1.0, 1, 0.5));
        assertThat(ReviewPriority.priority(1.0, -5, 0.5)).isEqualTo(Math.log(2));
    }

    @Test
    void shouldClampOutOfRangeInputs() {
        assertThat(ReviewPriority.priority(-2.0, 100, 0.5)).isZero();
        assertThat(ReviewPriority.priority(Double.NaN, 100, 0.5)).isZero();
        assertThat(ReviewPriority.uncertainty(1.7)).isZero();
        assertThat(ReviewPriority.uncertainty(-0.3)).isZero();
        assertThat(ReviewPriority.uncertainty(Double.NaN)).isEqualTo(1.0);
    }
}
