package io.moderato.udfs.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.udfs.metrics.PrecisionObligation;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.ThresholdRecommender;
import io.moderato.udfs.metrics.WeightedScoreHistogram;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdTuningTest {

    private static final ThresholdTuning.Request REQUEST = new ThresholdTuning.Request("spam", 0.9, 0.95, 0.5, 0.9);

    @Test
    void shouldRecommendWhatTheFeedbackJobsRecommenderRecommends() {
        List<ThresholdTuning.Example> examples = TuningExamples.draw(60_000, 0.5, 0.9, 24, 11);
        WeightedScoreHistogram histogram = new WeightedScoreHistogram();
        examples.forEach(e -> histogram.add(e.score(), e.violating(), e.weight(), e.auditSampled()));

        ThresholdTuning.Result result = ThresholdTuning.recommend(examples, REQUEST);

        assertThat(result.recommended())
                .isEqualTo(new ThresholdRecommender(
                                new PrecisionObligation(0.9, 0.95),
                                0.95,
                                QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS,
                                0.5)
                        .recommend(histogram)
                        .threshold());
        assertThat(result.recommended()).isPresent();
        assertThat(result.withheld()).isNull();
        assertThat(result.atRecommended().precision().lower())
                .isLessThanOrEqualTo(result.atRecommended().precision().value());
        assertThat(result.atRecommended().recall().isDefined()).isTrue();
        assertThat(result.curve()).hasSize(WeightedScoreHistogram.DEFAULT_BINS + 1);
    }

    @Test
    void shouldCountReviewVolumeAsTheWeightedItemsBetweenReviewAndActionThresholdPerDay() {
        long day = 86_400_000L;
        List<ThresholdTuning.Example> examples = List.of(
                new ThresholdTuning.Example(0.55, false, 1, false, 0),
                new ThresholdTuning.Example(0.6, true, 1, false, day / 2),
                new ThresholdTuning.Example(0.7, true, 4, false, day),
                new ThresholdTuning.Example(0.95, true, 10, true, day),
                new ThresholdTuning.Example(0.1, false, 50, true, 0));

        ThresholdTuning.Volume at80 = ThresholdTuning.reviewPerDay(examples, 0.5, 0.8, 1.0, 0.95);
        ThresholdTuning.Volume at65 = ThresholdTuning.reviewPerDay(examples, 0.5, 0.65, 1.0, 0.95);

        assertThat(at80.perDay()).isEqualTo(6.0);
        assertThat(at65.perDay()).isEqualTo(2.0);
        // variance Σ w² = 1 + 1 + 16 = 18
        assertThat(at80.upper() - at80.perDay()).isCloseTo(1.959964 * Math.sqrt(18), within(1e-4));
        assertThat(ThresholdTuning.recommend(examples, REQUEST).daysCovered()).isEqualTo(1.0);
    }

    @Test
    void shouldWithholdTheRecommendationWhenTheLabelsCannotSupportTheTarget() {
        List<ThresholdTuning.Example> few = TuningExamples.draw(600, 0.5, 0.9, 1, 3);

        ThresholdTuning.Result result =
                ThresholdTuning.recommend(few, new ThresholdTuning.Request("spam", 0.99, 0.95, 0.5, 0.9));

        assertThat(result.recommended()).isEmpty();
        assertThat(result.atRecommended()).isNull();
        assertThat(result.withheld())
                .startsWith("insufficient labels: need ≈ ")
                .contains("more audited items at this prevalence")
                .contains("to certify precision >= 0.99 at 95% confidence");
        assertThat(TuningReport.text(result)).contains("no threshold recommended");
    }

    @Test
    void shouldSayThereAreNoExamplesRatherThanRecommend() {
        ThresholdTuning.Result result = ThresholdTuning.recommend(List.of(), REQUEST);

        assertThat(result.recommended()).isEmpty();
        assertThat(result.withheld()).isEqualTo("no labelled examples of spam");
    }
}
