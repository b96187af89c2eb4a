package io.moderato.udfs.feedback;

import static io.moderato.udfs.feedback.FeedbackFixtures.DAY;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.Estimate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComplianceReportRendererTest {

    private static final long DAY_MILLIS = ComplianceDay.DAY_MILLIS;

    static ComplianceReport report(String policy, long dayStart, long automated, long generatedAt) {
        return ComplianceReport.newBuilder()
                .setPolicyId(policy)
                .setDayStartMillis(dayStart)
                .setDayEndMillis(dayStart + DAY_MILLIS)
                .setDecisions(12_345L)
                .setActionsAutomated(automated)
                .setActionsAfterReview(17L)
                .setMedianTimeToActionMillis(912L)
                .setMedianTimeToAutomatedActionMillis(850L)
                .setMedianTimeToReviewedActionMillis(5_400_000L)
                .setReviewTasks(640L)
                .setLabelledItems(600L)
                .setLabelsBySource(Map.of("REVIEW", 580L, "AUDIT", 40L, "APPEAL", 12L, "ADJUDICATION", 3L))
                .setEstimateItems(598L)
                .setIntervalConfidence(0.95)
                .setPrecision(new Estimate(0.9312, 0.8801, 0.9634))
                .setRecall(new Estimate(0.7123, 0.5211, 0.8519))
                .setAppeals(12L)
                .setAppealsOverturned(3L)
                .setAppealOverturnRate(0.25)
                .setGeneratedAtMillis(generatedAt)
                .build();
    }

    @Test
    void shouldRenderOneTablePerPolicyWithTheNumbersOfEachDay() {
        String md = ComplianceReportRenderer.render(List.of(
                report("spam", DAY, 310, DAY + 2 * DAY_MILLIS),
                report("spam", DAY + DAY_MILLIS, 290, DAY + 2 * DAY_MILLIS),
                report("hate", DAY, 4, DAY + 2 * DAY_MILLIS)));

        assertThat(md).startsWith("# Content moderation transparency report\n");
        assertThat(md).contains("## Policy `hate`", "## Policy `spam`");
        assertThat(md.indexOf("## Policy `hate`")).isLessThan(md.indexOf("## Policy `spam`"));
        assertThat(md)
                .contains("| 2025-06-15 | 12,345 | 310 | 17 | 912 ms / 850 ms / 1.5 h | 640 | 580 / 40 / 12 / 3"
                        + " | 0.931 (0.880–0.963) | 0.712 (0.521–0.852) | 12 | 3 | 25.0% |");
        assertThat(md).contains("| 2025-06-16 | 12,345 | 290 |");
        assertThat(md)
                .contains(
                        "| **total** | 24,690 | 600 | 34 | — | 1,280 | 1,160 / 80 / 24 / 6 | — | — | 24 | 6 | 25.0% |");
        assertThat(md).contains("from 2025-06-15 to 2025-06-16", "2 policies, 3 policy-days");
    }

    @Test
    void shouldExplainEveryColumnAndTheEstimationMethod() {
        String md = ComplianceReportRenderer.render(List.of(report("spam", DAY, 1, DAY)));

        assertThat(md).contains("## How to read this report", "## How precision and recall are estimated");
        for (String column : List.of(
                "decisions",
                "automated actions",
                "actions after review",
                "median time to action",
                "review tasks",
                "labels",
                "estimated precision",
                "estimated recall",
                "appeals",
                "overturned",
                "overturn rate")) {
            assertThat(md).as(column).contains("| " + column + " | ");
        }
        assertThat(md)
                .contains("inverse-propensity", "95% confidence interval", "Clopper-Pearson", "withheld", "cohort");
    }

    @Test
    void shouldShowOnlyTheLatestVersionOfADaysReport() {
        String md = ComplianceReportRenderer.render(List.of(
                report("spam", DAY, 999, DAY + 100),
                report("spam", DAY, 310, DAY + 200),
                report("spam", DAY, 777, DAY + 150)));

        assertThat(md).contains("| 310 |").doesNotContain("999").doesNotContain("777");
        assertThat(md).doesNotContain("**total**");
    }

    @Test
    void shouldShowDashesForWhatCannotBeMeasured() {
        ComplianceReport empty = new ComplianceDay().toReport("spam", DAY, DAY);

        String md = ComplianceReportRenderer.render(List.of(empty));

        assertThat(md).contains("| 2025-06-15 | 0 | 0 | 0 | — / — / — | 0 | 0 / 0 / 0 / 0 | — | — | 0 | 0 | — |");
    }

    @Test
    void shouldMarkWithheldNumbersAndSayWhy() {
        ComplianceReport thin = ComplianceReport.newBuilder(report("spam", DAY, 310, DAY + DAY_MILLIS))
                .setRecall(null)
                .setWithheld(Map.of(
                        "recall",
                        "only 1 audited misses (violating audit samples below the threshold);" + " recall needs >= 3"))
                .build();

        String md = ComplianceReportRenderer.render(List.of(thin));

        assertThat(md).contains("| 0.931 (0.880–0.963) | withheld | 12 |");
        assertThat(md)
                .contains("Not published, because the labels cannot support them at the stated confidence:\n\n"
                        + "- 2025-06-15, recall withheld: only 1 audited misses");
    }

    @Test
    void shouldSayWhenThereIsNothingToReport() {
        assertThat(ComplianceReportRenderer.render(List.of())).contains("No compliance reports were found.");
    }

    @Test
    void shouldFormatDurationsInReadableUnits() {
        assertThat(ComplianceReportRenderer.duration(850L)).isEqualTo("850 ms");
        assertThat(ComplianceReportRenderer.duration(12_340L)).isEqualTo("12.3 s");
        assertThat(ComplianceReportRenderer.duration(252_000L)).isEqualTo("4.2 min");
        assertThat(ComplianceReportRenderer.duration(11_160_000L)).isEqualTo("3.1 h");
        assertThat(ComplianceReportRenderer.duration(259_200_000L)).isEqualTo("3.0 d");
        assertThat(ComplianceReportRenderer.duration(null)).isEqualTo("—");
    }

    @Test
    void shouldAddOtherLabelSourcesToTheLabelCount() {
        assertThat(ComplianceReportRenderer.labels(Map.of("REVIEW", 2L, "OTHER", 5L)))
                .isEqualTo("2 / 0 / 0 / 0 (+5 other)");
    }
}
