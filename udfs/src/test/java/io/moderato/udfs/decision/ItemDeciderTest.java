package io.moderato.udfs.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewQueue;
import io.moderato.schemas.ReviewReason;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.window.SlidingRiskWindow;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One item under several policies, without Flink: which policies decide, which window changes, which
 * review request wins and where it goes. Expected values follow from the documented rules (max fusion
 * gives the single score; review 0.5, action 0.9; priority = severity × ln(1 + reach) × uncertainty).
 */
class ItemDeciderTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long WINDOW = Duration.ofMinutes(15).toMillis();
    private static final long SLIDE = Duration.ofMinutes(1).toMillis();

    private final ItemDecider decider =
            new ItemDecider(new PolicyDecider(new DeterministicSampler(7L), 3), WINDOW, SLIDE);
    private final Map<String, SlidingRiskWindow> store = new HashMap<>();
    private final ItemDecider.Windows windows = new ItemDecider.Windows() {
        @Override
        public SlidingRiskWindow get(String policyId) {
            return store.get(policyId);
        }

        @Override
        public void put(String policyId, SlidingRiskWindow window) {
            store.put(policyId, window);
        }
    };

    private static PolicyConfig.Builder config(String policy, String model, double severity) {
        return PolicyConfig.newBuilder()
                .setPolicyId(policy)
                .setVersion(3)
                .setReviewThreshold(0.5)
                .setActionThreshold(0.9)
                .setEscalationThreshold(0.45)
                .setFusionStrategy("max")
                .setFusionWeights(Map.of())
                .setSeverity(severity)
                .setAutoAction("LIMIT")
                .setReviewQueues(List.<ReviewQueue>of())
                .setActiveModels(List.of(new ModelVersion("text", model, "1.0.0")))
                .setUpdatedBy("test")
                .setUpdatedAtMillis(T0);
    }

    private static ItemDecider.Item item(boolean late) {
        return new ItemDecider.Item(new PolicyDecider.Item("c1", T0, false, 1000, late), "comments", "en-US");
    }

    private static ContentScorer.Score score(String model, String policy, double score) {
        return new ContentScorer.Score("text", model, "1.0.0", policy, score, false);
    }

    @Test
    void shouldSendTheItemToTheQueueOfTheMostUrgentPolicyWithEveryReasonWinnerFirst() throws Exception {
        ReviewQueue abuseQueue = ReviewQueue.newBuilder()
                .setName("abuse-en")
                .setLocales(List.of("en-US"))
                .setCapacityPerMinute(7)
                .setSlaMillis(3_600_000L)
                .build();
        PolicyConfig spam = config("spam", "text-spam", 1.0).build();
        PolicyConfig abuse = config("abuse", "text-abuse", 3.0)
                .setReviewQueues(List.of(abuseQueue))
                .build();
        List<ContentScorer.Score> scores = List.of(
                score("text-spam", "spam", 0.6),
                score("text-abuse", "abuse", 0.6),
                score("text-abuse", "spam", 0.99)); // another policy's column of the abuse model: not spam's

        ItemDecider.Decided decided =
                decider.decide(List.of(spam, abuse), item(false), scores, List.of(), Map.of(), windows);

        assertThat(decided.decisions()).extracting(PolicyDecision::getPolicyId).containsExactly("spam", "abuse");
        assertThat(decided.decisions()).extracting(PolicyDecision::getFusedRisk).containsExactly(0.6, 0.6);
        assertThat(decided.configVersions()).containsExactly(Map.entry("abuse", 3L), Map.entry("spam", 3L));
        assertThat(decided.modelsUsed())
                .containsExactly(
                        new ModelVersion("text", "text-spam", "1.0.0"),
                        new ModelVersion("text", "text-abuse", "1.0.0"));
        ItemDecider.ReviewRequest review = decided.review();
        // same risk, same reach: severity 3 beats 1
        assertThat(review.policyId()).isEqualTo("abuse");
        assertThat(review.priority()).isEqualTo(ReviewPriority.priority(3.0, 1000, 0.6));
        assertThat(review.queue()).isEqualTo("abuse-en");
        assertThat(review.capacityPerMinute()).isEqualTo(7);
        assertThat(review.slaMillis()).isEqualTo(3_600_000L);
        assertThat(review.reasons()).extracting(ReviewReason::getPolicyId).containsExactly("abuse", "spam");
        assertThat(store).containsOnlyKeys("spam", "abuse");
    }

    @Test
    void shouldUseTheFallbackQueueAndBreakPriorityTiesByPolicyId() throws Exception {
        PolicyConfig b = config("b-policy", "m", 1.0).build();
        PolicyConfig a = config("a-policy", "m", 1.0).build();
        List<ContentScorer.Score> scores = List.of(score("m", "a-policy", 0.7), score("m", "b-policy", 0.7));

        ItemDecider.ReviewRequest review = decider.decide(
                        List.of(b, a), item(false), scores, List.of(), Map.of(), windows)
                .review();

        assertThat(review.policyId()).isEqualTo("a-policy");
        assertThat(review.queue()).isEqualTo(QueueRouter.fallbackQueue("a-policy"));
        assertThat(review.capacityPerMinute()).isEqualTo(ItemDecider.FALLBACK_CAPACITY_PER_MINUTE);
        assertThat(review.slaMillis()).isEqualTo(ItemDecider.FALLBACK_SLA_MILLIS);
        assertThat(review.reasons()).extracting(ReviewReason::getPolicyId).containsExactly("a-policy", "b-policy");
    }

    @Test
    void shouldLeaveOutPoliciesThatDoNotApplyAndNeverWindowLateItems() throws Exception {
        PolicyConfig other = config("other-surface", "text-spam", 1.0)
                .setSurfaces(List.of("profiles"))
                .build();
        PolicyConfig disabled =
                config("disabled", "text-spam", 1.0).setEnabled(false).build();
        PolicyConfig noScore = config("image-only", "text-spam", 1.0)
                .setActiveModels(List.of(new ModelVersion("image", "image-safety", "1.0.0")))
                .build();
        PolicyConfig spam = config("spam", "text-spam", 1.0).build();
        List<ContentScorer.Score> scores = List.of(
                score("text-spam", "spam", 0.95),
                score("text-spam", "other-surface", 0.95),
                score("text-spam", "disabled", 0.95));

        ItemDecider.Decided decided = decider.decide(
                List.of(other, disabled, noScore, spam), item(true), scores, List.of(), Map.of(), windows);

        assertThat(decided.decisions()).extracting(PolicyDecision::getPolicyId).containsExactly("spam");
        assertThat(decided.actions()).singleElement().satisfies(a -> {
            assertThat(a.config().getPolicyId()).isEqualTo("spam");
            assertThat(a.action()).isEqualTo("LIMIT");
            assertThat(a.risk()).isEqualTo(0.95);
        });
        assertThat(decided.review()).isNull();
        assertThat(store).as("a late item never enters a window").isEmpty();
    }

    @Test
    void shouldFailSafeToReviewWhenThePolicysModelCouldNotScore() throws Exception {
        PolicyConfig spam = config("spam", "text-spam", 1.0).build();
        List<ContentScorer.Problem> problems = List.of(
                new ContentScorer.Problem("text", "text-spam", "not loaded"),
                new ContentScorer.Problem("text", "text-abuse", "another model's problem"));

        ItemDecider.Decided decided =
                decider.decide(List.of(spam), item(false), List.of(), problems, Map.of(), windows);

        assertThat(decided.decisions()).singleElement().satisfies(d -> {
            assertThat(d.getBand()).isEqualTo(Bands.REVIEW);
            assertThat(d.getScoringProblems()).containsExactly("not loaded");
        });
        assertThat(decided.review().reasons())
                .singleElement()
                .satisfies(r -> assertThat(r.getReason()).isEqualTo(PolicyDecider.FAIL_SAFE));
        assertThat(store).as("a risk no model made never enters a window").isEmpty();
    }

    @Test
    void shouldGiveTheItemOnlyBandThatTheWindowedDecisionCanOnlyRaise() {
        PolicyDecider policyDecider = new PolicyDecider(new DeterministicSampler(7L), 3);
        PolicyConfig spam = config("spam", "text-spam", 1.0).build();
        SlidingRiskWindow window = new SlidingRiskWindow(WINDOW, SLIDE);
        policyDecider.decide(
                spam,
                new PolicyDecider.Item("a", T0, false, 0, false),
                Map.of("text", 0.48),
                List.of(),
                Map.of(),
                window,
                List.of());

        PolicyDecider.Banding alone = policyDecider
                .itemOnly(spam, Map.of("text", 0.46), List.of(), Map.of(), false)
                .banding();
        PolicyDecider.Outcome windowed = policyDecider.decide(
                spam,
                new PolicyDecider.Item("b", T0 + 1, false, 0, false),
                Map.of("text", 0.46),
                List.of(),
                Map.of(),
                window,
                List.of());

        assertThat(alone.band()).isEqualTo(Bands.ALLOW);
        assertThat(alone.escalated()).isFalse();
        assertThat(windowed.decision().getBand()).isEqualTo(Bands.REVIEW);
        assertThat(policyDecider
                        .itemOnly(spam, Map.of("text", 0.95), List.of(), Map.of(), true)
                        .banding()
                        .band())
                .isEqualTo(Bands.BLOCK);
        assertThat(policyDecider
                        .itemOnly(spam, Map.of(), List.of("not loaded"), Map.of(), true)
                        .banding()
                        .band())
                .isEqualTo(Bands.HOLD);
        assertThat(policyDecider.itemOnly(spam, Map.of(), List.of(), Map.of(), true))
                .isNull();
    }
}
