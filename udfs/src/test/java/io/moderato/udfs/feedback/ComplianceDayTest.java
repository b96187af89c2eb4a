package io.moderato.udfs.feedback;

import static io.moderato.udfs.feedback.FeedbackFixtures.DAY;
import static io.moderato.udfs.feedback.FeedbackFixtures.POLICY;
import static io.moderato.udfs.feedback.FeedbackFixtures.decision;
import static io.moderato.udfs.feedback.FeedbackFixtures.label;
import static io.moderato.udfs.feedback.FeedbackFixtures.policy;
import static io.moderato.udfs.feedback.LabelAdjudicator.ADJUDICATION;
import static io.moderato.udfs.feedback.LabelAdjudicator.APPEAL;
import static io.moderato.udfs.feedback.LabelAdjudicator.AUDIT;
import static io.moderato.udfs.feedback.LabelAdjudicator.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.Estimate;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.udfs.metrics.QualityReport;
import io.moderato.udfs.metrics.WeightedConfusion;
import io.moderato.udfs.testing.FlinkPojoState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComplianceDayTest {

    private static final long HOUR = 3_600_000L;
    private static final long GENERATED = DAY + 30 * HOUR;

    /** One item of a simulated day: its decision and its labels in arrival order. */
    record Item(RiskDecision decision, PolicyDecision policy, boolean routed, List<ReviewLabel> labels) {}

    private static Item item(
            String id,
            String band,
            double risk,
            double propensity,
            boolean audited,
            boolean routed,
            ReviewLabel... labels) {
        PolicyDecision p = policy(band, risk, propensity, audited);
        return new Item(decision(id, p, 0L), p, routed, List.of(labels));
    }

    /** Feeds items the way the FeedbackJob does: decision, task, then each label with the adjudication before/after. */
    private static ComplianceDay feed(List<Item> items) {
        ComplianceDay day = new ComplianceDay();
        for (Item item : items) {
            day.addDecision(item.decision(), item.policy());
            if (item.routed()) {
                day.addTask(task(item), reason(item));
            }
            List<ReviewLabel> seen = new ArrayList<>();
            Adjudication previous = null;
            for (ReviewLabel l : item.labels()) {
                seen.add(l);
                Adjudication current = LabelAdjudicator.adjudicate(seen);
                boolean counted = day.addLabel(l, previous, current, item.decision(), item.policy());
                assertThat(counted).isEqualTo(previous == null || current.labelCount() > previous.labelCount());
                previous = current;
            }
        }
        return day;
    }

    private static ReviewReason reason(Item item) {
        return ReviewReason.newBuilder()
                .setPolicyId(POLICY)
                .setBand(item.policy().getBand())
                .setReason(item.policy().getAuditSampled() ? "AUDIT_ALLOW" : "THRESHOLD")
                .setScore(item.policy().getFusedRisk())
                .setPropensity(item.policy().getPropensity())
                .setConfigVersion(7L)
                .build();
    }

    private static ReviewTask task(Item item) {
        RiskDecision d = item.decision();
        return ReviewTask.newBuilder()
                .setContentId(d.getContentId())
                .setUserId(d.getUserId())
                .setSurface(d.getSurface())
                .setLocale(d.getLocale())
                .setEventTimeMillis(d.getEventTimeMillis())
                .setQueue("spam-en")
                .setPriority(1.0)
                .setReasons(List.of(reason(item)))
                .setPropensity(item.policy().getPropensity())
                .setCreatedAtMillis(d.getDecidedAtMillis())
                .setDeadlineMillis(d.getDecidedAtMillis() + HOUR)
                .build();
    }

    /** A small hand-made day; the expected numbers are worked out in the test below. */
    private static List<Item> handMadeDay() {
        long t = DAY; // every item's event time (decision() puts events at DAY + 0)
        ReviewLabel aAudit = label("c-a", "r-1", AUDIT, true, t + HOUR);
        return List.of(
                // auto-actioned, audited (p = 0.1), confirmed: automated action, TP with weight 10; delivered twice
                item(
                        "c-a",
                        "ACTION",
                        0.95,
                        0.1,
                        true,
                        true,
                        aAudit,
                        ReviewLabel.newBuilder(aAudit).build()),
                // auto-actioned, not audited, appeal wins: automated action, appeal overturned, not in the estimate
                item("c-b", "ACTION", 0.97, 0.1, false, false, label("c-b", "panel", APPEAL, false, t + 48 * HOUR)),
                // review band: 1-1 tie (latest: clean), then a ruling "violating": action after review at +2 h, FN w 1
                item(
                        "c-c",
                        "REVIEW",
                        0.7,
                        1.0,
                        false,
                        true,
                        label("c-c", "r-1", REVIEW, true, t + HOUR / 2),
                        label("c-c", "r-2", REVIEW, false, t + 2 * HOUR / 3),
                        label("c-c", "lead", ADJUDICATION, true, t + 2 * HOUR)),
                // review band, clean: TN w 1
                item("c-d", "REVIEW", 0.6, 1.0, false, true, label("c-d", "r-1", REVIEW, false, t + HOUR)),
                // allowed but audited (p = 0.02) and violating: action after review at +5 h, FN w 50
                item("c-e", "ALLOW", 0.1, 0.02, true, true, label("c-e", "r-3", AUDIT, true, t + 5 * HOUR)),
                // allowed, never looked at
                item("c-f", "ALLOW", 0.05, 0.02, false, false),
                // auto-actioned, audited, clean: FP w 10
                item("c-g", "ACTION", 0.92, 0.1, true, true, label("c-g", "r-2", AUDIT, false, t + HOUR)));
    }

    @Test
    void shouldCountAHandMadeDayAsWorkedOutByHand() {
        ComplianceReport r = feed(handMadeDay()).toReport(POLICY, DAY, GENERATED);

        assertThat(r.getPolicyId()).isEqualTo(POLICY);
        assertThat(r.getDayStartMillis()).isEqualTo(DAY);
        assertThat(r.getDayEndMillis()).isEqualTo(DAY + 24 * HOUR);
        assertThat(r.getGeneratedAtMillis()).isEqualTo(GENERATED);
        assertThat(r.getDecisions()).isEqualTo(7);
        assertThat(r.getActionsAutomated()).isEqualTo(3);
        assertThat(r.getActionsAfterReview()).isEqualTo(2);
        assertThat(r.getReviewTasks()).isEqualTo(5);
        assertThat(r.getLabelledItems()).isEqualTo(6);
        assertThat(r.getLabelsBySource())
                .containsExactly(
                        Map.entry("REVIEW", 3L),
                        Map.entry("AUDIT", 3L),
                        Map.entry("APPEAL", 1L),
                        Map.entry("ADJUDICATION", 1L));
        assertThat(r.getEstimateItems()).isEqualTo(5);
        // TP 10, FP 10, FN 1 + 50, TN 1
        assertThat(r.getPrecision().getValue()).isCloseTo(0.5, within(1e-12));
        // one audited miss (c-e) is too few to publish recall (the guard wants 3): withheld, with why
        assertThat(r.getRecall()).isNull();
        assertThat(r.getWithheld()).containsOnlyKeys("recall");
        assertThat(r.getWithheld().get("recall")).startsWith("only 1 audited misses");
        assertThat(feed(handMadeDay()).confusion().recall(0.95, 0).value()).isCloseTo(10.0 / 61.0, within(1e-12));
        assertThat(r.getPrecision().getLower()).isLessThan(0.5);
        assertThat(r.getPrecision().getUpper()).isGreaterThan(0.5);
        assertThat(r.getIntervalConfidence()).isEqualTo(0.95);
        assertThat(r.getAppeals()).isEqualTo(1);
        assertThat(r.getAppealsOverturned()).isEqualTo(1);
        assertThat(r.getAppealOverturnRate()).isEqualTo(1.0);
        // times: automated 850, 850, 850 ms; after review 2 h, 5 h
        assertThat((double) r.getMedianTimeToActionMillis()).isCloseTo(850, within(850 * 0.037));
        assertThat((double) r.getMedianTimeToAutomatedActionMillis()).isCloseTo(850, within(850 * 0.037));
        assertThat((double) r.getMedianTimeToReviewedActionMillis()).isCloseTo(2 * HOUR, within(2 * HOUR * 0.037));
    }

    @Test
    void shouldMatchABruteForceCountOfTheFinalVerdictsOnRandomDays() {
        for (long seed = 1; seed <= 30; seed++) {
            List<Item> items = randomDay(new Random(seed), 120);

            ComplianceReport incremental = feed(items).toReport(POLICY, DAY, GENERATED);
            ComplianceReport bruteForce = bruteForce(items);

            assertSameReport(incremental, bruteForce, "seed " + seed);
        }
    }

    @Test
    void shouldMergeAssociativelyAndLikeOneAccumulator() {
        List<Item> items = randomDay(new Random(7), 150);
        List<List<Item>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < items.size(); i++) {
            parts.get(i % 3).add(items.get(i));
        }
        ComplianceDay a = feed(parts.get(0));
        ComplianceDay b = feed(parts.get(1));
        ComplianceDay c = feed(parts.get(2));

        ComplianceReport left = a.copy().merge(b).merge(c).toReport(POLICY, DAY, GENERATED);
        ComplianceReport right = a.copy().merge(b.copy().merge(c)).toReport(POLICY, DAY, GENERATED);
        ComplianceReport swapped = c.copy().merge(a).merge(b).toReport(POLICY, DAY, GENERATED);
        ComplianceReport whole = feed(items).toReport(POLICY, DAY, GENERATED);

        assertSameReport(left, right, "(a+b)+c vs a+(b+c)");
        assertSameReport(left, swapped, "(a+b)+c vs (c+a)+b");
        assertSameReport(left, whole, "merged vs one accumulator");
        assertThat(a.getDecisions())
                .as("merge must not change its argument's source")
                .isEqualTo(parts.get(0).size());
    }

    @Test
    void shouldIgnoreARedeliveredLabel() {
        Item item = item("c-1", "REVIEW", 0.6, 1.0, false, true);
        ReviewLabel l = label("c-1", "r-1", REVIEW, true, DAY + HOUR);
        Adjudication first = LabelAdjudicator.adjudicate(List.of(l));
        Adjudication again = LabelAdjudicator.adjudicate(List.of(l, l));
        ComplianceDay day = new ComplianceDay();

        assertThat(day.addLabel(l, null, first, item.decision(), item.policy())).isTrue();
        assertThat(day.addLabel(l, first, again, item.decision(), item.policy()))
                .isFalse();

        ComplianceReport r = day.toReport(POLICY, DAY, GENERATED);
        assertThat(r.getLabelsBySource().get("REVIEW")).isEqualTo(1L);
        assertThat(r.getActionsAfterReview()).isEqualTo(1);
        assertThat(r.getLabelledItems()).isEqualTo(1);
    }

    @Test
    void shouldMoveAnItemWhenALaterLabelFlipsItsVerdict() {
        Item item = item(
                "c-1",
                "REVIEW",
                0.6,
                1.0,
                false,
                true,
                label("c-1", "r-1", REVIEW, true, DAY + HOUR),
                label("c-1", "lead", ADJUDICATION, false, DAY + 2 * HOUR));

        ComplianceReport r = feed(List.of(item)).toReport(POLICY, DAY, GENERATED);

        assertThat(r.getActionsAfterReview()).isZero();
        assertThat(r.getMedianTimeToReviewedActionMillis()).isNull();
        assertThat(r.getMedianTimeToActionMillis()).isNull();
        assertThat(r.getLabelledItems()).isEqualTo(1);
        assertThat(r.getEstimateItems()).isEqualTo(1);
        assertThat(r.getPrecision()).as("nothing above the action threshold").isNull();
        assertThat(r.getRecall()).as("nothing violating").isNull();
    }

    @Test
    void shouldCallAnAppealAgainstAnAllowedItemWithoutReviewAnOverturnOnlyWhenItFindsAViolation() {
        Item upheld = item("c-1", "ALLOW", 0.1, 0.02, false, false, label("c-1", "panel", APPEAL, false, DAY + HOUR));
        Item overturned =
                item("c-2", "ALLOW", 0.1, 0.02, false, false, label("c-2", "panel", APPEAL, true, DAY + HOUR));

        ComplianceReport r = feed(List.of(upheld, overturned)).toReport(POLICY, DAY, GENERATED);

        assertThat(r.getAppeals()).isEqualTo(2);
        assertThat(r.getAppealsOverturned()).isEqualTo(1);
        assertThat(r.getAppealOverturnRate()).isEqualTo(0.5);
        assertThat(r.getEstimateItems())
                .as("appeal-only items are not a random sample")
                .isZero();
        assertThat(r.getActionsAfterReview()).isEqualTo(1);
    }

    @Test
    void shouldReportNullsForAnEmptyDay() {
        ComplianceReport r = new ComplianceDay().toReport(POLICY, DAY, GENERATED);

        assertThat(r.getDecisions()).isZero();
        assertThat(r.getMedianTimeToActionMillis()).isNull();
        assertThat(r.getPrecision()).isNull();
        assertThat(r.getRecall()).isNull();
        assertThat(r.getAppealOverturnRate()).isNull();
        assertThat(r.getLabelsBySource()).containsOnlyKeys("REVIEW", "AUDIT", "APPEAL", "ADJUDICATION");
    }

    @Test
    void shouldCountUnknownLabelSourcesAsOther() {
        Item item =
                item("c-1", "REVIEW", 0.6, 1.0, false, true, label("c-1", "tf-1", "TRUSTED_FLAGGER", true, DAY + 1));

        ComplianceReport r = feed(List.of(item)).toReport(POLICY, DAY, GENERATED);

        assertThat(r.getLabelsBySource()).containsEntry("OTHER", 1L);
        assertThat(r.getEstimateItems()).isZero();
    }

    @Test
    void shouldKeepTimesToActionWithinTheDocumentedResolution() {
        Random random = new Random(99);
        for (int i = 0; i < 20_000; i++) {
            long millis = (long) Math.pow(10, random.nextDouble() * 10);
            long reported = ComplianceDay.binValue(ComplianceDay.timeBin(millis));
            assertThat((double) reported)
                    .as("%d ms", millis)
                    .isCloseTo(millis, within(Math.max(1.0, millis * 0.03664 + 0.5)));
        }
        assertThat(ComplianceDay.binValue(ComplianceDay.timeBin(-5))).isZero();
        assertThat(ComplianceDay.binValue(ComplianceDay.timeBin(0))).isZero();
        assertThat(ComplianceDay.binValue(ComplianceDay.timeBin(20_000_000_000L)))
                .isEqualTo(10_000_000_000L);
    }

    @Test
    void shouldReportTheLowerMedianOfTheTimes() {
        long[] histogram = new long[ComplianceDay.TIME_BINS];
        for (long t : new long[] {100, 1_000, 10_000, 100_000}) {
            histogram[ComplianceDay.timeBin(t)]++;
        }

        assertThat((double) ComplianceDay.medianMillis(histogram)).isCloseTo(1_000, within(37.0));
        assertThat(ComplianceDay.medianMillis(new long[ComplianceDay.TIME_BINS]))
                .isNull();
    }

    @Test
    void shouldRejectADayStartThatIsNotAUtcMidnightAndLabelsOfAnotherItem() {
        Item item = item("c-1", "REVIEW", 0.6, 1.0, false, true);
        Adjudication other = LabelAdjudicator.adjudicate(List.of(label("c-2", "r-1", REVIEW, true, DAY)));

        assertThatThrownBy(() -> new ComplianceDay().toReport(POLICY, DAY + 1, GENERATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("midnight");
        assertThatThrownBy(() -> new ComplianceDay()
                        .addLabel(label("c-2", "r-1", REVIEW, true, DAY), null, other, item.decision(), item.policy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c-2")
                .hasMessageContaining("c-1");
        assertThat(ComplianceDay.dayStartMillis(DAY + 5 * HOUR)).isEqualTo(DAY);
        assertThat(ComplianceDay.dayStartMillis(DAY - 1)).isEqualTo(DAY - 24 * HOUR);
    }

    @Test
    void shouldBeAFlinkPojoThatSurvivesACopyThroughItsAccessors() throws Exception {
        FlinkPojoState.assertPojoWithoutKryo(ComplianceDay.class);
        ComplianceDay day = feed(handMadeDay());

        ComplianceDay copy = FlinkPojoState.restored(day);

        assertSameReport(copy.toReport(POLICY, DAY, GENERATED), day.toReport(POLICY, DAY, GENERATED), "copy");
    }

    // ---- brute force ------------------------------------------------------------------------

    private static List<Item> randomDay(Random random, int n) {
        String[] bands = {"ALLOW", "ALLOW", "REVIEW", "REVIEW", "ACTION", "HOLD", "BLOCK"};
        double[] propensities = {1.0, 0.5, 0.25, 0.1, 0.02};
        String[] sources = {REVIEW, REVIEW, AUDIT, ADJUDICATION, APPEAL, "OTHER_TEAM"};
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String band = bands[random.nextInt(bands.length)];
            boolean action = ComplianceDay.isAutomatedAction(band);
            double risk = action
                    ? 0.9 + 0.1 * random.nextDouble()
                    : band.equals("ALLOW") ? 0.5 * random.nextDouble() : 0.5 + 0.4 * random.nextDouble();
            boolean sampled = band.equals("REVIEW") || band.equals("HOLD") || random.nextInt(3) == 0;
            double propensity = band.equals("REVIEW") || band.equals("HOLD")
                    ? (random.nextBoolean() ? 1.0 : 0.5)
                    : propensities[random.nextInt(propensities.length)];
            PolicyDecision p =
                    policy(band, risk, propensity, sampled && !band.equals("REVIEW") && !band.equals("HOLD"));
            RiskDecision d = decision("c-" + i, p, (long) (random.nextDouble() * 20 * HOUR));
            List<ReviewLabel> labels = new ArrayList<>();
            int count = sampled ? random.nextInt(4) : random.nextInt(5) == 0 ? 1 : 0;
            for (int k = 0; k < count; k++) {
                String source = sampled ? sources[random.nextInt(sources.length)] : APPEAL;
                ReviewLabel l = label(
                        d.getContentId(),
                        "r-" + random.nextInt(3),
                        source,
                        random.nextBoolean(),
                        d.getEventTimeMillis() + (long) Math.pow(10, 2 + 6 * random.nextDouble()));
                labels.add(l);
                if (random.nextInt(5) == 0) {
                    labels.add(l); // redelivery
                }
            }
            items.add(new Item(d, p, sampled, labels));
        }
        return items;
    }

    /** The report computed directly from each item's final adjudication, without retractions. */
    private static ComplianceReport bruteForce(List<Item> items) {
        long decisions = items.size();
        long automated = 0;
        long afterReview = 0;
        long tasks = 0;
        long labelled = 0;
        long estimateItems = 0;
        long appeals = 0;
        long overturned = 0;
        Map<String, Long> bySource = new HashMap<>();
        List<Long> automatedTimes = new ArrayList<>();
        List<Long> reviewedTimes = new ArrayList<>();
        WeightedConfusion confusion = new WeightedConfusion();
        double tp = 0;
        double fp = 0;
        double fn = 0;
        for (Item item : items) {
            RiskDecision d = item.decision();
            PolicyDecision p = item.policy();
            boolean auto = p.getBand().equals("ACTION") || p.getBand().equals("BLOCK");
            if (auto) {
                automated++;
                automatedTimes.add(d.getDecidedAtMillis() - d.getEventTimeMillis());
            }
            tasks += item.routed() ? 1 : 0;
            if (item.labels().isEmpty()) {
                continue;
            }
            labelled++;
            Set<List<Object>> distinct = new HashSet<>();
            for (ReviewLabel l : item.labels()) {
                if (distinct.add(
                        List.of(l.getReviewerId(), l.getSource(), l.getViolating(), l.getLabelledAtMillis()))) {
                    String s = List.of(REVIEW, AUDIT, APPEAL, ADJUDICATION).contains(l.getSource())
                            ? l.getSource()
                            : "OTHER";
                    bySource.merge(s, 1L, Long::sum);
                }
            }
            Adjudication a = LabelAdjudicator.adjudicate(item.labels());
            if (!auto && a.violating()) {
                afterReview++;
                reviewedTimes.add(a.labelledAtMillis() - d.getEventTimeMillis());
            }
            if (a.source().equals(APPEAL)) {
                appeals++;
                boolean before = a.previousViolating() != null ? a.previousViolating() : auto;
                overturned += before != a.violating() ? 1 : 0;
            }
            boolean sampleLabel = item.labels().stream()
                    .anyMatch(l -> l.getSource().equals(REVIEW) || l.getSource().equals(AUDIT));
            if (sampleLabel) {
                estimateItems++;
                double w = 1.0 / p.getPropensity();
                boolean predicted = p.getFusedRisk() >= p.getActionThreshold();
                confusion.add(p.getFusedRisk(), predicted, a.violating(), w, p.getAuditSampled());
                tp += predicted && a.violating() ? w : 0;
                fp += predicted && !a.violating() ? w : 0;
                fn += !predicted && a.violating() ? w : 0;
            }
        }
        List<Long> all = new ArrayList<>(automatedTimes);
        all.addAll(reviewedTimes);
        ComplianceReport.Builder r = ComplianceReport.newBuilder()
                .setPolicyId(POLICY)
                .setDayStartMillis(DAY)
                .setDayEndMillis(DAY + 24 * HOUR)
                .setDecisions(decisions)
                .setActionsAutomated(automated)
                .setActionsAfterReview(afterReview)
                .setMedianTimeToActionMillis(binnedLowerMedian(all))
                .setMedianTimeToAutomatedActionMillis(binnedLowerMedian(automatedTimes))
                .setMedianTimeToReviewedActionMillis(binnedLowerMedian(reviewedTimes))
                .setReviewTasks(tasks)
                .setLabelledItems(labelled)
                .setEstimateItems(estimateItems)
                .setAppeals(appeals)
                .setAppealsOverturned(overturned)
                .setAppealOverturnRate(appeals == 0 ? null : (double) overturned / appeals)
                .setGeneratedAtMillis(GENERATED);
        Map<String, Long> sources = new java.util.LinkedHashMap<>();
        for (String s : List.of(REVIEW, AUDIT, APPEAL, ADJUDICATION)) {
            sources.put(s, bySource.getOrDefault(s, 0L));
        }
        if (bySource.containsKey("OTHER")) {
            sources.put("OTHER", bySource.get("OTHER"));
        }
        r.setLabelsBySource(sources);
        // point estimates from plain sums, intervals from a WeightedConfusion of the final verdicts
        var precision = confusion.precision(0.95);
        var recall = confusion.recall(0.95, QualityReport.DEFAULT_MINIMUM_AUDITED_LABELS);
        r.setPrecision(
                precision.isDefined()
                        ? Estimate.newBuilder()
                                .setValue(tp / (tp + fp))
                                .setLower(precision.lower())
                                .setUpper(precision.upper())
                                .build()
                        : null);
        r.setRecall(
                recall.isDefined()
                        ? Estimate.newBuilder()
                                .setValue(tp / (tp + fn))
                                .setLower(recall.lower())
                                .setUpper(recall.upper())
                                .build()
                        : null);
        Map<String, String> withheld = new java.util.LinkedHashMap<>();
        if (precision.isWithheld()) {
            withheld.put("precision", precision.withheldReason());
        }
        if (recall.isWithheld()) {
            withheld.put("recall", recall.withheldReason());
        }
        r.setWithheld(withheld);
        return r.build();
    }

    @Test
    void stateWrittenBeforeTheAuditCountsShouldRestoreWithZeroCounts() {
        ComplianceDay day = feed(handMadeDay());
        double[] thirteen = java.util.Arrays.copyOf(day.getConfusion(), 13);
        ComplianceDay restored = new ComplianceDay();
        restored.setConfusion(thirteen);
        assertThat(restored.getConfusion()).hasSize(17);
        assertThat(restored.confusion().getFalseNegativeAuditedCount()).isZero();
        assertThat(restored.confusion().getTruePositiveWeight())
                .isEqualTo(day.confusion().getTruePositiveWeight());
        // and it merges with new state
        assertThat(restored.merge(day).confusion().getFalseNegativeAuditedCount())
                .isEqualTo(1);
    }

    /** The exact lower median, as the histogram reports it (monotone binning keeps the rank). */
    private static Long binnedLowerMedian(List<Long> times) {
        if (times.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(times);
        sorted.sort(null);
        long exact = sorted.get((sorted.size() + 1) / 2 - 1);
        long reported = ComplianceDay.binValue(ComplianceDay.timeBin(exact));
        assertThat((double) reported).isCloseTo(exact, within(Math.max(1.0, exact * 0.03664 + 0.5)));
        return reported;
    }

    static void assertSameReport(ComplianceReport actual, ComplianceReport expected, String what) {
        ComplianceReport a = ComplianceReport.newBuilder(actual)
                .setPrecision(null)
                .setRecall(null)
                .build();
        ComplianceReport e = ComplianceReport.newBuilder(expected)
                .setPrecision(null)
                .setRecall(null)
                .build();
        assertThat(a).as(what).isEqualTo(e);
        assertSameEstimate(actual.getPrecision(), expected.getPrecision(), what + " precision");
        assertSameEstimate(actual.getRecall(), expected.getRecall(), what + " recall");
    }

    private static void assertSameEstimate(Estimate a, Estimate e, String what) {
        if (e == null) {
            assertThat(a).as(what).isNull();
            return;
        }
        assertThat(a).as(what).isNotNull();
        assertThat(a.getValue()).as(what).isCloseTo(e.getValue(), within(1e-9));
        assertThat(a.getLower()).as(what).isCloseTo(e.getLower(), within(1e-9));
        assertThat(a.getUpper()).as(what).isCloseTo(e.getUpper(), within(1e-9));
    }
}
