package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeadEvaluationTest {

    /** Labels drawn from the scores themselves: a perfectly calibrated scorer. */
    private static HeadEvaluation calibrated(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            s[i] = rnd.nextDouble();
            y[i] = rnd.nextDouble() < s[i];
            labels[i] = y[i] ? "yes" : "no";
        }
        Map<String, Double> thresholds = new LinkedHashMap<>();
        thresholds.put("review", 0.5);
        thresholds.put("action", 0.9);
        return HeadEvaluation.of("spam", "label = yes", s, y, thresholds, labels);
    }

    @Test
    void shouldReportSmallCalibrationErrorForACalibratedScorerWithAnIntervalAroundIt() {
        HeadEvaluation e = calibrated(20_000, 5);
        assertThat(e.expectedCalibrationError().value()).isLessThan(0.02);
        assertThat(e.expectedCalibrationError().lower())
                .isLessThanOrEqualTo(e.expectedCalibrationError().value());
        assertThat(e.expectedCalibrationError().upper())
                .isGreaterThanOrEqualTo(e.expectedCalibrationError().value());
        // uniform scores, P(y|s) = s: ROC-AUC is 5/6 in expectation
        assertThat(e.rocAuc().value()).isBetween(0.82, 0.85);
        assertThat(e.rocAuc().lower()).isLessThan(e.rocAuc().value());
    }

    @Test
    void shouldGiveIdenticalFiguresAndIntervalsOnIdenticalInput() {
        assertThat(calibrated(2_000, 9)).usingRecursiveComparison().isEqualTo(calibrated(2_000, 9));
    }

    @Test
    void shouldReportBothClassesAtEachThresholdAndTheLabelBands() {
        HeadEvaluation e = calibrated(2_000, 3);
        HeadEvaluation.AtThreshold review = e.thresholds().get(0);
        BinaryMetrics.Confusion c = review.confusion();
        assertThat(review.name()).isEqualTo("review");
        assertThat(review.precision().value()).isEqualTo(c.precision());
        assertThat(review.negativeRecall().value())
                .isEqualTo((double) c.trueNegatives() / (c.trueNegatives() + c.falsePositives()));
        assertThat(e.labelBands()).containsOnlyKeys("no", "yes");
        long yes = e.labelBands().get("yes")[0]
                + e.labelBands().get("yes")[1]
                + e.labelBands().get("yes")[2];
        assertThat(yes).isEqualTo(e.positiveItems());
        assertThat(e.labelBands().get("yes")[1] + e.labelBands().get("yes")[2]).isEqualTo(c.truePositives());
        assertThat(e.figures("spam.comments"))
                .containsKeys(
                        "spam.comments.roc_auc",
                        "spam.comments.ece",
                        "spam.comments.review.f1",
                        "spam.comments.action.precision",
                        "spam.comments.recall_at_precision_95");
    }

    @Test
    void shouldMarkARecallAtPrecisionPointUnsupportedWhenItsLowerBoundMissesTheTarget() {
        // 3 of 3 flagged at the top are positive: precision 1 on three items is not 0.90 at 95% confidence
        double[] s = {0.99, 0.98, 0.97, 0.5, 0.4, 0.3, 0.2};
        boolean[] y = {true, true, true, false, true, false, false};
        HeadEvaluation e = HeadEvaluation.of("p", "x", s, y, Map.of(), null);
        HeadEvaluation.AtPrecision at90 = e.recallAtPrecision().get(0);
        assertThat(at90.point().recall()).isEqualTo(0.75);
        assertThat(at90.supported()).isFalse();
        assertThat(EvaluationMarkdown.render(e)).contains("not supported (precision lower bound");
    }

    @Test
    void shouldRefuseDataWithOneClassOnly() {
        assertThatThrownBy(() -> HeadEvaluation.of(
                        "spam", "x", new double[] {0.1, 0.2}, new boolean[] {true, true}, Map.of(), null))
                .hasMessageContaining("2 positive and 0 negative");
    }

    @Test
    void shouldRenderTheSameMarkdownAndAPlotForTheSameEvaluation() {
        HeadEvaluation e = calibrated(1_000, 4);
        String markdown = EvaluationMarkdown.render(e);
        assertThat(markdown)
                .contains("| ROC-AUC | ")
                .contains("ECE (10 equal-width bins)")
                .contains("| review 0.50 | positive")
                .contains("Items per original label value")
                .contains("| `yes` |");
        String html = EvaluationPlot.html("t <&>", java.util.List.of(e));
        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains("<svg")
                .contains("Precision–recall")
                .contains("Reliability")
                .contains("t &lt;&amp;&gt;")
                .doesNotContain("<script");
        assertThat(EvaluationPlot.html("t <&>", java.util.List.of(e))).isEqualTo(html);
    }
}
