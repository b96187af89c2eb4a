package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.T0;
import static io.moderato.jobs.testing.DetectionFixtures.policy;
import static io.moderato.jobs.testing.DetectionFixtures.queue;
import static io.moderato.jobs.testing.DetectionFixtures.score;
import static io.moderato.jobs.testing.DetectionFixtures.scored;
import static io.moderato.jobs.testing.DetectionFixtures.signal;
import static io.moderato.jobs.testing.DetectionFixtures.textEvent;
import static io.moderato.jobs.testing.DetectionFixtures.textScore;
import static io.moderato.jobs.testing.DetectionFixtures.userSignal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.internal.ScoringProblem;
import io.moderato.jobs.internal.UserInput;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.Harnesses;
import io.moderato.jobs.testing.Harnesses.Backend;
import io.moderato.jobs.testing.KeyedBroadcastHarness;
import io.moderato.jobs.testing.OperatorMetrics;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.Signal;
import io.moderato.udfs.decision.DeterministicSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DecideFunction in a keyed-broadcast harness (key = userId, broadcast = policy configs), with
 * generic types disabled and, where state matters, on RocksDB too. Inputs are built by hand with
 * chosen model scores, so every expected risk, band and propensity is computed here from the
 * documented formulas, not by the code under test.
 */
class DecideFunctionTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Duration SLIDE = Duration.ofMinutes(1);
    private static final Duration SIGNAL_TTL = Duration.ofDays(30);
    private static final Duration DEDUP_HORIZON = Duration.ofDays(1);
    private static final long SEED = 20_251_124L;
    /** Harness processing time: decisions and audits are stamped with it. */
    private static final long NOW = T0 + Duration.ofHours(1).toMillis();

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60_000L;

    private static final String WINDOWS = "user-risk-windows";
    private static final String TIMER = "window-cleanup-timer";
    private static final String PENDING = "pending-content";
    private static final String DECIDED = "decided-content";

    private final List<AutoCloseable> opened = new ArrayList<>();
    private OperatorMetrics metrics;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    // ------------------------------------------------------------------------------------------ harness

    private KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> harness(
            Backend backend, List<PolicyConfig> defaults) throws Exception {
        return harness(backend, defaults, 1, 0, null);
    }

    private KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> harness(
            Backend backend, List<PolicyConfig> defaults, int parallelism, int subtask, OperatorSubtaskState restored)
            throws Exception {
        metrics = new OperatorMetrics();
        var harness = new KeyedBroadcastHarness<>(
                new DecideFunction(defaults, WINDOW, SLIDE, SIGNAL_TTL, DEDUP_HORIZON, SEED),
                UserInput::getUserId,
                Types.STRING,
                Harnesses.environment(parallelism, subtask, metrics),
                DetectionState.POLICY_CONFIGS);
        opened.add(harness);
        harness.setStateBackend(backend.create());
        harness.setProcessingTime(NOW);
        if (restored == null) {
            harness.initializeEmptyState();
        } else {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }

    private static ContentEvent event(String contentId, String userId, long offsetMillis) {
        return textEvent(contentId, userId, "some text", T0 + offsetMillis, false);
    }

    private static ContentEvent prePublish(String contentId, String userId, long offsetMillis) {
        return textEvent(contentId, userId, "some text", T0 + offsetMillis, true);
    }

    /** Newest event time given to {@link #decide} so far. */
    private long newestEventTime = Long.MIN_VALUE;

    private void decide(
            KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h,
            ContentEvent event,
            ModelScore... scores)
            throws Exception {
        h.processElement(scored(event, scores), event.getEventTimeMillis());
        newestEventTime = Math.max(newestEventTime, event.getEventTimeMillis());
    }

    /** Lets the watermark pass every item given so far: items are decided in event-time order once it does. */
    private void flush(KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h) throws Exception {
        if (newestEventTime != Long.MIN_VALUE) {
            h.watermark(newestEventTime);
        }
    }

    private List<ReviewCandidate> candidates(KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h)
            throws Exception {
        flush(h);
        return h.sideOutputValues(DetectionState.REVIEW_CANDIDATES);
    }

    /** Every decision, whether it left on the main output or inside a review candidate. */
    private Map<String, RiskDecision> decisions(KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h)
            throws Exception {
        flush(h);
        Map<String, RiskDecision> byId = new LinkedHashMap<>();
        h.extractOutputValues().forEach(d -> byId.put(d.getContentId(), d));
        candidates(h).forEach(c -> byId.put(c.getDecision().getContentId(), c.getDecision()));
        return byId;
    }

    private Set<String> mainOutputIds(KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h)
            throws Exception {
        flush(h);
        Set<String> ids = new TreeSet<>();
        h.extractOutputValues().forEach(d -> ids.add(d.getContentId()));
        return ids;
    }

    private static PolicyDecision policyOf(RiskDecision decision, String policyId) {
        return decision.getPolicies().stream()
                .filter(p -> p.getPolicyId().equals(policyId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no decision for policy " + policyId + " in " + decision));
    }

    private static PolicyDecision spam(Map<String, RiskDecision> decisions, String contentId) {
        return policyOf(decisions.get(contentId), "spam");
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static double logit(double p) {
        return Math.log(p / (1.0 - p));
    }

    // ------------------------------------------------------------------------------------------ fusion

    @Nested
    class Fusion {

        @Test
        void shouldAddTheUsersContextFeaturesToTheFusedRiskWithThePolicyWeights() throws Exception {
            PolicyConfig spam = policy("spam", 1)
                    .setFusionStrategy("weighted_logit")
                    .setFusionBias(-0.2)
                    .setFusionWeights(
                            Map.of("text", 1.0, "ctx.new_account", 0.8, "ctx.prior_strikes", 0.5, "ctx.verified", -0.7))
                    .setReviewThreshold(0.8)
                    .setActionThreshold(0.95)
                    .build();
            var h = harness(Backend.HEAP, List.of(spam));

            decide(h, event("before-signal", "u1", 0), textScore("spam", 0.4));
            flush(h); // a signal applies to the items decided after it arrives
            h.processElement(signal(userSignal("u1", 15, 3, 2, false)), T0);
            decide(h, event("after-signal", "u1", 10 * SECOND), textScore("spam", 0.4));
            flush(h);
            h.processElement(signal(userSignal("u1", 15, 3, 2, true)), T0);
            decide(h, event("verified", "u1", 20 * SECOND), textScore("spam", 0.4));

            Map<String, RiskDecision> d = decisions(h);
            // unknown user: ctx.unknown_user = 1 has no weight, every weighted feature is 0
            double unknown = sigmoid(-0.2 + logit(0.4));
            // 15-day-old account with 3 strikes: exp(-15/30) and ln(1 + 3); recent reports are not weighted
            double known = sigmoid(-0.2 + logit(0.4) + 0.8 * Math.exp(-0.5) + 0.5 * Math.log(4));
            double verified = sigmoid(-0.2 + logit(0.4) + 0.8 * Math.exp(-0.5) + 0.5 * Math.log(4) - 0.7);
            assertThat(spam(d, "before-signal").getFusedRisk()).isCloseTo(unknown, within(1e-12));
            assertThat(spam(d, "after-signal").getFusedRisk()).isCloseTo(known, within(1e-12));
            assertThat(spam(d, "verified").getFusedRisk()).isCloseTo(verified, within(1e-12));
            assertThat(known).isGreaterThan(unknown);
            assertThat(verified).isLessThan(known);

            assertThat(d.get("before-signal").getContextFeatures())
                    .containsEntry("ctx.unknown_user", 1.0)
                    .containsEntry("ctx.prior_strikes", 0.0);
            Map<String, Double> context = d.get("after-signal").getContextFeatures();
            assertThat(context)
                    .containsOnlyKeys(
                            "ctx.new_account",
                            "ctx.prior_strikes",
                            "ctx.recent_reports",
                            "ctx.unknown_user",
                            "ctx.verified");
            assertThat(context.get("ctx.new_account")).isCloseTo(Math.exp(-0.5), within(1e-15));
            assertThat(context.get("ctx.prior_strikes")).isCloseTo(Math.log(4), within(1e-15));
            assertThat(context.get("ctx.recent_reports")).isCloseTo(Math.log(3), within(1e-15));
            assertThat(context.get("ctx.verified")).isEqualTo(0.0);
            assertThat(context.get("ctx.unknown_user")).isEqualTo(0.0);
            // top signals: the three largest |terms| of z, so the text logit and both weighted features
            assertThat(spam(d, "after-signal").getTopSignals())
                    .extracting(Signal::getName)
                    .containsExactly("ctx.prior_strikes", "ctx.new_account", "text");
            assertThat(spam(d, "after-signal").getTopSignals().get(0).getContribution())
                    .isCloseTo(0.5 * Math.log(4), within(1e-12));
        }

        @Test
        void shouldSkipAModalityTheItemDoesNotHaveInsteadOfScoringItZero() throws Exception {
            PolicyConfig spam = policy("spam", 1)
                    .setFusionStrategy("weighted_logit")
                    .setFusionWeights(Map.of("text", 1.0, "transcript", 0.8))
                    .setActiveModels(List.of(
                            new ModelVersion("text", "text-spam", "1.0.0"),
                            new ModelVersion("transcript", "text-spam", "1.0.0")))
                    .build();
            var h = harness(Backend.HEAP, List.of(spam));

            decide(h, event("text-only", "u1", 0), textScore("spam", 0.3));
            decide(h, event("both", "u2", 0), textScore("spam", 0.3), score("transcript", "text-spam", "spam", 0.7));

            Map<String, RiskDecision> d = decisions(h);
            // with one modality, no bias and weight 1, weighted_logit gives back its score; a transcript
            // scored 0 would instead pull the risk to σ(logit(0.3) + 0.8·logit(1e-6)) ≈ 1e-5
            assertThat(spam(d, "text-only").getModalityScores()).containsOnlyKeys("text");
            assertThat(spam(d, "text-only").getFusedRisk()).isCloseTo(0.3, within(1e-12));
            assertThat(spam(d, "both").getModalityScores()).containsOnlyKeys("text", "transcript");
            assertThat(spam(d, "both").getFusedRisk()).isCloseTo(sigmoid(logit(0.3) + 0.8 * logit(0.7)), within(1e-12));
        }

        @Test
        void shouldLeaveOutAPolicyWithNoScoredModality() throws Exception {
            PolicyConfig spam = policy("spam", 1).build();
            PolicyConfig nudity = policy("nudity", 1)
                    .setActiveModels(List.of(new ModelVersion("image", "image-safety", "1.0.0")))
                    .build();
            PolicyConfig videoOnly =
                    policy("clips", 1).setSurfaces(List.of("video")).build();
            var h = harness(Backend.HEAP, List.of(spam, nudity, videoOnly));

            // the item has text only; "clips" would have a text score but does not apply to comments
            decide(h, event("c1", "u1", 0), textScore("spam", 0.2), textScore("clips", 0.2));

            RiskDecision d = decisions(h).get("c1");
            assertThat(d.getPolicies()).extracting(PolicyDecision::getPolicyId).containsExactly("spam");
            assertThat(d.getConfigVersions()).containsOnlyKeys("spam");
            assertThat(d.getModelVersions()).containsExactly(new ModelVersion("text", "text-spam", "1.0.0"));
        }

        @Test
        void shouldFuseWithMaxAndNoisyOrStrategies() throws Exception {
            PolicyConfig nudity = policy("nudity", 1)
                    .setFusionStrategy("max")
                    .setFusionWeights(Map.of("image", 0.9, "video", 0.5))
                    .setActiveModels(List.of(
                            new ModelVersion("image", "image-safety", "1.0.0"),
                            new ModelVersion("video", "video-safety", "1.0.0")))
                    .build();
            PolicyConfig violence = policy("violence", 1)
                    .setFusionStrategy("noisy_or")
                    .setFusionWeights(Map.of("image", 1.0, "audio", 0.5))
                    .setActiveModels(List.of(
                            new ModelVersion("image", "image-safety", "1.0.0"),
                            new ModelVersion("audio", "audio-safety", "1.0.0")))
                    .build();
            var h = harness(Backend.HEAP, List.of(nudity, violence));

            decide(
                    h,
                    event("c1", "u1", 0),
                    score("image", "image-safety", "nudity", 0.6),
                    score("video", "video-safety", "nudity", 0.8),
                    score("image", "image-safety", "violence", 0.3),
                    score("audio", "audio-safety", "violence", 0.6));

            RiskDecision d = decisions(h).get("c1");
            // max of w·s: image 0.9·0.6 = 0.54 beats video 0.5·0.8 = 0.40
            assertThat(policyOf(d, "nudity").getFusedRisk()).isCloseTo(0.54, within(1e-12));
            // noisy-or of w·s: 1 − (1 − 0.3)(1 − 0.5·0.6)
            assertThat(policyOf(d, "violence").getFusedRisk()).isCloseTo(1 - 0.7 * 0.7, within(1e-12));
            assertThat(policyOf(d, "violence").getBand()).isEqualTo("REVIEW");
        }
    }

    // ------------------------------------------------------------------------------------------ bands

    @Nested
    class BandsAndOutputs {

        @Test
        void shouldBandPublishedItemsWithInclusiveThresholds() throws Exception {
            var h = harness(Backend.HEAP, List.of(policy("spam", 3).build()));

            decide(h, event("below-review", "u1", 0), textScore("spam", 0.4999));
            decide(h, event("at-review", "u2", 0), textScore("spam", 0.5));
            decide(h, event("below-action", "u3", 0), textScore("spam", 0.8999));
            decide(h, event("at-action", "u4", 0), textScore("spam", 0.9));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(spam(d, "below-review").getBand()).isEqualTo("ALLOW");
            assertThat(spam(d, "at-review").getBand()).isEqualTo("REVIEW");
            assertThat(spam(d, "below-action").getBand()).isEqualTo("REVIEW");
            assertThat(spam(d, "at-action").getBand()).isEqualTo("ACTION");
            assertThat(spam(d, "at-review").getPropensity()).isEqualTo(1.0);
            assertThat(spam(d, "at-action").getReviewThreshold()).isEqualTo(0.5);
            assertThat(spam(d, "at-action").getActionThreshold()).isEqualTo(0.9);
            assertThat(d.values()).allSatisfy(decision -> {
                assertThat(decision.getConfigVersions()).containsExactly(Map.entry("spam", 3L));
                assertThat(decision.getDecidedAtMillis()).isEqualTo(NOW);
                assertThat(decision.getLate()).isFalse();
            });

            // items needing review leave as candidates for the router, the others directly
            assertThat(mainOutputIds(h)).containsExactly("at-action", "below-review");
            assertThat(candidates(h))
                    .extracting(c -> c.getDecision().getContentId())
                    .containsExactly("at-review", "below-action");
            assertThat(h.sideOutputValues(DetectionState.ACTIONS))
                    .singleElement()
                    .satisfies(a -> {
                        assertThat(a.getContentId()).isEqualTo("at-action");
                        assertThat(a.getAction()).isEqualTo("REMOVE");
                        assertThat(a.getPolicyId()).isEqualTo("spam");
                        assertThat(a.getScore()).isEqualTo(0.9);
                        assertThat(a.getConfigVersion()).isEqualTo(3L);
                        assertThat(a.getModelVersions())
                                .containsExactly(new ModelVersion("text", "text-spam", "1.0.0"));
                        assertThat(a.getEventTimeMillis()).isEqualTo(T0);
                        assertThat(a.getDecidedAtMillis()).isEqualTo(NOW);
                    });
            assertThat(metrics.count("policy.spam.band.REVIEW.decisions")).isEqualTo(2);
            assertThat(metrics.count("policy.spam.band.ALLOW.decisions")).isEqualTo(1);
            assertThat(metrics.count("policy.spam.band.ACTION.decisions")).isEqualTo(1);
        }

        @Test
        void shouldHoldOrBlockPrePublishItemsAndTellThePlatform() throws Exception {
            var h = harness(
                    Backend.HEAP,
                    List.of(policy("spam", 1).setAutoAction("LIMIT").build()));

            decide(h, prePublish("allow", "u1", 0), textScore("spam", 0.1));
            decide(h, prePublish("hold", "u2", 0), textScore("spam", 0.5));
            decide(h, prePublish("block", "u3", 0), textScore("spam", 0.9));
            decide(h, event("published-action", "u4", 0), textScore("spam", 0.95));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(spam(d, "allow").getBand()).isEqualTo("ALLOW");
            assertThat(spam(d, "hold").getBand()).isEqualTo("HOLD");
            assertThat(spam(d, "block").getBand()).isEqualTo("BLOCK");
            assertThat(d.get("hold").getPrePublish()).isTrue();
            assertThat(candidates(h))
                    .extracting(c -> c.getDecision().getContentId())
                    .containsExactly("hold");
            assertThat(h.sideOutputValues(DetectionState.ACTIONS))
                    .extracting(a -> a.getContentId() + ":" + a.getAction())
                    // one per item; across users, items of equal event time come out in timer order
                    .containsExactlyInAnyOrder(
                            "hold:HOLD_PREPUBLISH", "block:BLOCK_PREPUBLISH", "published-action:LIMIT");
        }

        @Test
        void shouldPutTheHighestPriorityPolicyFirstAndKeepEveryReason() throws Exception {
            PolicyConfig alpha = policy("alpha", 4).setSeverity(1.0).build();
            PolicyConfig beta = policy("beta", 7)
                    .setSeverity(5.0)
                    .setReviewQueues(List.of(queue("beta-fr", List.of("fr"), 3), queue("beta-en", List.of("en"), 7)))
                    .build();
            PolicyConfig gamma = policy("gamma", 2)
                    .setSeverity(2.0)
                    .setAuditSampleRateAllow(1.0)
                    .build();
            var h = harness(Backend.HEAP, List.of(alpha, beta, gamma));

            decide(h, event("c1", "u1", 0), textScore("alpha", 0.6), textScore("beta", 0.6), textScore("gamma", 0.1));

            assertThat(h.extractOutputValues()).isEmpty();
            ReviewCandidate candidate = candidates(h).get(0);
            assertThat(candidates(h)).hasSize(1);
            // priority = severity × ln(1 + reach) × (1 − |2·risk − 1|); reach 100
            double reach = Math.log(101);
            assertThat(candidate.getPriority()).isCloseTo(5.0 * reach * 0.8, within(1e-12));
            assertThat(5.0 * reach * 0.8).isGreaterThan(1.0 * reach * 0.8).isGreaterThan(2.0 * reach * 0.2);
            // the winner's queue for en-GB, with that queue's capacity and SLA
            assertThat(candidate.getQueue()).isEqualTo("beta-en");
            assertThat(candidate.getCapacityPerMinute()).isEqualTo(7);
            assertThat(candidate.getSlaMillis()).isEqualTo(3_600_000L);
            assertThat(candidate.getReasons())
                    .extracting(r -> r.getPolicyId() + ":" + r.getBand() + ":" + r.getReason() + ":" + r.getPropensity()
                            + ":v" + r.getConfigVersion())
                    .containsExactly(
                            "beta:REVIEW:THRESHOLD:1.0:v7",
                            "alpha:REVIEW:THRESHOLD:1.0:v4",
                            "gamma:ALLOW:AUDIT_ALLOW:1.0:v2");
            assertThat(candidate.getReasons())
                    .extracting(ReviewReason::getScore)
                    .containsExactly(0.6, 0.6, 0.1);
        }

        @Test
        void shouldBreakAPriorityTieByPolicyId() throws Exception {
            var h = harness(
                    Backend.HEAP,
                    List.of(policy("zeta", 1).build(), policy("eta", 1).build()));

            decide(h, event("c1", "u1", 0), textScore("zeta", 0.7), textScore("eta", 0.7));

            ReviewCandidate candidate = candidates(h).get(0);
            assertThat(candidate.getQueue()).isEqualTo("eta-en");
            assertThat(candidate.getReasons())
                    .extracting(ReviewReason::getPolicyId)
                    .containsExactly("eta", "zeta");
        }
    }

    // ------------------------------------------------------------------------------------------ windowed risk

    @Nested
    class WindowedRisk {

        private PolicyConfig escalatingAt045() {
            return policy("spam", 1).setEscalationThreshold(0.45).build();
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldEscalateAnAllowedItemWhenTheUsersMeanRiskReachesTheThreshold(Backend backend) throws Exception {
            var h = harness(backend, List.of(escalatingAt045()));

            decide(h, event("first", "u1", 10 * SECOND), textScore("spam", 0.48));
            decide(h, event("second", "u1", 20 * SECOND), textScore("spam", 0.46));
            decide(h, event("third", "u1", 30 * SECOND), textScore("spam", 0.2));
            decide(h, event("fourth", "u1", 40 * SECOND), textScore("spam", 0.7));
            decide(h, event("other-user", "u2", 45 * SECOND), textScore("spam", 0.46));

            Map<String, RiskDecision> d = decisions(h);
            // one item alone never escalates itself
            assertThat(spam(d, "first").getBand()).isEqualTo("ALLOW");
            assertThat(spam(d, "first").getUserRisk().getItemCount()).isEqualTo(1);
            // mean (0.48 + 0.46) / 2 = 0.47 ≥ 0.45: the ALLOW-risk item goes to review as escalated
            PolicyDecision second = spam(d, "second");
            assertThat(second.getBand()).isEqualTo("REVIEW");
            assertThat(second.getEscalated()).isTrue();
            assertThat(second.getUserRisk().getItemCount()).isEqualTo(2);
            assertThat(second.getUserRisk().getMeanRisk()).isCloseTo(0.47, within(1e-12));
            assertThat(second.getUserRisk().getMaxRisk()).isEqualTo(0.48);
            // mean (0.48 + 0.46 + 0.2) / 3 = 0.38: back to ALLOW
            assertThat(spam(d, "third").getBand()).isEqualTo("ALLOW");
            assertThat(spam(d, "third").getEscalated()).isFalse();
            assertThat(spam(d, "third").getUserRisk().getMeanRisk()).isCloseTo(0.38, within(1e-12));
            // in the review band on its own: REVIEW by threshold, not "escalated"; it is borderline
            assertThat(spam(d, "fourth").getBand()).isEqualTo("REVIEW");
            assertThat(spam(d, "fourth").getEscalated()).isFalse();
            assertThat(spam(d, "fourth").getUserRisk().getBorderlineCount()).isEqualTo(1);
            assertThat(spam(d, "fourth").getUserRisk().getItemCount()).isEqualTo(4);
            // another user's window is separate
            assertThat(spam(d, "other-user").getBand()).isEqualTo("ALLOW");
            assertThat(spam(d, "other-user").getUserRisk().getItemCount()).isEqualTo(1);

            Map<String, String> reasons = new LinkedHashMap<>();
            candidates(h)
                    .forEach(c -> reasons.put(
                            c.getDecision().getContentId(),
                            c.getReasons().get(0).getReason()));
            assertThat(reasons).containsExactly(Map.entry("second", "ESCALATION"), Map.entry("fourth", "THRESHOLD"));
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldNotCountItemsOutsideTheWindow(Backend backend) throws Exception {
            var h = harness(backend, List.of(escalatingAt045()));

            decide(h, event("old", "u1", 0), textScore("spam", 0.48));
            decide(h, event("17-min-later", "u1", 17 * MINUTE), textScore("spam", 0.46));
            decide(h, event("14-min-after-that", "u1", 31 * MINUTE), textScore("spam", 0.46));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(spam(d, "17-min-later").getUserRisk().getItemCount()).isEqualTo(1);
            assertThat(spam(d, "17-min-later").getBand()).isEqualTo("ALLOW");
            // 14 minutes apart: both in one 15-minute window, and they escalate
            assertThat(spam(d, "14-min-after-that").getUserRisk().getItemCount())
                    .isEqualTo(2);
            assertThat(spam(d, "14-min-after-that").getBand()).isEqualTo("REVIEW");
            assertThat(spam(d, "14-min-after-that").getEscalated()).isTrue();
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldDecideALateItemButKeepItOutOfTheWindow(Backend backend) throws Exception {
            var h = harness(backend, List.of(escalatingAt045()));
            h.watermark(T0 + 5 * MINUTE);

            decide(h, event("on-time-1", "u1", 6 * MINUTE), textScore("spam", 0.3));
            decide(h, event("late", "u1", 4 * MINUTE), textScore("spam", 0.85));
            decide(h, event("at-watermark", "u1", 5 * MINUTE), textScore("spam", 0.85));
            decide(h, event("on-time-2", "u1", 7 * MINUTE), textScore("spam", 0.3));

            Map<String, RiskDecision> d = decisions(h);
            // decided on its own risk, flagged late
            assertThat(d.get("late").getLate()).isTrue();
            assertThat(spam(d, "late").getBand()).isEqualTo("REVIEW");
            assertThat(d.get("at-watermark").getLate())
                    .as("event time == watermark is late")
                    .isTrue();
            assertThat(d.get("on-time-1").getLate()).isFalse();
            assertThat(d.get("on-time-2").getLate()).isFalse();
            // had the late items entered the window, its mean would be (0.3 + 0.85 + 0.85 + 0.3) / 4 = 0.575 ≥ 0.45
            PolicyDecision after = spam(d, "on-time-2");
            assertThat(after.getUserRisk().getItemCount()).isEqualTo(2);
            assertThat(after.getUserRisk().getMaxRisk()).isEqualTo(0.3);
            assertThat(after.getBand()).isEqualTo("ALLOW");
            assertThat(metrics.count("lateEvents")).isEqualTo(2);
            // late items register no cleanup timer of their own
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------------------------------ cleanup

    @Nested
    class Cleanup {

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldLeaveOnlyTheUserSignalAndNoTimerOnceTheWindowHasExpired(Backend backend) throws Exception {
            var h = harness(backend, List.of(policy("spam", 1).build()));
            h.processElement(signal(userSignal("with-signal", 400, 0, 0, true)), T0);

            decide(h, event("a1", "with-signal", 10 * SECOND), textScore("spam", 0.2));
            decide(h, event("a2", "with-signal", 3 * MINUTE + SECOND), textScore("spam", 0.2));
            decide(h, event("b1", "no-signal", 30 * SECOND), textScore("spam", 0.2));
            flush(h);

            assertThat(h.keysWithState(PENDING)).isEmpty();
            assertThat(h.keysWithState(WINDOWS)).containsExactly("no-signal", "with-signal");
            assertThat(h.keysWithState(TIMER)).containsExactly("no-signal", "with-signal");
            assertThat(h.keysWithState(DetectionState.USER_SIGNAL)).containsExactly("with-signal");
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            // with-signal's newest item (03:01) is in bucket (03:00, 04:00]: no window ending at or after
            // 04:00 + 15 min contains it, so that is its cleanup time; no-signal's (00:30) is 01:00 + 15 min
            h.watermark(T0 + 16 * MINUTE - 1);
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            h.watermark(T0 + 16 * MINUTE);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.keysWithState(WINDOWS)).containsExactly("with-signal");
            h.watermark(T0 + 19 * MINUTE - 1);
            assertThat(h.keysWithState(WINDOWS)).containsExactly("with-signal");
            h.watermark(T0 + 19 * MINUTE);

            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithState(WINDOWS)).isEmpty();
            assertThat(h.keysWithState(TIMER)).isEmpty();
            // the signal's lifecycle is its TTL (30 days since written), not the user's activity: a
            // user who posts again next week must still be known, so it outlives the window; so do the
            // fingerprints of decided content, for the dedup horizon (their TTL)
            assertThat(h.keysWithState(DetectionState.USER_SIGNAL)).containsExactly("with-signal");
            assertThat(h.keysWithState(DECIDED)).containsExactly("no-signal", "with-signal");
            assertThat(h.keysWithState(PENDING)).isEmpty();
            assertThat(h.extractOutputValues()).hasSize(3); // timers emit nothing
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldForgetTheUserSignalAfterItsTtlAndThenHoldNoStateAtAll(Backend backend) throws Exception {
            var h = harness(backend, List.of(policy("spam", 1).build()));
            h.setStateTtlProcessingTime(0);
            h.processElement(signal(userSignal("u1", 400, 2, 0, false)), T0);

            h.setStateTtlProcessingTime(SIGNAL_TTL.toMillis() - 1);
            decide(h, event("within-ttl", "u1", 0), textScore("spam", 0.2));
            flush(h);
            h.setStateTtlProcessingTime(SIGNAL_TTL.toMillis() + 1);
            decide(h, event("after-ttl", "u1", MINUTE), textScore("spam", 0.2));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(d.get("within-ttl").getContextFeatures()).containsEntry("ctx.unknown_user", 0.0);
            assertThat(d.get("within-ttl").getContextFeatures().get("ctx.prior_strikes"))
                    .isCloseTo(Math.log(3), within(1e-15));
            assertThat(d.get("after-ttl").getContextFeatures())
                    .containsEntry("ctx.unknown_user", 1.0)
                    .containsEntry("ctx.prior_strikes", 0.0);
            // reading the expired signal removed it
            assertThat(h.keysWithState(DetectionState.USER_SIGNAL)).isEmpty();

            h.watermark(T0 + 2 * MINUTE + WINDOW.toMillis());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithState(WINDOWS)).isEmpty();
            assertThat(h.keysWithState(TIMER)).isEmpty();
            assertThat(h.keysWithState(PENDING)).isEmpty();
            // past the dedup horizon the fingerprints are gone too: the same item is decided again
            h.setStateTtlProcessingTime(SIGNAL_TTL.toMillis() + 1 + DEDUP_HORIZON.toMillis() + 1);
            decide(h, event("within-ttl", "u1", 20 * MINUTE), textScore("spam", 0.2));
            flush(h);
            assertThat(h.extractOutputValues())
                    .extracting(RiskDecision::getContentId)
                    .containsExactly("within-ttl", "after-ttl", "within-ttl");
            assertThat(metrics.count("duplicatesDropped")).isZero();
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldKeepOneCleanupTimerPerUserHoweverManyItemsArrive(Backend backend) throws Exception {
            var h = harness(
                    backend, List.of(policy("spam", 1).build(), policy("ham", 1).build()));

            for (int i = 0; i < 300; i++) {
                String user = "user-" + (i % 4);
                // mostly increasing, some out of order by up to a minute (never behind the watermark)
                long offset = i * 2 * SECOND - (i % 7 == 0 ? MINUTE : 0);
                decide(h, event("c" + i, user, Math.max(0, offset)), textScore("spam", 0.1), textScore("ham", 0.1));
                if (i == 150) {
                    h.watermark(T0 + MINUTE);
                }
            }

            assertThat(decisions(h)).hasSize(300);
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            assertThat(h.keysWithState(TIMER)).hasSize(4);

            h.watermark(T0 + 10 * MINUTE + 2 * MINUTE + WINDOW.toMillis());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithState(WINDOWS)).isEmpty();
            assertThat(h.keysWithState(TIMER)).isEmpty();
            assertThat(h.keysWithState(PENDING)).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------ audit sampling

    @Nested
    class AuditSampling {

        @Test
        void shouldSendEveryAllowedAndActionedItemToAuditAtRateOne() throws Exception {
            var h = harness(
                    Backend.HEAP,
                    List.of(policy("spam", 1)
                            .setAuditSampleRateAllow(1.0)
                            .setAuditSampleRateAction(1.0)
                            .build()));

            decide(h, event("allowed", "u1", 0), textScore("spam", 0.1));
            decide(h, event("actioned", "u2", 0), textScore("spam", 0.95));

            assertThat(h.extractOutputValues()).isEmpty();
            Map<String, ReviewCandidate> byId = new LinkedHashMap<>();
            candidates(h).forEach(c -> byId.put(c.getDecision().getContentId(), c));
            assertThat(byId.get("allowed").getReasons()).singleElement().satisfies(r -> {
                assertThat(r.getReason()).isEqualTo("AUDIT_ALLOW");
                assertThat(r.getBand()).isEqualTo("ALLOW");
                assertThat(r.getPropensity()).isEqualTo(1.0);
            });
            PolicyDecision allowed = policyOf(byId.get("allowed").getDecision(), "spam");
            assertThat(allowed.getAuditSampled()).isTrue();
            assertThat(allowed.getPropensity()).isEqualTo(1.0);
            assertThat(allowed.getBand()).isEqualTo("ALLOW");
            assertThat(byId.get("actioned").getReasons())
                    .extracting(ReviewReason::getReason)
                    .containsExactly("AUDIT_ACTION");
            // an audited ACTION item is still actioned
            assertThat(h.sideOutputValues(DetectionState.ACTIONS))
                    .extracting(EnforcementAction::getContentId)
                    .containsExactly("actioned");
        }

        @Test
        void shouldSampleAboutTheRateReproduciblyAndRecordTheRateAsPropensity() throws Exception {
            PolicyConfig spam = policy("spam", 1).setAuditSampleRateAllow(0.3).build();
            int n = 2000;
            Set<String> first = sampledIds(harness(Backend.HEAP, List.of(spam)), n);
            Set<String> replay = sampledIds(harness(Backend.HEAP, List.of(spam)), n);

            double fraction = first.size() / (double) n;
            // binomial sd = sqrt(0.3 · 0.7 / 2000) ≈ 0.010
            assertThat(fraction).isCloseTo(0.3, within(0.035));
            assertThat(replay).isEqualTo(first);
            // the draw is the documented hash of (seed, contentId, "audit:" + policyId)
            DeterministicSampler sampler = new DeterministicSampler(SEED);
            Set<String> expected = new TreeSet<>();
            IntStream.range(0, n)
                    .mapToObj(i -> "item-" + i)
                    .filter(id -> sampler.sampled(id, "audit:spam", 0.3))
                    .forEach(expected::add);
            assertThat(first).isEqualTo(expected);
        }

        private Set<String> sampledIds(KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h, int n)
                throws Exception {
            for (int i = 0; i < n; i++) {
                decide(h, event("item-" + i, "user-" + (i % 50), i * 100L), textScore("spam", 0.1));
            }
            Map<String, RiskDecision> all = decisions(h);
            assertThat(all).hasSize(n);
            Set<String> sampled = new TreeSet<>();
            for (RiskDecision d : all.values()) {
                PolicyDecision p = policyOf(d, "spam");
                assertThat(p.getBand()).isEqualTo("ALLOW");
                assertThat(p.getPropensity())
                        .as("propensity = the audit rate, sampled or not")
                        .isEqualTo(0.3);
                if (p.getAuditSampled()) {
                    sampled.add(d.getContentId());
                }
            }
            Set<String> candidateIds = new TreeSet<>();
            for (ReviewCandidate c : candidates(h)) {
                candidateIds.add(c.getDecision().getContentId());
                assertThat(c.getReasons())
                        .singleElement()
                        .satisfies(r -> assertThat(r.getReason() + ":" + r.getPropensity())
                                .isEqualTo("AUDIT_ALLOW:0.3"));
            }
            assertThat(candidateIds).isEqualTo(sampled);
            assertThat(mainOutputIds(h)).doesNotContainAnyElementsOf(sampled).hasSize(n - sampled.size());
            return sampled;
        }
    }

    // ------------------------------------------------------------------------------------------ policy config

    @Nested
    class PolicyConfigs {

        private final PolicyConfig v1 = policy("spam", 1).build();

        @Test
        void shouldApplyAnAcceptedConfigToItemsDecidedAfterIt() throws Exception {
            var h = harness(Backend.HEAP, List.of(v1));
            PolicyConfig v2 = policy("spam", 2)
                    .setReviewThreshold(0.3)
                    .setActionThreshold(0.8)
                    .build();

            decide(h, event("before", "u1", 0), textScore("spam", 0.35));
            flush(h);
            h.processBroadcastElement(v2, T0);
            decide(h, event("after", "u2", 10 * SECOND), textScore("spam", 0.35));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(spam(d, "before").getBand()).isEqualTo("ALLOW");
            assertThat(d.get("before").getConfigVersions()).containsEntry("spam", 1L);
            assertThat(spam(d, "after").getBand()).isEqualTo("REVIEW");
            assertThat(spam(d, "after").getReviewThreshold()).isEqualTo(0.3);
            assertThat(spam(d, "after").getActionThreshold()).isEqualTo(0.8);
            assertThat(d.get("after").getConfigVersions()).containsEntry("spam", 2L);
            assertThat(h.getBroadcastState(DetectionState.POLICY_CONFIGS).get("spam"))
                    .isEqualTo(v2);
        }

        @Test
        void shouldDecideAWaitingItemWithTheConfigInForceWhenTheWatermarkPassesIt() throws Exception {
            var h = harness(Backend.HEAP, List.of(v1));
            PolicyConfig v2 = policy("spam", 2).setReviewThreshold(0.3).build();

            decide(h, event("waiting", "u1", 0), textScore("spam", 0.35));
            h.processBroadcastElement(v2, T0);

            assertThat(spam(decisions(h), "waiting").getBand())
                    .as("decided under v2, in force when it was decided")
                    .isEqualTo("REVIEW");
        }

        @Test
        void shouldKeepTheNewestVersionWhenAStaleOneIsBroadcast() throws Exception {
            var h = harness(Backend.HEAP, List.of(v1));
            PolicyConfig v2 = policy("spam", 2).setReviewThreshold(0.3).build();

            h.processBroadcastElement(v2, T0);
            h.processBroadcastElement(policy("spam", 2).setReviewThreshold(0.1).build(), T0);
            h.processBroadcastElement(policy("spam", 1).setReviewThreshold(0.2).build(), T0);
            decide(h, event("after", "u1", 0), textScore("spam", 0.25));

            PolicyDecision after = spam(decisions(h), "after");
            assertThat(after.getReviewThreshold()).isEqualTo(0.3);
            assertThat(after.getBand()).isEqualTo("ALLOW");
            assertThat(h.getBroadcastState(DetectionState.POLICY_CONFIGS).get("spam"))
                    .isEqualTo(v2);
        }

        @Test
        void shouldApplyConfigsOnEverySubtask() throws Exception {
            PolicyConfig v2 = policy("spam", 2).setReviewThreshold(0.3).build();
            var subtask0 = harness(Backend.HEAP, List.of(v1), 2, 0, null);
            subtask0.processBroadcastElement(v2, T0);
            var subtask1 = harness(Backend.HEAP, List.of(v1), 2, 1, null);
            subtask1.processBroadcastElement(v2, T0);
            String userOfSubtask1 = IntStream.range(0, 1000)
                    .mapToObj(i -> "user-" + i)
                    .filter(u -> KeyGroupRangeAssignment.assignToKeyGroup(u, Harnesses.MAX_PARALLELISM)
                            >= Harnesses.MAX_PARALLELISM / 2)
                    .findFirst()
                    .orElseThrow();
            decide(subtask1, event("c1", userOfSubtask1, 0), textScore("spam", 0.35));

            RiskDecision decided = decisions(subtask1).get("c1");
            assertThat(decided.getConfigVersions()).containsEntry("spam", 2L);
            assertThat(policyOf(decided, "spam").getBand()).isEqualTo("REVIEW");
            assertThat(subtask0.getBroadcastState(DetectionState.POLICY_CONFIGS).get("spam"))
                    .isEqualTo(v2);
        }

        @Test
        void shouldAddAPolicyThatHasNoDefault() throws Exception {
            var h = harness(Backend.HEAP, List.of(v1));
            h.processBroadcastElement(policy("scam", 1).build(), T0);

            decide(h, event("c1", "u1", 0), textScore("spam", 0.1), textScore("scam", 0.95));

            RiskDecision d = decisions(h).get("c1");
            assertThat(d.getConfigVersions()).containsOnlyKeys("scam", "spam");
            assertThat(policyOf(d, "scam").getBand()).isEqualTo("ACTION");
        }

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldKeepAcceptedConfigsUserStateAndWaitingItemsAcrossSnapshotAndRestore(Backend backend)
                throws Exception {
            PolicyConfig v2 = policy("spam", 2)
                    .setReviewThreshold(0.4)
                    .setActionThreshold(0.7)
                    .build();
            var before = harness(backend, List.of(v1));
            before.processBroadcastElement(v2, T0);
            before.processElement(signal(userSignal("u1", 3, 1, 0, false)), T0);
            decide(before, event("before", "u1", 10 * SECOND), textScore("spam", 0.35));
            flush(before);
            decide(before, event("waiting", "u1", 15 * SECOND), textScore("spam", 0.2));
            OperatorSubtaskState snapshot = before.snapshot(1L, NOW);
            before.close();
            opened.remove(before);

            var after = harness(backend, List.of(v1), 1, 0, snapshot);
            decide(after, event("after", "u1", 20 * SECOND), textScore("spam", 0.45));

            Map<String, RiskDecision> decided = decisions(after);
            assertThat(decided).containsOnlyKeys("waiting", "after");
            RiskDecision d = decided.get("after");
            // v2 restored: 0.45 is in its review band (under the default v1 it would be ALLOW)
            assertThat(d.getConfigVersions()).containsEntry("spam", 2L);
            assertThat(policyOf(d, "spam").getBand()).isEqualTo("REVIEW");
            // the window kept the item decided before the snapshot and the one waiting in it; the signal survived too
            assertThat(policyOf(decided.get("waiting"), "spam").getUserRisk().getItemCount())
                    .isEqualTo(2);
            assertThat(policyOf(d, "spam").getUserRisk().getItemCount()).isEqualTo(3);
            assertThat(d.getContextFeatures().get("ctx.prior_strikes")).isCloseTo(Math.log(2), within(1e-15));
            // the cleanup timer survived and still empties the window
            assertThat(after.numEventTimeTimers()).isEqualTo(1);
            after.watermark(T0 + MINUTE + WINDOW.toMillis());
            assertThat(after.numEventTimeTimers()).isZero();
            assertThat(after.keysWithState(WINDOWS)).isEmpty();
            assertThat(after.keysWithState(DetectionState.USER_SIGNAL)).containsExactly("u1");
        }
    }

    // ------------------------------------------------------------------------------------------ hostile input (issue
    // 7)

    /** As {@link DetectionFixtures#scored}, with scoring problems. */
    private void decideWithProblems(
            KeyedBroadcastHarness<String, UserInput, PolicyConfig, RiskDecision> h,
            ContentEvent event,
            List<ScoringProblem> problems,
            ModelScore... scores)
            throws Exception {
        UserInput input = scored(event, scores);
        input.getContent().setProblems(problems);
        h.processElement(input, event.getEventTimeMillis());
        newestEventTime = Math.max(newestEventTime, event.getEventTimeMillis());
    }

    @Nested
    class FailSafe {

        @Test
        void shouldSendAPolicyWhoseOnlyModalityCouldNotBeScoredToReviewInsteadOfLeavingItOut() throws Exception {
            var h = harness(Backend.HEAP, List.of(policy("spam", 1).build()));
            ScoringProblem notLoaded = new ScoringProblem("text", "text-spam", "model text-spam:9.9.9 is not loaded");

            decideWithProblems(h, event("published", "u1", 0), List.of(notLoaded));
            decideWithProblems(h, prePublish("awaiting", "u2", 0), List.of(notLoaded));

            Map<String, RiskDecision> d = decisions(h);
            PolicyDecision published = spam(d, "published");
            assertThat(published.getBand()).isEqualTo("REVIEW");
            assertThat(published.getScoringProblems()).containsExactly("model text-spam:9.9.9 is not loaded");
            assertThat(published.getModalityScores()).isEmpty();
            assertThat(published.getFusedRisk())
                    .as("the review threshold stands in")
                    .isEqualTo(0.5);
            assertThat(published.getUserRisk().getItemCount())
                    .as("a stand-in risk never enters the window")
                    .isZero();
            assertThat(spam(d, "awaiting").getBand()).isEqualTo("HOLD");
            assertThat(candidates(h))
                    .extracting(c -> c.getDecision().getContentId() + ":"
                            + c.getReasons().get(0).getReason())
                    .containsExactlyInAnyOrder("published:FAIL_SAFE", "awaiting:FAIL_SAFE");
            assertThat(h.sideOutputValues(DetectionState.ACTIONS))
                    .extracting(EnforcementAction::getAction)
                    .containsExactly("HOLD_PREPUBLISH");
            assertThat(metrics.count("policy.spam.failSafeDecisions")).isEqualTo(2);
        }

        @Test
        void shouldDecideOnTheModalitiesThatScoredButNeverAllowAnItemWithAnUnscoredOne() throws Exception {
            PolicyConfig multimodal = policy("hate", 1)
                    .setActiveModels(List.of(
                            new ModelVersion("text", "text-spam", "1.0.0"),
                            new ModelVersion("audio", "audio-safety", "1.0.0")))
                    .build();
            var h = harness(Backend.HEAP, List.of(multimodal));
            ScoringProblem badEmbedding = new ScoringProblem(
                    "audio", "audio-safety", "audio embedding has 3 dimensions, model audio-safety:1.0.0 expects 512");
            ScoringProblem otherModel =
                    new ScoringProblem("image", "image-safety", "image embedding has NaN or infinite values");

            decideWithProblems(h, event("text-ok-audio-bad", "u1", 0), List.of(badEmbedding), textScore("hate", 0.1));
            decideWithProblems(h, event("problem-elsewhere", "u2", 0), List.of(otherModel), textScore("hate", 0.1));

            Map<String, RiskDecision> d = decisions(h);
            PolicyDecision raised = policyOf(d.get("text-ok-audio-bad"), "hate");
            assertThat(raised.getModalityScores()).containsExactly(Map.entry("text", 0.1));
            assertThat(raised.getFusedRisk()).isEqualTo(0.1);
            assertThat(raised.getBand())
                    .as("ALLOW by text alone, but audio was not looked at")
                    .isEqualTo("REVIEW");
            assertThat(raised.getScoringProblems()).containsExactly(badEmbedding.getReason());
            assertThat(raised.getUserRisk().getItemCount())
                    .as("the text risk is a model's: it counts")
                    .isEqualTo(1);
            // a problem with a model this policy does not use changes nothing for it
            PolicyDecision untouched = policyOf(d.get("problem-elsewhere"), "hate");
            assertThat(untouched.getBand()).isEqualTo("ALLOW");
            assertThat(untouched.getScoringProblems()).isEmpty();
        }
    }

    @Nested
    class Duplicates {

        @ParameterizedTest
        @EnumSource(Backend.class)
        void shouldDecideAContentIdOnceButDecideAnEditAgain(Backend backend) throws Exception {
            var h = harness(backend, List.of(policy("spam", 1).build()));
            ContentEvent original = event("c1", "u1", 0);

            decide(h, original, textScore("spam", 0.6));
            decide(h, original, textScore("spam", 0.6)); // redelivered before the first was decided
            flush(h);
            decide(h, event("c1", "u1", 10 * SECOND), textScore("spam", 0.6)); // redelivered later, re-stamped
            ContentEvent edited = ContentEvent.newBuilder(original)
                    .setEventTimeMillis(T0 + 20 * SECOND)
                    .setText("some text, edited")
                    .build();
            decide(h, edited, textScore("spam", 0.95));

            flush(h);
            List<RiskDecision> all = new ArrayList<>(h.extractOutputValues());
            candidates(h).forEach(c -> all.add(c.getDecision()));
            all.sort(Comparator.comparingLong(RiskDecision::getEventTimeMillis));
            assertThat(all).extracting(RiskDecision::getContentId).containsExactly("c1", "c1");
            assertThat(all).extracting(r -> policyOf(r, "spam").getFusedRisk()).containsExactly(0.6, 0.95);
            assertThat(metrics.count("duplicatesDropped")).isEqualTo(2);
            assertThat(metrics.count("editsDecided")).isEqualTo(1);
            // the duplicates did not count in the window: the edit sees the original and itself
            assertThat(policyOf(all.get(1), "spam").getUserRisk().getItemCount())
                    .isEqualTo(2);
        }
    }

    @Nested
    class EventTimeOrder {

        private List<ContentEvent> items() {
            List<ContentEvent> items = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // three at each second: equal event times too
                items.add(event("c" + i, "u1", (i / 3) * SECOND));
            }
            return items;
        }

        private String decideInOrder(List<ContentEvent> order) throws Exception {
            newestEventTime = Long.MIN_VALUE;
            var h = harness(
                    Backend.ROCKSDB,
                    List.of(policy("spam", 1).setEscalationThreshold(0.45).build()));
            for (ContentEvent e : order) {
                int i = Integer.parseInt(e.getContentId().substring(1));
                decide(h, e, textScore("spam", i % 4 == 0 ? 0.7 : 0.3));
            }
            StringBuilder out = new StringBuilder();
            decisions(h).values().stream()
                    .sorted(Comparator.comparing(RiskDecision::getContentId))
                    .forEach(d -> out.append(RiskDecision.newBuilder(d)
                                    .setDecidedAtMillis(0)
                                    .build())
                            .append('\n'));
            return out.toString();
        }

        @Test
        void shouldDecideTheSameItemsIdenticallyWhateverOrderTheyArriveIn() throws Exception {
            List<ContentEvent> inOrder = items();
            List<ContentEvent> reversed = new ArrayList<>(inOrder);
            Collections.reverse(reversed);
            List<ContentEvent> shuffled = new ArrayList<>(inOrder);
            Collections.shuffle(shuffled, new Random(7));

            String expected = decideInOrder(inOrder);
            assertThat(expected).contains("c11").contains("\"band\": \"REVIEW\"");
            assertThat(decideInOrder(reversed)).isEqualTo(expected);
            assertThat(decideInOrder(shuffled)).isEqualTo(expected);
        }

        @Test
        void shouldReadOnlyWhatPrecedesAnItemInEventTime() throws Exception {
            var h = harness(Backend.HEAP, List.of(policy("spam", 1).build()));
            // the later item arrives first; both fall in the same one-minute bucket
            decide(h, event("later", "u1", 50 * SECOND), textScore("spam", 0.9));
            decide(h, event("earlier", "u1", 10 * SECOND), textScore("spam", 0.2));

            Map<String, RiskDecision> d = decisions(h);
            assertThat(spam(d, "earlier").getUserRisk().getItemCount()).isEqualTo(1);
            assertThat(spam(d, "earlier").getUserRisk().getMaxRisk()).isEqualTo(0.2);
            assertThat(spam(d, "later").getUserRisk().getItemCount()).isEqualTo(2);
        }

        @Test
        void shouldKeepAFarFutureItemWaitingWithoutHarmingTheUsersOtherItems() throws Exception {
            var h = harness(Backend.HEAP, List.of(policy("spam", 1).build()));
            long year3000 = 32_503_680_000_000L;
            h.processElement(scored(event("from-3000", "u1", year3000 - T0), textScore("spam", 0.9)), year3000);
            for (int i = 0; i < 5; i++) {
                decide(h, event("normal-" + i, "u1", i * MINUTE), textScore("spam", 0.3));
            }

            Map<String, RiskDecision> d = decisions(h);
            assertThat(d).containsOnlyKeys("normal-0", "normal-1", "normal-2", "normal-3", "normal-4");
            assertThat(d.values()).noneMatch(RiskDecision::getLate);
            assertThat(spam(d, "normal-4").getUserRisk().getItemCount()).isEqualTo(5);
            assertThat(metrics.count("lateEvents")).isZero();
        }
    }
}
