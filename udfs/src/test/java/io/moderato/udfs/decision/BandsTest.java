package io.moderato.udfs.decision;

import static io.moderato.udfs.decision.Bands.band;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BandsTest {

    private static final double REVIEW = 0.5;
    private static final double ACTION = 0.9;

    @ParameterizedTest(name = "risk {0} -> {1}")
    @CsvSource({
        "0.0,    ALLOW",
        "0.4999, ALLOW",
        "0.5,    REVIEW",
        "0.7,    REVIEW",
        "0.8999, REVIEW",
        "0.9,    ACTION",
        "1.0,    ACTION"
    })
    void shouldBandPublishedItemsWithInclusiveLowerThresholds(double risk, String expected) {
        assertThat(band(risk, REVIEW, ACTION, false, false)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "risk {0} -> {1}")
    @CsvSource({"0.2,  ALLOW", "0.5,  HOLD", "0.89, HOLD", "0.9,  BLOCK"})
    void shouldHoldOrBlockPrePublishItems(double risk, String expected) {
        assertThat(band(risk, REVIEW, ACTION, false, true)).isEqualTo(expected);
    }

    @Test
    void shouldLiftAnEscalatedAllowToReviewButNeverLowerABand() {
        assertThat(band(0.1, REVIEW, ACTION, true, false)).isEqualTo(Bands.REVIEW);
        assertThat(band(0.6, REVIEW, ACTION, true, false)).isEqualTo(Bands.REVIEW);
        assertThat(band(0.95, REVIEW, ACTION, true, false)).isEqualTo(Bands.ACTION);
    }

    @Test
    void shouldHoldAnEscalatedPrePublishItem() {
        assertThat(band(0.1, REVIEW, ACTION, true, true)).isEqualTo(Bands.HOLD);
        assertThat(band(0.95, REVIEW, ACTION, true, true)).isEqualTo(Bands.BLOCK);
    }

    @Test
    void shouldActAtTheThresholdWhenReviewAndActionThresholdsAreEqual() {
        assertThat(band(0.7, 0.7, 0.7, false, false)).isEqualTo(Bands.ACTION);
        assertThat(band(0.6999, 0.7, 0.7, false, false)).isEqualTo(Bands.ALLOW);
    }

    @Test
    void shouldRefuseANaNRisk() {
        assertThatThrownBy(() -> band(Double.NaN, REVIEW, ACTION, false, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldTellWhichBandsNeedReviewAndWhichAreActions() {
        assertThat(Bands.needsReview(Bands.REVIEW)).isTrue();
        assertThat(Bands.needsReview(Bands.HOLD)).isTrue();
        assertThat(Bands.needsReview(Bands.ALLOW)).isFalse();
        assertThat(Bands.needsReview(Bands.ACTION)).isFalse();
        assertThat(Bands.needsReview(Bands.BLOCK)).isFalse();
        assertThat(Bands.needsReview("QUARANTINE"))
                .as("unknown bands are treated as REVIEW")
                .isTrue();

        assertThat(Bands.isAction(Bands.ACTION)).isTrue();
        assertThat(Bands.isAction(Bands.BLOCK)).isTrue();
        assertThat(Bands.isAction(Bands.REVIEW)).isFalse();
        assertThat(Bands.isAction(Bands.HOLD)).isFalse();
        assertThat(Bands.isAction(Bands.ALLOW)).isFalse();
        assertThat(Bands.isAction(null)).isFalse();
    }
}
