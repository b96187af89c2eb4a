package io.moderato.udfs.feedback;

import static io.moderato.udfs.feedback.FeedbackFixtures.label;
import static io.moderato.udfs.feedback.LabelAdjudicator.ADJUDICATION;
import static io.moderato.udfs.feedback.LabelAdjudicator.APPEAL;
import static io.moderato.udfs.feedback.LabelAdjudicator.AUDIT;
import static io.moderato.udfs.feedback.LabelAdjudicator.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.schemas.ReviewLabel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LabelAdjudicatorTest {

    private static Adjudication adjudicate(ReviewLabel... labels) {
        return LabelAdjudicator.adjudicate(List.of(labels));
    }

    @Test
    void shouldFollowTheMajorityOfReviewers() {
        Adjudication a = adjudicate(
                label("r-1", REVIEW, true, 100), label("r-2", REVIEW, false, 200), label("r-3", AUDIT, true, 150));

        assertThat(a.violating()).isTrue();
        assertThat(a.source()).isEqualTo(AUDIT); // latest label of the majority
        assertThat(a.reviewerId()).isEqualTo("r-3");
        assertThat(a.labelledAtMillis()).isEqualTo(150);
        assertThat(a.lastLabelledAtMillis()).isEqualTo(200);
        assertThat(a.labelCount()).isEqualTo(3);
        assertThat(a.sampleLabelCount()).isEqualTo(3);
        assertThat(a.conflicting()).isTrue();
        assertThat(a.appealed()).isFalse();
        assertThat(a.previousViolating()).isNull();
        assertThat(a.appealOverturned()).isFalse();
    }

    @Test
    void shouldBreakATiedVoteWithTheLatestLabel() {
        Adjudication a = adjudicate(label("r-1", REVIEW, true, 100), label("r-2", REVIEW, false, 200));
        Adjudication b = adjudicate(label("r-1", REVIEW, true, 300), label("r-2", REVIEW, false, 200));

        assertThat(a.violating()).isFalse();
        assertThat(a.reviewerId()).isEqualTo("r-2");
        assertThat(b.violating()).isTrue();
        assertThat(b.reviewerId()).isEqualTo("r-1");
    }

    @Test
    void shouldCountOneVotePerReviewerUsingTheirLatestLabel() {
        // r-1 first said violating, then changed their mind: 1 vote "clean" against r-2's "violating" = tie,
        // broken by the latest vote (r-1 at 300)
        Adjudication a = adjudicate(
                label("r-1", REVIEW, true, 100), label("r-1", REVIEW, false, 300), label("r-2", REVIEW, true, 200));

        assertThat(a.violating()).isFalse();
        assertThat(a.labelCount()).isEqualTo(3);
        assertThat(a.conflicting()).isTrue();
    }

    @Test
    void shouldBreakSameMillisecondTiesBySmallerReviewerIdThenBenefitOfTheDoubt() {
        Adjudication byReviewer = adjudicate(label("r-b", REVIEW, false, 100), label("r-a", REVIEW, true, 100));
        Adjudication sameReviewer =
                adjudicate(label("r-a", ADJUDICATION, true, 100), label("r-a", ADJUDICATION, false, 100));

        assertThat(byReviewer.violating()).isTrue();
        assertThat(byReviewer.reviewerId()).isEqualTo("r-a");
        assertThat(sameReviewer.violating()).isFalse();
    }

    @Test
    void shouldPreferTheAdjudicatorOverTheMajority() {
        Adjudication a = adjudicate(
                label("r-1", REVIEW, true, 100),
                label("r-2", REVIEW, true, 110),
                label("r-3", REVIEW, true, 400),
                label("lead-1", ADJUDICATION, false, 300));

        assertThat(a.violating()).isFalse();
        assertThat(a.source()).isEqualTo(ADJUDICATION);
        assertThat(a.reviewerId()).isEqualTo("lead-1");
        assertThat(a.labelledAtMillis()).isEqualTo(300);
        assertThat(a.lastLabelledAtMillis()).isEqualTo(400);
        assertThat(a.severity()).isNull();
    }

    @Test
    void shouldLetTheLatestAdjudicationWinOverAnEarlierOne() {
        Adjudication a =
                adjudicate(label("lead-1", ADJUDICATION, false, 100), label("lead-2", ADJUDICATION, true, 200));

        assertThat(a.violating()).isTrue();
        assertThat(a.reviewerId()).isEqualTo("lead-2");
    }

    @Test
    void shouldLetAnAppealOverturnTheAdjudicatedVerdict() {
        Adjudication a = adjudicate(
                label("r-1", REVIEW, true, 100),
                label("lead-1", ADJUDICATION, true, 200),
                label("panel", APPEAL, false, 900));

        assertThat(a.violating()).isFalse();
        assertThat(a.source()).isEqualTo(APPEAL);
        assertThat(a.appealed()).isTrue();
        assertThat(a.previousViolating()).isTrue();
        assertThat(a.appealOverturned()).isTrue();
        assertThat(a.sampleLabelCount()).isEqualTo(1);
    }

    @Test
    void shouldNotCallAnAppealThatUpholdsTheVerdictAnOverturn() {
        Adjudication a = adjudicate(label("r-1", REVIEW, true, 100), label("c-1", "panel", APPEAL, true, 900, 2.0));

        assertThat(a.violating()).isTrue();
        assertThat(a.severity()).isEqualTo(2.0);
        assertThat(a.previousViolating()).isTrue();
        assertThat(a.appealOverturned()).isFalse();
    }

    @Test
    void shouldCompareALaterAppealWithTheEarlierAppeal() {
        Adjudication a = adjudicate(label("panel-1", APPEAL, true, 500), label("panel-2", APPEAL, false, 900));

        assertThat(a.violating()).isFalse();
        assertThat(a.previousViolating()).isTrue();
        assertThat(a.appealOverturned()).isTrue();
        assertThat(a.sampleLabelCount()).isZero();
        assertThat(a.inReviewSample()).isFalse();
    }

    @Test
    void shouldLeaveThePreviousVerdictUnknownForAnAppealWithoutEarlierLabels() {
        Adjudication a = adjudicate(label("panel", APPEAL, false, 900), label("r-1", REVIEW, true, 950));

        assertThat(a.violating()).isFalse();
        assertThat(a.previousViolating()).isNull();
        assertThat(a.appealOverturned()).isFalse();
        assertThat(a.lastLabelledAtMillis()).isEqualTo(950);
    }

    @Test
    void shouldTreatExactDuplicatesAsOneLabel() {
        ReviewLabel once = label("r-1", REVIEW, true, 100);
        Adjudication single = adjudicate(once);
        Adjudication redelivered = adjudicate(
                once,
                ReviewLabel.newBuilder(once).build(),
                once,
                ReviewLabel.newBuilder(once).setNotes("redelivered copy").build());

        assertThat(redelivered).isEqualTo(single);
        assertThat(redelivered.labelCount()).isEqualTo(1);
        assertThat(redelivered.conflicting()).isFalse();
    }

    @Test
    void shouldKeepTheHighestSeverityOfDuplicatesWhateverTheirOrder() {
        ReviewLabel low = label("c-1", "r-1", REVIEW, true, 100, 0.5);
        ReviewLabel high = label("c-1", "r-1", REVIEW, true, 100, 3.0);
        ReviewLabel none = label("c-1", "r-1", REVIEW, true, 100, null);

        assertThat(adjudicate(low, high, none).severity()).isEqualTo(3.0);
        assertThat(adjudicate(none, high, low).severity()).isEqualTo(3.0);
        assertThat(adjudicate(none, high, low).labelCount()).isEqualTo(1);
    }

    @Test
    void shouldAverageTheSeveritiesOfTheMajority() {
        Adjudication a = adjudicate(
                label("c-1", "r-1", REVIEW, true, 100, 1.0),
                label("c-1", "r-2", REVIEW, true, 110, 2.0),
                label("c-1", "r-3", REVIEW, true, 120, null),
                label("c-1", "r-4", REVIEW, false, 130, null));

        assertThat(a.violating()).isTrue();
        assertThat(a.severity()).isEqualTo(1.5);
    }

    @Test
    void shouldCompareSourcesIgnoringCaseAndReportThemUpperCase() {
        Adjudication a = adjudicate(label("r-1", "review", true, 100), label("panel", "Appeal", false, 200));

        assertThat(a.source()).isEqualTo(APPEAL);
        assertThat(a.appealOverturned()).isTrue();
        assertThat(a.sampleLabelCount()).isEqualTo(1);
    }

    @Test
    void shouldLetUnknownSourcesVoteWithReviewersButNotCountAsSampleLabels() {
        Adjudication a = adjudicate(
                label("trusted-flagger", "FLAGGER", true, 100),
                label("r-1", REVIEW, false, 50),
                label("r-2", REVIEW, true, 60));

        assertThat(a.violating()).isTrue();
        assertThat(a.source()).isEqualTo("FLAGGER");
        assertThat(a.sampleLabelCount()).isEqualTo(2);
    }

    @Test
    void shouldGiveTheSameAdjudicationForEveryOrderOfTheLabels() {
        Random random = new Random(20250615L);
        String[] sources = {REVIEW, REVIEW, AUDIT, ADJUDICATION, APPEAL};
        for (int round = 0; round < 500; round++) {
            List<ReviewLabel> labels = new ArrayList<>();
            int n = 1 + random.nextInt(7);
            for (int i = 0; i < n; i++) {
                // few reviewers and few distinct times, so ties and duplicates are common
                ReviewLabel l = label(
                        "c-1",
                        "r-" + random.nextInt(3),
                        sources[random.nextInt(sources.length)],
                        random.nextBoolean(),
                        100L * random.nextInt(4),
                        random.nextBoolean() ? 1.0 + random.nextInt(3) : null);
                labels.add(l);
                if (random.nextInt(4) == 0) {
                    labels.add(ReviewLabel.newBuilder(l).build());
                }
            }
            Adjudication expected = LabelAdjudicator.adjudicate(labels);
            for (int shuffle = 0; shuffle < 10; shuffle++) {
                List<ReviewLabel> shuffled = new ArrayList<>(labels);
                Collections.shuffle(shuffled, random);
                assertThat(LabelAdjudicator.adjudicate(shuffled))
                        .as("round %d, labels %s", round, labels)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldRejectAnEmptyListAndLabelsOfDifferentItemsOrPolicies() {
        ReviewLabel other = ReviewLabel.newBuilder(label("r-1", REVIEW, true, 100))
                .setPolicyId("hate")
                .build();

        assertThatThrownBy(() -> LabelAdjudicator.adjudicate(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> adjudicate(label("r-1", REVIEW, true, 100), other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hate");
        assertThatThrownBy(() -> adjudicate(label("r-1", REVIEW, true, 100), label("c-2", "r-1", REVIEW, true, 100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c-2");
    }
}
