package io.moderato.jobs.detection;

import static io.moderato.jobs.testing.DetectionFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.jobs.internal.ReviewCandidate;
import io.moderato.jobs.testing.Harnesses;
import io.moderato.jobs.testing.Harnesses.Backend;
import io.moderato.jobs.testing.OperatorMetrics;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.WindowedUserRisk;
import io.moderato.udfs.decision.Admission;
import io.moderato.udfs.decision.CapacityLimiter;
import io.moderato.udfs.decision.DeterministicSampler;
import io.moderato.udfs.decision.ReviewAdmission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The RouteReviewFunction in a keyed harness (key = review queue) on RocksDB with generic types
 * disabled. Candidates are built by hand; admission probabilities are computed here from the
 * documented capacity rule (in the first event-time minute with equal priorities the k-th arrival
 * has p = min(1, capacity / k)), and the draw is the documented hash of (seed, contentId,
 * "capacity:" + queue).
 */
class RouteReviewFunctionTest {

    private static final long SEED = 20_251_124L;
    private static final long DECIDED_AT = T0 + 3_600_000L;
    private static final long SLA = 86_400_000L;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private OperatorMetrics metrics;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ReviewCandidate, RiskDecision> harness(Backend backend)
            throws Exception {
        metrics = new OperatorMetrics();
        MockEnvironment env = Harnesses.environment(1, 0, metrics);
        opened.add(env);
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RouteReviewFunction(SEED)),
                ReviewCandidate::getQueue,
                Types.STRING,
                env);
        opened.add(0, harness);
        harness.setStateBackend(backend.create());
        harness.open();
        return harness;
    }

    // ------------------------------------------------------------------------------------------ inputs

    private static ReviewReason reason(String policyId, String band, String why, double propensity) {
        return new ReviewReason(policyId, band, why, 0.6, propensity, 3L);
    }

    private static PolicyDecision policyDecision(String policyId, String band, double propensity) {
        return PolicyDecision.newBuilder()
                .setPolicyId(policyId)
                .setModalityScores(Map.of("text", 0.6))
                .setFusedRisk(0.6)
                .setUserRisk(new WindowedUserRisk(0.6, 0.6, 1, 1))
                .setBand(band)
                .setEscalated(false)
                .setActionThreshold(0.9)
                .setReviewThreshold(0.5)
                .setEscalationThreshold(0.6)
                .setTopSignals(List.of())
                .setAuditSampled(band.equals("ALLOW") && propensity > 0)
                .setPropensity(propensity)
                .setShadowScores(List.of())
                .build();
    }

    /**
     * A candidate whose decision has one policy decision per reason (same band and propensity) and
     * a bystander policy that did not ask for review (ALLOW, audit rate 0.01, not sampled).
     */
    private static ReviewCandidate candidate(
            String contentId, long eventTime, String queue, double priority, int capacity, ReviewReason... reasons) {
        List<PolicyDecision> policies = new ArrayList<>();
        for (ReviewReason r : reasons) {
            policies.add(policyDecision(r.getPolicyId(), r.getBand(), r.getPropensity()));
        }
        policies.add(PolicyDecision.newBuilder(policyDecision("bystander", "ALLOW", 0.01))
                .setAuditSampled(false)
                .build());
        RiskDecision decision = RiskDecision.newBuilder()
                .setContentId(contentId)
                .setUserId("user-" + contentId)
                .setSurface("comment")
                .setLocale("en-GB")
                .setReachEstimate(100)
                .setEventTimeMillis(eventTime)
                .setDecidedAtMillis(DECIDED_AT)
                .setPrePublish(false)
                .setLate(false)
                .setPolicies(policies)
                .setModelVersions(List.of())
                .setConfigVersions(Map.of("bystander", 1L))
                .setContextFeatures(Map.of())
                .setFeatures(List.of())
                .build();
        return ReviewCandidate.newBuilder()
                .setDecision(decision)
                .setQueue(queue)
                .setPriority(priority)
                .setCapacityPerMinute(capacity)
                .setSlaMillis(SLA)
                .setReasons(Arrays.asList(reasons))
                .build();
    }

    private static ReviewReason threshold(String policyId) {
        return reason(policyId, "REVIEW", "THRESHOLD", 1.0);
    }

    private static void process(
            KeyedOneInputStreamOperatorTestHarness<String, ReviewCandidate, RiskDecision> h, ReviewCandidate c)
            throws Exception {
        // deep copy: the function may scale propensities of the decision it is given
        ReviewCandidate copy = ReviewCandidate.newBuilder(c).build();
        long eventTime = c.getDecision().getEventTimeMillis();
        h.processElement(new StreamRecord<>(copy, eventTime));
        // candidates wait for the watermark; these arrive in event-time order, so let each through at once
        h.processWatermark(eventTime);
    }

    private static Map<String, ReviewTask> tasks(
            KeyedOneInputStreamOperatorTestHarness<String, ReviewCandidate, RiskDecision> h) {
        Map<String, ReviewTask> byId = new LinkedHashMap<>();
        var out = h.getSideOutput(DetectionState.REVIEW_TASKS);
        if (out != null) {
            out.forEach(r -> byId.put(r.getValue().getContentId(), r.getValue()));
        }
        return byId;
    }

    private static Map<String, RiskDecision> decisions(
            KeyedOneInputStreamOperatorTestHarness<String, ReviewCandidate, RiskDecision> h) {
        Map<String, RiskDecision> byId = new LinkedHashMap<>();
        h.extractOutputValues().forEach(d -> byId.put(d.getContentId(), d));
        return byId;
    }

    private static PolicyDecision policyOf(RiskDecision d, String policyId) {
        return d.getPolicies().stream()
                .filter(p -> p.getPolicyId().equals(policyId))
                .findFirst()
                .orElseThrow();
    }

    private static double draw(String contentId, String queue) {
        return new DeterministicSampler(SEED).uniform(contentId, "capacity:" + queue);
    }

    /** 200 candidates of equal priority in the first event-time minute of a queue of capacity 10. */
    private static List<ReviewCandidate> burst(ReviewReason... reasons) {
        List<ReviewCandidate> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            burst.add(candidate("c" + i, T0 + i * 250L, "spam-en", 2.0, 10, reasons));
        }
        return burst;
    }

    // ------------------------------------------------------------------------------------------ tests

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldTurnEveryCandidateIntoATaskWithPropensityOneUnderCapacity(Backend backend) throws Exception {
        var h = harness(backend);
        List<ReviewCandidate> input = List.of(
                candidate("c1", T0, "spam-en", 3.5, 10, threshold("spam")),
                candidate(
                        "c2",
                        T0 + 1_000,
                        "spam-en",
                        1.0,
                        10,
                        threshold("spam"),
                        reason("nudity", "ALLOW", "AUDIT_ALLOW", 0.3)),
                candidate(
                        "c3",
                        T0 + 2_000,
                        "spam-en",
                        1.0,
                        10,
                        reason("spam", "ALLOW", "AUDIT_ALLOW", 0.3),
                        reason("nudity", "ACTION", "AUDIT_ACTION", 0.5)));
        for (ReviewCandidate c : input) {
            process(h, c);
        }

        Map<String, RiskDecision> decisions = decisions(h);
        Map<String, ReviewTask> tasks = tasks(h);
        // decisions go on unchanged
        assertThat(decisions.values())
                .containsExactlyElementsOf(
                        input.stream().map(ReviewCandidate::getDecision).toList());
        assertThat(tasks).containsOnlyKeys("c1", "c2", "c3");
        // 1 − Π(1 − p): a threshold reason makes review certain; two audits at 0.3 and 0.5 give 0.65
        assertThat(tasks.get("c1").getPropensity()).isEqualTo(1.0);
        assertThat(tasks.get("c2").getPropensity()).isEqualTo(1.0);
        assertThat(tasks.get("c3").getPropensity()).isCloseTo(1 - 0.7 * 0.5, within(1e-12));
        assertThat(tasks.get("c2").getReasons()).isEqualTo(input.get(1).getReasons());

        ReviewTask c1 = tasks.get("c1");
        assertThat(c1.getQueue()).isEqualTo("spam-en");
        assertThat(c1.getPriority()).isEqualTo(3.5);
        assertThat(c1.getUserId()).isEqualTo("user-c1");
        assertThat(c1.getLocale()).isEqualTo("en-GB");
        assertThat(c1.getEventTimeMillis()).isEqualTo(T0);
        assertThat(c1.getCreatedAtMillis()).isEqualTo(DECIDED_AT);
        assertThat(c1.getDeadlineMillis()).isEqualTo(T0 + SLA);
        assertThat(metrics.count("queue.spam-en.tasks")).isEqualTo(3);
        assertThat(metrics.count("queue.spam-en.tasksShed")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldShedSomeCandidatesOverCapacityButStillEmitEveryDecision(Backend backend) throws Exception {
        var h = harness(backend);
        List<ReviewCandidate> input = burst(threshold("spam"));
        for (ReviewCandidate c : input) {
            process(h, c);
        }

        Map<String, RiskDecision> decisions = decisions(h);
        Map<String, ReviewTask> tasks = tasks(h);
        assertThat(decisions.keySet())
                .containsExactlyElementsOf(
                        input.stream().map(c -> c.getDecision().getContentId()).toList());
        int admitted = 0;
        for (int k = 1; k <= input.size(); k++) {
            String id = "c" + (k - 1);
            double p = Math.min(1.0, 10.0 / k);
            boolean expectAdmitted = draw(id, "spam-en") < p;
            admitted += expectAdmitted ? 1 : 0;
            assertThat(tasks.containsKey(id)).as("task for %s (p = %s)", id, p).isEqualTo(expectAdmitted);
            // the asking policy's propensity is scaled by p, the bystander's is not
            assertThat(policyOf(decisions.get(id), "spam").getPropensity())
                    .as(id)
                    .isCloseTo(p, within(1e-12));
            assertThat(policyOf(decisions.get(id), "bystander").getPropensity()).isEqualTo(0.01);
            if (expectAdmitted) {
                assertThat(tasks.get(id).getPropensity()).as(id).isCloseTo(p, within(1e-12));
                assertThat(tasks.get(id).getReasons().get(0).getPropensity()).isCloseTo(p, within(1e-12));
            }
        }
        assertThat(tasks).hasSize(admitted);
        // the first `capacity` are always admitted; then about capacity × (1 + ln(200 / 10)) ≈ 40 in all
        assertThat(tasks.keySet()).startsWith("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        assertThat(admitted).isBetween(20, 70);
        assertThat(metrics.count("queue.spam-en.tasks")).isEqualTo(admitted);
        assertThat(metrics.count("queue.spam-en.tasksShed")).isEqualTo(200 - admitted);
    }

    @Test
    void shouldScaleTheTaskPropensityByTheAdmissionProbabilityOnceWhenSeveralPoliciesAsk() throws Exception {
        var h = harness(Backend.HEAP);
        List<ReviewCandidate> input = burst(threshold("spam"), reason("scam", "REVIEW", "ESCALATION", 1.0));
        for (ReviewCandidate c : input) {
            process(h, c);
        }

        Map<String, RiskDecision> decisions = decisions(h);
        Map<String, ReviewTask> tasks = tasks(h);
        assertThat(tasks.size()).isLessThan(200);
        for (int k = 1; k <= input.size(); k++) {
            String id = "c" + (k - 1);
            double p = Math.min(1.0, 10.0 / k);
            assertThat(policyOf(decisions.get(id), "spam").getPropensity()).isCloseTo(p, within(1e-12));
            assertThat(policyOf(decisions.get(id), "scam").getPropensity()).isCloseTo(p, within(1e-12));
            ReviewTask task = tasks.get(id);
            if (task != null) {
                assertThat(task.getReasons())
                        .extracting(ReviewReason::getPropensity)
                        .containsExactly(p, p);
                // P(task) = P(some policy asks) × P(admitted) = 1 × p: one admission draw per task,
                // not one per reason
                assertThat(task.getPropensity())
                        .as("task propensity of %s at p = %s", id, p)
                        .isCloseTo(p, within(1e-12));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldAdmitEveryAuditSampleWithItsDrawnPropensityAndShedOnlyRoutedCandidates(Backend backend)
            throws Exception {
        var h = harness(backend);
        // one minute at 20x a capacity of 10: routed candidates (high priority) and audit samples
        // (low priority: confident scores), alternating; one routed candidate also carries an audit
        List<ReviewCandidate> input = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ReviewReason[] reasons = i % 2 == 0
                    ? new ReviewReason[] {threshold("spam")}
                    : new ReviewReason[] {reason("spam", "ALLOW", "AUDIT_ALLOW", 0.02)};
            input.add(candidate("c" + i, T0 + i * 250L, "spam-en", i % 2 == 0 ? 2.0 : 0.1, 10, reasons));
        }
        input.set(
                100,
                candidate(
                        "c100",
                        T0 + 100 * 250L,
                        "spam-en",
                        2.0,
                        10,
                        threshold("spam"),
                        reason("scam", "ALLOW", "AUDIT_ALLOW", 0.3)));
        for (ReviewCandidate c : input) {
            process(h, c);
        }

        // the rule, replayed on its own: the operator must apply it with the documented draw
        CapacityLimiter routed = new CapacityLimiter();
        CapacityLimiter audits = new CapacityLimiter();
        Map<String, RiskDecision> decisions = decisions(h);
        Map<String, ReviewTask> tasks = tasks(h);
        int routedShed = 0;
        for (ReviewCandidate c : input) {
            String id = c.getDecision().getContentId();
            boolean audit = c.getReasons().stream().anyMatch(r -> ReviewAdmission.isAuditReason(r.getReason()));
            Admission expected = ReviewAdmission.admit(
                    routed,
                    audits,
                    audit,
                    c.getDecision().getEventTimeMillis(),
                    c.getPriority(),
                    draw(id, "spam-en"),
                    10);
            assertThat(tasks.containsKey(id)).as("task for %s", id).isEqualTo(expected.admitted());
            assertThat(policyOf(decisions.get(id), "spam").getPropensity())
                    .as(id)
                    .isCloseTo(c.getReasons().get(0).getPropensity() * expected.probability(), within(1e-12));
            if (audit) {
                // audits are never shed and keep the rate they were drawn at
                assertThat(expected.probability()).isEqualTo(1.0);
                assertThat(tasks.get(id).getReasons())
                        .extracting(ReviewReason::getPropensity)
                        .containsExactlyElementsOf(c.getReasons().stream()
                                .map(ReviewReason::getPropensity)
                                .toList());
            } else if (!expected.admitted()) {
                routedShed++;
            }
        }
        assertThat(routedShed).as("capacity pressure sheds routed candidates").isGreaterThan(50);
        assertThat(policyOf(decisions.get("c100"), "scam").getPropensity()).isEqualTo(0.3);
        assertThat(tasks.get("c100").getPropensity()).isEqualTo(1.0);
    }

    @Test
    void shouldAdmitHigherPriorityCandidatesMoreOften() throws Exception {
        var h = harness(Backend.ROCKSDB);
        Map<String, Double> priorities = new TreeMap<>();
        // five event-time minutes at 10× a capacity of 20, priorities 1 and 8 alternating
        for (int i = 0; i < 1000; i++) {
            double priority = i % 2 == 0 ? 1.0 : 8.0;
            String id = "c" + i;
            priorities.put(id, priority);
            process(h, candidate(id, T0 + i * 300L, "spam-en", priority, 20, threshold("spam")));
        }

        Map<String, ReviewTask> tasks = tasks(h);
        long high =
                tasks.keySet().stream().filter(id -> priorities.get(id) == 8.0).count();
        long low =
                tasks.keySet().stream().filter(id -> priorities.get(id) == 1.0).count();
        assertThat(high).isGreaterThan(3 * low);
        assertThat(low)
                .as("low priority is shed more, never starved (p ≥ 0.01)")
                .isPositive();
        Map<String, RiskDecision> decisions = decisions(h);
        assertThat(decisions).hasSize(1000);
        assertThat(decisions.values())
                .allSatisfy(d -> assertThat(policyOf(d, "spam").getPropensity()).isBetween(0.01, 1.0));
    }

    @Test
    void shouldApplyCapacityPerQueue() throws Exception {
        var h = harness(Backend.ROCKSDB);
        for (ReviewCandidate c : burst(threshold("spam"))) {
            process(h, c);
        }
        for (int i = 0; i < 10; i++) {
            process(h, candidate("other-" + i, T0 + i * 250L, "spam-global", 2.0, 10, threshold("spam")));
        }

        Map<String, ReviewTask> tasks = tasks(h);
        assertThat(tasks.keySet().stream().filter(id -> id.startsWith("other-")))
                .hasSize(10);
        assertThat(tasks.values().stream().filter(t -> t.getQueue().equals("spam-global")))
                .allSatisfy(t -> assertThat(t.getPropensity()).isEqualTo(1.0));
        // queue state lives as long as the queue (a handful of keys), and nothing waits on a timer
        assertThat(Harnesses.keyedStateEntries(h.getOperator())).isEqualTo(2);
        assertThat(Harnesses.keys(h.getOperator(), "queue-capacity")).containsExactly("spam-en", "spam-global");
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void shouldDecideIdenticallyOnReplay() throws Exception {
        List<ReviewCandidate> input = burst(threshold("spam"));
        List<String> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            var h = harness(run == 0 ? Backend.HEAP : Backend.ROCKSDB);
            for (ReviewCandidate c : input) {
                process(h, c);
            }
            runs.add(decisions(h).values() + "\n" + tasks(h).values());
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
    }

    /** Candidates without advancing the watermark: they wait, in whatever order they arrive. */
    private static void arrive(
            KeyedOneInputStreamOperatorTestHarness<String, ReviewCandidate, RiskDecision> h, ReviewCandidate c)
            throws Exception {
        h.processElement(new StreamRecord<>(
                ReviewCandidate.newBuilder(c).build(), c.getDecision().getEventTimeMillis()));
    }

    @Test
    void shouldNotLetOneFarFutureCandidateShiftTheQueuesMinuteForEveryoneElse() throws Exception {
        // 40 candidates in one minute of a queue of capacity 25, with and without a year-3000 candidate first
        List<ReviewCandidate> minute = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            minute.add(candidate("n" + i, T0 + i * 1_000L, "spam-en", 2.0, 25, threshold("spam")));
        }
        List<String> admitted = new ArrayList<>();
        for (boolean poisoned : new boolean[] {false, true}) {
            var h = harness(Backend.ROCKSDB);
            if (poisoned) {
                arrive(h, candidate("from-3000", 32_503_680_000_000L, "spam-en", 2.0, 25, threshold("spam")));
            }
            for (ReviewCandidate c : minute) {
                process(h, c);
            }
            admitted.add(tasks(h).keySet().toString());
            if (poisoned) {
                assertThat(decisions(h)).doesNotContainKey("from-3000"); // it waits for its time
            }
        }
        assertThat(admitted.get(1)).isEqualTo(admitted.get(0));
        assertThat(admitted.get(0).split(",")).hasSizeGreaterThanOrEqualTo(25);
    }

    @Test
    void shouldAdmitTheSameCandidatesWhateverOrderTheDecidersOutputsInterleaveIn() throws Exception {
        List<ReviewCandidate> input = burst(threshold("spam"));
        List<ReviewCandidate> shuffled = new ArrayList<>(input);
        java.util.Collections.shuffle(shuffled, new java.util.Random(11));
        List<String> runs = new ArrayList<>();
        for (List<ReviewCandidate> order : List.of(input, shuffled)) {
            var h = harness(Backend.HEAP);
            for (ReviewCandidate c : order) {
                arrive(h, c);
            }
            h.processWatermark(Long.MAX_VALUE - 1);
            runs.add(new TreeMap<>(decisions(h)) + "\n" + new TreeMap<>(tasks(h)));
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(0)).contains("c199");
    }
}
