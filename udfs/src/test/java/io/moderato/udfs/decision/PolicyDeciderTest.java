package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewQueue;
import io.moderato.udfs.window.SlidingRiskWindow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-policy decision as plain Java: expected risks, bands and propensities are computed here from
 * the documented rules (max fusion gives the single score; review 0.5, action 0.9, escalation 0.45).
 */
class PolicyDeciderTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final PolicyDecider DECIDER = new PolicyDecider(new DeterministicSampler(7L), 3);

    private static PolicyConfig.Builder config() {
        return PolicyConfig.newBuilder()
                .setPolicyId("spam")
                .setVersion(3)
                .setReviewThreshold(0.5)
                .setActionThreshold(0.9)
                .setEscalationThreshold(0.45)
                .setFusionStrategy("max")
                .setFusionWeights(Map.of())
                .setSeverity(2.0)
                .setAutoAction("LIMIT")
                .setReviewQueues(List.<ReviewQueue>of())
                .setActiveModels(List.of(new ModelVersion("text", "text-spam", "1.0.0")))
                .setUpdatedBy("test")
                .setUpdatedAtMillis(T0);
    }

    private static PolicyDecider.Item item(String id, long offset, boolean prePublish) {
        return new PolicyDecider.Item(id, T0 + offset, prePublish, 1000, false);
    }

    private static PolicyDecider.Outcome decide(
            PolicyConfig config, PolicyDecider.Item item, double score, SlidingRiskWindow window) {
        return DECIDER.decide(config, item, Map.of("text", score), List.of(), Map.of(), window, List.of());
    }

    @Test
    void shouldBandByThresholdAndSayWhatFollows() {
        PolicyConfig c = config().build();
        PolicyDecider.Outcome allow = decide(c, item("a", 0, false), 0.2, new SlidingRiskWindow());
        PolicyDecider.Outcome review = decide(c, item("r", 0, false), 0.6, new SlidingRiskWindow());
        PolicyDecider.Outcome action = decide(c, item("x", 0, false), 0.95, new SlidingRiskWindow());
        PolicyDecider.Outcome block = decide(c, item("b", 0, true), 0.95, new SlidingRiskWindow());

        assertThat(allow.decision().getBand()).isEqualTo("ALLOW");
        assertThat(allow.reviewReason()).isNull();
        assertThat(allow.action()).isNull();
        assertThat(review.decision().getBand()).isEqualTo("REVIEW");
        assertThat(review.reviewReason().getReason()).isEqualTo(PolicyDecider.THRESHOLD);
        assertThat(review.decision().getPropensity()).isEqualTo(1.0);
        // priority = severity × ln(1 + reach) × uncertainty, uncertainty = 1 − |2·0.6 − 1| = 0.8
        assertThat(review.priority()).isCloseTo(2.0 * Math.log(1001) * 0.8, within(1e-12));
        assertThat(action.action()).isEqualTo("LIMIT");
        assertThat(block.decision().getBand()).isEqualTo("BLOCK");
        assertThat(block.action()).isEqualTo("BLOCK_PREPUBLISH");
    }

    @Test
    void shouldEscalateOnTheWindowAndAddOnlyItemsThatAreNotLate() {
        PolicyConfig c = config().build();
        SlidingRiskWindow window = new SlidingRiskWindow();
        decide(c, item("first", 0, false), 0.48, window);
        PolicyDecider.Outcome second = decide(c, item("second", 10_000, false), 0.46, window);
        assertThat(second.decision().getBand()).isEqualTo("REVIEW");
        assertThat(second.decision().getEscalated()).isTrue();
        assertThat(second.reviewReason().getReason()).isEqualTo(PolicyDecider.ESCALATION);
        assertThat(second.windowChanged()).isTrue();

        PolicyDecider.Outcome late = DECIDER.decide(
                c,
                new PolicyDecider.Item("late", T0 + 5_000, false, 0, true),
                Map.of("text", 0.99),
                List.of(),
                Map.of(),
                window,
                List.of());
        assertThat(late.windowChanged()).isFalse();
        assertThat(window.aggregate(T0 + 20_000).itemCount()).isEqualTo(2);
    }

    @Test
    void shouldSampleAuditsAtTheConfiguredRatesAndRecordThemAsPropensities() {
        PolicyConfig c = config().setAuditSampleRateAllow(0.3)
                .setAuditSampleRateAction(1.0)
                .build();
        int sampled = 0;
        for (int i = 0; i < 2000; i++) {
            PolicyDecider.Outcome o = decide(c, item("c" + i, 0, false), 0.1, new SlidingRiskWindow());
            assertThat(o.decision().getPropensity()).isEqualTo(0.3);
            if (o.decision().getAuditSampled()) {
                sampled++;
                assertThat(o.reviewReason().getReason()).isEqualTo(PolicyDecider.AUDIT_ALLOW);
            }
        }
        assertThat(sampled).isBetween(540, 660); // 600 ± 4.5 sd
        PolicyDecider.Outcome actioned = decide(c, item("x", 0, false), 0.95, new SlidingRiskWindow());
        assertThat(actioned.decision().getAuditSampled()).isTrue();
        assertThat(actioned.reviewReason().getReason()).isEqualTo(PolicyDecider.AUDIT_ACTION);
    }

    @Test
    void shouldFailSafeWhenAModalityCouldNotBeScored() {
        PolicyConfig c = config().build();
        SlidingRiskWindow window = new SlidingRiskWindow();
        PolicyDecider.Outcome nothing = DECIDER.decide(
                c,
                item("n", 0, false),
                Map.of(),
                List.of("model text-spam:9.9.9 is not loaded"),
                Map.of(),
                window,
                List.of());
        PolicyDecision d = nothing.decision();
        assertThat(d.getBand()).isEqualTo("REVIEW");
        assertThat(d.getFusedRisk()).isEqualTo(0.5);
        assertThat(d.getScoringProblems()).containsExactly("model text-spam:9.9.9 is not loaded");
        assertThat(nothing.reviewReason().getReason()).isEqualTo(PolicyDecider.FAIL_SAFE);
        assertThat(nothing.windowChanged()).isFalse();
        assertThat(window.isEmpty()).isTrue();

        PolicyDecider.Outcome highAnyway = DECIDER.decide(
                c,
                item("h", 0, true),
                Map.of("text", 0.95),
                List.of("audio embedding has NaN or infinite values"),
                Map.of(),
                window,
                List.of());
        assertThat(highAnyway.decision().getBand())
                .as("a problem never lowers a band")
                .isEqualTo("BLOCK");
        assertThat(highAnyway.reviewReason()).isNull();

        assertThat(DECIDER.decide(c, item("none", 0, false), Map.of(), List.of(), Map.of(), window, List.of()))
                .as("no score and no problem: the policy has nothing to decide on")
                .isNull();
    }
}
