package io.moderato.udfs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.drift.DriftSignal.Severity;
import org.junit.jupiter.api.Test;

class DriftSignalTest {

    @Test
    void severityShouldFollowTheRatioOfStatisticToThreshold() {
        assertThat(DriftSignal.of("PSI", 0.1, 0.2).severity()).isEqualTo(Severity.NONE);
        assertThat(DriftSignal.of("PSI", 0.2, 0.2).severity())
                .as("at the threshold")
                .isEqualTo(Severity.NONE);
        assertThat(DriftSignal.of("PSI", 0.21, 0.2).severity()).isEqualTo(Severity.WARNING);
        assertThat(DriftSignal.of("PSI", 0.4, 0.2).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(DriftSignal.of("PSI", 0.5, 0.2, 3.0).severity()).isEqualTo(Severity.WARNING);
        assertThat(DriftSignal.of("PSI", 0.61, 0.2, 3.0).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void nanStatisticShouldNeverAlert() {
        DriftSignal signal = DriftSignal.of("KS", Double.NaN, 0.05);
        assertThat(signal.isAlert()).isFalse();
        assertThat(signal.severity()).isEqualTo(Severity.NONE);
    }

    @Test
    void alertAndRatioShouldBeDerivedFromTheFields() {
        DriftSignal signal = DriftSignal.of("ADWIN", 0.3, 0.2);
        assertThat(signal.isAlert()).isTrue();
        assertThat(signal.ratio()).isCloseTo(1.5, within(1e-12));
        assertThat(signal.detector()).isEqualTo("ADWIN");
    }

    @Test
    void invalidThresholdOrRatioShouldBeRejected() {
        assertThatThrownBy(() -> DriftSignal.of("PSI", 0.1, 0.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftSignal.of("PSI", 0.1, 0.2, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
