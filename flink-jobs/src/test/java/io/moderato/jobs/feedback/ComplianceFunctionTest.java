package io.moderato.jobs.feedback;

import static io.moderato.jobs.testing.FeedbackFixtures.HOUR;
import static io.moderato.jobs.testing.FeedbackFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.feedback.ComplianceDay;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ComplianceFunctionTest {

    private static final long DAY = ComplianceDay.DAY_MILLIS;
    private static final long RETENTION = 3 * DAY;
    private KeyedOneInputStreamOperatorTestHarness<String, ComplianceDelta, ComplianceReport> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ComplianceFunction(new ComplianceFunction.Settings(HOUR, RETENTION, 0.95, 3)),
                ComplianceDelta::key,
                Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static ComplianceDelta decisions(double... scores) {
        ComplianceDay day = new ComplianceDay();
        int i = 0;
        for (double score : scores) {
            RiskDecision d = FeedbackFixtures.spamDecision("c" + i++, T0 + HOUR, "comment", score);
            day.addDecision(d, d.getPolicies().get(0));
        }
        return ComplianceDelta.of("spam", T0, day);
    }

    @Test
    void shouldReportADayAtItsEndThenOnlyChangesAtMostHourlyUntilRetention() throws Exception {
        harness.processElement(decisions(0.1, 0.95), T0);
        harness.processElement(decisions(0.97), T0);
        harness.processWatermark(T0 + DAY - 2);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processWatermark(T0 + DAY - 1);

        assertThat(harness.extractOutputValues()).hasSize(1);
        ComplianceReport first = harness.extractOutputValues().get(0);
        assertThat(first.getPolicyId()).isEqualTo("spam");
        assertThat(first.getDayStartMillis()).isEqualTo(T0);
        assertThat(first.getDayEndMillis()).isEqualTo(T0 + DAY);
        assertThat(first.getDecisions()).isEqualTo(3);
        assertThat(first.getActionsAutomated()).isEqualTo(2);
        assertThat(first.getGeneratedAtMillis()).isEqualTo(T0 + DAY - 1);

        // nothing changed: no report at the next hour
        harness.processWatermark(T0 + DAY + 2 * HOUR);
        assertThat(harness.extractOutputValues()).hasSize(1);

        // two late changes within the same hour give one re-emission on the hourly grid
        harness.processElement(decisions(0.2), T0 + DAY + 2 * HOUR);
        harness.processElement(decisions(0.3), T0 + DAY + 2 * HOUR);
        harness.processWatermark(T0 + DAY + 3 * HOUR - 1);
        assertThat(harness.extractOutputValues()).hasSize(2);
        ComplianceReport second = harness.extractOutputValues().get(1);
        assertThat(second.getDecisions()).isEqualTo(5);
        assertThat(second.getGeneratedAtMillis()).isEqualTo(T0 + DAY - 1 + 3 * HOUR);

        harness.processWatermark(T0 + DAY - 1 + RETENTION);
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        // after retention a change would publish a partial day: dropped
        harness.processElement(decisions(0.4), T0 + DAY + RETENTION);
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void shouldKeepDaysAndPoliciesApart() throws Exception {
        harness.processElement(decisions(0.1), T0);
        harness.processElement(ComplianceDelta.of("spam", T0 + DAY, decisions(0.95).day), T0);
        harness.processElement(ComplianceDelta.of("nudity", T0, decisions(0.95, 0.95).day), T0);
        harness.processWatermark(T0 + 2 * DAY - 1);
        assertThat(harness.extractOutputValues())
                .extracting(r -> r.getPolicyId() + "@" + (r.getDayStartMillis() - T0) / DAY + ":" + r.getDecisions())
                .containsExactlyInAnyOrder("spam@0:1", "nudity@0:2", "spam@1:1");
    }

    @Test
    void shouldCombineDeltasPerPolicyAndDayAndFlushThemBeforeTheWatermarkThatEndsTheDay() throws Exception {
        var combiner = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<
                ComplianceDelta, ComplianceDelta>(new ComplianceCombiner());
        combiner.open();
        combiner.processElement(decisions(0.1, 0.95), T0);
        combiner.processElement(decisions(0.97), T0);
        combiner.processElement(ComplianceDelta.of("spam", T0 + DAY, decisions(0.2).day), T0);
        combiner.processWatermark(T0 + DAY - 2);
        assertThat(combiner.extractOutputValues()).isEmpty();

        combiner.processWatermark(T0 + DAY - 1);
        List<Object> out = new java.util.ArrayList<>(combiner.getOutput());
        assertThat(out).hasSize(3); // watermark, the day's merged delta, the watermark that ends the day
        assertThat(out.get(1)).isInstanceOf(org.apache.flink.streaming.runtime.streamrecord.StreamRecord.class);
        ComplianceDelta first = (ComplianceDelta)
                ((org.apache.flink.streaming.runtime.streamrecord.StreamRecord<?>) out.get(1)).getValue();
        assertThat(first.dayStartMillis).isEqualTo(T0);
        assertThat(first.day.getDecisions()).isEqualTo(3);
        assertThat(out.get(2))
                .as("the day's deltas precede the watermark that ends it")
                .isEqualTo(new org.apache.flink.streaming.api.watermark.Watermark(T0 + DAY - 1));

        combiner.prepareSnapshotPreBarrier(1);
        assertThat(combiner.extractOutputValues())
                .extracting(d -> d.day.getDecisions())
                .containsExactly(3L, 1L);
        combiner.close();
    }
}
