package io.moderato.jobs.feedback;

import static io.moderato.jobs.testing.FeedbackFixtures.MINUTE;
import static io.moderato.jobs.testing.FeedbackFixtures.T0;
import static io.moderato.jobs.testing.FeedbackFixtures.label;
import static io.moderato.jobs.testing.FeedbackFixtures.spamDecision;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The label ⋈ decision join: either order, duplicates, conflicts, TTL expiry, and no state left behind. */
class JoinLabelsFunctionTest {

    private static final Duration TTL = Duration.ofDays(14);
    private static final long TTL_MILLIS = TTL.toMillis();

    private KeyedTwoInputStreamOperatorTestHarness<String, RiskDecision, ReviewLabel, TrainingExample> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new JoinLabelsFunction(TTL), RiskDecision::getContentId, ReviewLabel::getContentId, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(RiskDecision d) throws Exception {
        harness.processElement1(d, d.getEventTimeMillis());
    }

    private void send(ReviewLabel l) throws Exception {
        harness.processElement2(l, l.getLabelledAtMillis());
    }

    private void watermark(long t) throws Exception {
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t));
    }

    private List<TrainingExample> examples() {
        return harness.extractOutputValues();
    }

    private <T> List<T> side(org.apache.flink.util.OutputTag<T> tag) {
        Collection<StreamRecord<T>> records = harness.getSideOutput(tag);
        List<T> values = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> values.add(r.getValue()));
        }
        return values;
    }

    private void assertNoStateLeft() {
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @Test
    void shouldEmitAnExampleWhenTheLabelFollowsItsDecision() throws Exception {
        RiskDecision d = spamDecision("c1", T0, "comment", 0.3); // ALLOW, audited at 10%
        send(d);
        assertThat(examples()).isEmpty();
        send(label("c1", true, "r1", "AUDIT", T0 + 30 * MINUTE));

        assertThat(examples()).hasSize(1);
        TrainingExample e = examples().get(0);
        PolicyDecision spam = d.getPolicies().get(0);
        assertThat(e.getContentId()).isEqualTo("c1");
        assertThat(e.getPolicyId()).isEqualTo("spam");
        assertThat(e.getViolating()).isTrue();
        assertThat(e.getLabelSource()).isEqualTo("AUDIT");
        assertThat(e.getPropensity()).isEqualTo(0.1);
        assertThat(e.getWeight()).isEqualTo(10.0);
        assertThat(e.getFusedRisk()).isEqualTo(spam.getFusedRisk());
        assertThat(e.getModalityScores()).isEqualTo(spam.getModalityScores());
        assertThat(e.getFeatures()).isEqualTo(d.getFeatures());
        assertThat(e.getContextFeatures()).isEqualTo(d.getContextFeatures());
        assertThat(e.getConfigVersion()).isEqualTo(1L);
        assertThat(e.getLabelledAtMillis()).isEqualTo(T0 + 30 * MINUTE);

        List<LabelledItem> items = side(FeedbackState.LABELLED_ITEMS);
        assertThat(items).hasSize(1);
        LabelledItem item = items.get(0);
        assertThat(item.key()).isEqualTo("spam\u0000text=text-spam:1.0.0\u0000comment");
        assertThat(item.isFirstVerdict()).isTrue();
        assertThat(item.currentViolating).isTrue();
        assertThat(item.predictedPositive).isFalse();
        assertThat(item.weight).isEqualTo(10.0);
        assertThat(item.auditSampled)
                .as("the decision's audit draw, which recall's guard counts")
                .isTrue();
        assertThat(item.eventTimeMillis).isEqualTo(T0);

        List<ComplianceDelta> deltas = side(FeedbackState.COMPLIANCE_DELTAS);
        assertThat(deltas).hasSize(1);
        assertThat(deltas.get(0).key()).isEqualTo("spam\u0000" + T0);
        ComplianceReport report = deltas.get(0).day.toReport("spam", T0, T0);
        assertThat(report.getLabelledItems()).isEqualTo(1);
        assertThat(report.getActionsAfterReview()).isEqualTo(1);
        assertThat(report.getLabelsBySource()).containsEntry("AUDIT", 1L);

        // state: decision, one label, expiry; the timer moved to the label's time + TTL
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        watermark(T0 + 30 * MINUTE + TTL_MILLIS - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        watermark(T0 + 30 * MINUTE + TTL_MILLIS);
        assertNoStateLeft();
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).isEmpty();
    }

    @Test
    void shouldHoldLabelsThatArriveFirstAndReplayThemInLabelTimeOrderWhenTheDecisionComes() throws Exception {
        send(label("c2", false, "r2", "REVIEW", T0 + 20 * MINUTE));
        send(label("c2", true, "r1", "REVIEW", T0 + 10 * MINUTE));
        assertThat(examples()).isEmpty();
        assertThat(side(FeedbackState.LABELLED_ITEMS)).isEmpty();

        send(spamDecision("c2", T0, "comment", 0.7)); // REVIEW band, propensity 1
        // as if both had come after the decision: r1 alone, then the tie that goes to the latest vote (r2)
        assertThat(examples()).extracting(TrainingExample::getViolating).containsExactly(true, false);
        TrainingExample e = examples().get(1);
        assertThat(e.getLabelCount()).isEqualTo(2);
        assertThat(e.getConflicting()).isTrue();
        assertThat(e.getWeight()).isEqualTo(1.0);
        assertThat(e.getLabelledAtMillis()).isEqualTo(T0 + 20 * MINUTE);

        List<LabelledItem> items = side(FeedbackState.LABELLED_ITEMS);
        assertThat(items)
                .extracting(i -> (i.hadPrevious ? String.valueOf(i.previousViolating) : "-") + ">" + i.currentViolating)
                .containsExactly("->true", "true>false");
        ComplianceDayCheck total = new ComplianceDayCheck(side(FeedbackState.COMPLIANCE_DELTAS));
        assertThat(total.report().getLabelledItems()).as("the item counts once").isEqualTo(1);
        assertThat(total.report().getLabelsBySource()).containsEntry("REVIEW", 2L);

        watermark(T0 + 20 * MINUTE + TTL_MILLIS);
        assertNoStateLeft();
    }

    /** The compliance deltas of one item merged, as the compliance operator would. */
    record ComplianceDayCheck(List<ComplianceDelta> deltas) {
        ComplianceReport report() {
            io.moderato.udfs.feedback.ComplianceDay day = new io.moderato.udfs.feedback.ComplianceDay();
            deltas.forEach(d -> day.merge(d.day));
            return day.toReport("spam", T0, T0);
        }
    }

    @Test
    void shouldIgnoreRedeliveredLabelsAndDecisions() throws Exception {
        RiskDecision d = spamDecision("c3", T0, "comment", 0.95);
        ReviewLabel l = label("c3", true, "r1", "AUDIT", T0 + MINUTE);
        send(d);
        send(l);
        send(ReviewLabel.newBuilder(l).build());
        send(RiskDecision.newBuilder(d).build());
        send(ReviewLabel.newBuilder(l).setNotes("redelivered with other notes").build());

        assertThat(examples()).hasSize(1);
        assertThat(side(FeedbackState.LABELLED_ITEMS)).hasSize(1);
        assertThat(side(FeedbackState.COMPLIANCE_DELTAS)).hasSize(1);

        // a copy with a higher severity is the same label: kept (as the adjudicator would), not a new vote
        send(ReviewLabel.newBuilder(l).setSeverity(3.0).build());
        assertThat(examples()).hasSize(2);
        assertThat(examples().get(1).getSeverity()).isEqualTo(3.0);
        assertThat(examples().get(1).getLabelCount()).isEqualTo(1);
        assertThat(side(FeedbackState.LABELLED_ITEMS)).as("verdict unchanged").hasSize(1);
        assertThat(side(FeedbackState.COMPLIANCE_DELTAS))
                .as("no new distinct label")
                .hasSize(1);

        watermark(T0 + MINUTE + TTL_MILLIS);
        assertNoStateLeft();
    }

    @Test
    void shouldReAdjudicateConflictingVerdictsInTheDocumentedOrder() throws Exception {
        send(spamDecision("c4", T0, "comment", 0.7));
        send(label("c4", true, "r1", "REVIEW", T0 + 10 * MINUTE));
        send(label("c4", false, "r2", "REVIEW", T0 + 20 * MINUTE)); // tie: latest wins → clean
        send(label("c4", true, "r3", "REVIEW", T0 + 30 * MINUTE)); // majority 2:1 → violating
        send(label("c4", false, "panel", "ADJUDICATION", T0 + 40 * MINUTE)); // a ruling beats votes
        send(label("c4", true, "author", "APPEAL", T0 + 50 * MINUTE)); // an appeal beats everything

        assertThat(examples())
                .extracting(TrainingExample::getViolating)
                .containsExactly(true, false, true, false, true);
        assertThat(examples())
                .extracting(TrainingExample::getLabelSource)
                .containsExactly("REVIEW", "REVIEW", "REVIEW", "ADJUDICATION", "APPEAL");
        assertThat(examples()).extracting(TrainingExample::getLabelCount).containsExactly(1, 2, 3, 4, 5);

        // the metrics see each flip as a retraction of the previous verdict
        List<LabelledItem> items = side(FeedbackState.LABELLED_ITEMS);
        assertThat(items)
                .extracting(i -> (i.hadPrevious ? String.valueOf(i.previousViolating) : "-") + ">" + i.currentViolating)
                .containsExactly("->true", "true>false", "false>true", "true>false", "false>true");

        // the same labels, all before the decision and in reverse order, give the same examples
        for (ReviewLabel l : List.of(
                label("c5", true, "author", "APPEAL", T0 + 50 * MINUTE),
                label("c5", false, "panel", "ADJUDICATION", T0 + 40 * MINUTE),
                label("c5", true, "r3", "REVIEW", T0 + 30 * MINUTE),
                label("c5", false, "r2", "REVIEW", T0 + 20 * MINUTE),
                label("c5", true, "r1", "REVIEW", T0 + 10 * MINUTE))) {
            send(l);
        }
        send(spamDecision("c5", T0, "comment", 0.7));
        List<TrainingExample> all = examples();
        assertThat(all).hasSize(10);
        for (int i = 0; i < 5; i++) {
            assertThat(TrainingExample.newBuilder(all.get(5 + i))
                            .setContentId("c4")
                            .setUserId("user-c4")
                            .build())
                    .isEqualTo(all.get(i));
        }
    }

    @Test
    void shouldSendALabelWhoseDecisionNeverArrivesToUnmatchedAtTtlAndLeaveNothing() throws Exception {
        ReviewLabel orphan = label("c6", true, "r1", "REVIEW", T0);
        send(orphan);
        watermark(T0 + TTL_MILLIS - 1);
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).isEmpty();
        watermark(T0 + TTL_MILLIS);
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).containsExactly(orphan);
        assertThat(examples()).isEmpty();
        assertNoStateLeft();
    }

    @Test
    void shouldKeepAnItemForTtlAfterItsLatestEventWithOneTimer() throws Exception {
        send(spamDecision("c7", T0, "comment", 0.7));
        send(label("c7", true, "r1", "REVIEW", T0 + 13 * 24 * 60 * MINUTE)); // 13 days later
        assertThat(harness.numEventTimeTimers())
                .as("the expiry timer moved, not added")
                .isEqualTo(1);
        watermark(T0 + TTL_MILLIS + 1); // the decision's own TTL has passed
        assertThat(harness.numKeyedStateEntries()).isPositive();
        // a late second label still joins
        send(label("c7", true, "r2", "REVIEW", T0 + 13 * 24 * 60 * MINUTE + 1));
        assertThat(examples()).hasSize(2);
        watermark(T0 + 13 * 24 * 60 * MINUTE + 1 + TTL_MILLIS);
        assertNoStateLeft();
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).isEmpty();
    }

    @Test
    void shouldSendLabelsTheDecisionCannotServeToUnmatchedRightAway() throws Exception {
        send(spamDecision("c8", T0, "comment", 0.7));
        ReviewLabel otherPolicy = ReviewLabel.newBuilder(label("c8", true, "r1", "REVIEW", T0 + MINUTE))
                .setPolicyId("nudity")
                .build();
        send(otherPolicy);
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).containsExactly(otherPolicy);

        RiskDecision zeroPropensity = spamDecision("c9", T0, "comment", 0.3);
        zeroPropensity.getPolicies().get(0).setPropensity(0.0);
        ReviewLabel early = label("c9", false, "r1", "APPEAL", T0 + MINUTE);
        send(early);
        send(zeroPropensity);
        assertThat(side(FeedbackState.UNMATCHED_LABELS)).containsExactly(otherPolicy, early);
        assertThat(examples()).isEmpty();

        watermark(T0 + MINUTE + TTL_MILLIS);
        assertNoStateLeft();
    }

    @Test
    void shouldNotFeedTheMetricsWithItemsLabelledOnlyByAppeal() throws Exception {
        send(spamDecision("c10", T0, "comment", 0.95)); // auto-actioned, not audited
        send(label("c10", false, "author", "APPEAL", T0 + MINUTE));
        assertThat(examples()).hasSize(1);
        assertThat(side(FeedbackState.LABELLED_ITEMS)).isEmpty();
        ComplianceReport report =
                side(FeedbackState.COMPLIANCE_DELTAS).get(0).day.toReport("spam", T0, T0);
        assertThat(report.getAppeals()).isEqualTo(1);
        assertThat(report.getAppealsOverturned()).isEqualTo(1);
        assertThat(report.getEstimateItems()).isZero();
    }
}
