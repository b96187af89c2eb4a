package io.moderato.udfs.feedback;

import io.moderato.schemas.ReviewLabel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns every human label on one content item for one policy into one verdict, deterministically
 * and independently of arrival order, so the FeedbackJob can re-adjudicate whenever a label arrives
 * (labels and decisions may come in any order, and Kafka may redeliver).
 *
 * <p>The order, first match wins:
 * <ol>
 *   <li><b>Exact duplicates are dropped</b>: labels with the same reviewerId, source, verdict and
 *       labelledAtMillis count once (redelivery is idempotent). Among such duplicates the one with the
 *       highest severity is kept (null lowest), so even differing copies adjudicate the same way.</li>
 *   <li><b>APPEAL</b>: the latest APPEAL label decides. An appeal is the final word on the platform's
 *       decision (the author's complaint, handled after every other review).</li>
 *   <li><b>ADJUDICATION</b>: otherwise the latest ADJUDICATION label (a senior ruling on conflicting
 *       reviews) decides.</li>
 *   <li><b>Majority</b>: otherwise REVIEW, AUDIT and labels of any unknown source vote, one vote per
 *       reviewer (the reviewer's latest label, so a reviewer who changes their mind is not counted
 *       twice); the verdict with more votes wins.</li>
 *   <li><b>Latest</b>: a tied vote is decided by the latest vote.</li>
 * </ol>
 * "Latest" is always the same total order: later labelledAtMillis first, then the smaller reviewerId
 * (String order), then a non-violating verdict (benefit of the doubt to the author), then the smaller
 * source. After de-duplication no two labels are equal under it, so the result never depends on the
 * order of the input list. Sources are compared ignoring case and reported upper-case.
 *
 * <p>Appeals also report whether they overturned anything: the labels given strictly before the
 * winning appeal are adjudicated by the same rules into {@link Adjudication#previousViolating()}, and
 * {@link Adjudication#appealOverturned()} is true when the appeal verdict differs from it.
 */
public final class LabelAdjudicator {

    public static final String REVIEW = "REVIEW";
    public static final String AUDIT = "AUDIT";
    public static final String APPEAL = "APPEAL";
    public static final String ADJUDICATION = "ADJUDICATION";

    /** Later first, then reviewerId, then non-violating, then source: the "latest" label is the minimum. */
    static final Comparator<ReviewLabel> LATEST_FIRST = Comparator.comparingLong(
                    (ReviewLabel l) -> l.getLabelledAtMillis())
            .reversed()
            .thenComparing(ReviewLabel::getReviewerId)
            .thenComparing(ReviewLabel::getViolating)
            .thenComparing(l -> normalised(l.getSource()));

    private LabelAdjudicator() {}

    /**
     * Adjudicates all labels of one (contentId, policyId).
     *
     * @param labels every label received for the item and policy, in any order, duplicates allowed
     * @throws IllegalArgumentException when {@code labels} is empty or mixes items or policies
     */
    public static Adjudication adjudicate(List<ReviewLabel> labels) {
        Objects.requireNonNull(labels, "labels");
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("cannot adjudicate an empty list of labels");
        }
        String contentId = labels.get(0).getContentId();
        String policyId = labels.get(0).getPolicyId();
        for (ReviewLabel label : labels) {
            if (!contentId.equals(label.getContentId()) || !policyId.equals(label.getPolicyId())) {
                throw new IllegalArgumentException("labels of one (contentId, policyId) expected, got ("
                        + contentId + ", " + policyId + ") and (" + label.getContentId() + ", "
                        + label.getPolicyId() + ")");
            }
        }
        List<ReviewLabel> distinct = distinct(labels);

        Verdict verdict = decide(distinct);
        ReviewLabel winner = verdict.winner();

        Boolean previousViolating = null;
        boolean appealOverturned = false;
        if (verdict.level() == Level.APPEAL) {
            List<ReviewLabel> before = distinct.stream()
                    .filter(l -> l.getLabelledAtMillis() < winner.getLabelledAtMillis())
                    .toList();
            if (!before.isEmpty()) {
                previousViolating = decide(before).violating();
                appealOverturned = previousViolating != verdict.violating();
            }
        }

        boolean anyViolating = distinct.stream().anyMatch(ReviewLabel::getViolating);
        boolean anyClean = distinct.stream().anyMatch(l -> !l.getViolating());
        int sampleLabels = (int)
                distinct.stream().filter(LabelAdjudicator::fromReviewSample).count();
        long last = distinct.stream()
                .mapToLong(ReviewLabel::getLabelledAtMillis)
                .max()
                .orElseThrow();
        return new Adjudication(
                contentId,
                policyId,
                verdict.violating(),
                verdict.severity(),
                normalised(winner.getSource()),
                winner.getReviewerId(),
                distinct.size(),
                sampleLabels,
                anyViolating && anyClean,
                winner.getLabelledAtMillis(),
                last,
                previousViolating,
                appealOverturned);
    }

    /** True for REVIEW and AUDIT labels: the ones that came through the review sample. */
    public static boolean fromReviewSample(ReviewLabel label) {
        String source = normalised(label.getSource());
        return REVIEW.equals(source) || AUDIT.equals(source);
    }

    private enum Level {
        APPEAL,
        ADJUDICATION,
        MAJORITY
    }

    private record Verdict(Level level, boolean violating, Double severity, ReviewLabel winner) {}

    private static Verdict decide(List<ReviewLabel> distinct) {
        List<ReviewLabel> appeals = new ArrayList<>();
        List<ReviewLabel> rulings = new ArrayList<>();
        List<ReviewLabel> votes = new ArrayList<>();
        for (ReviewLabel label : distinct) {
            switch (normalised(label.getSource())) {
                case APPEAL -> appeals.add(label);
                case ADJUDICATION -> rulings.add(label);
                default -> votes.add(label);
            }
        }
        if (!appeals.isEmpty()) {
            return single(Level.APPEAL, latest(appeals));
        }
        if (!rulings.isEmpty()) {
            return single(Level.ADJUDICATION, latest(rulings));
        }
        return majority(votes);
    }

    private static Verdict single(Level level, ReviewLabel winner) {
        Double severity = winner.getViolating() ? finiteOrNull(winner.getSeverity()) : null;
        return new Verdict(level, winner.getViolating(), severity, winner);
    }

    private static Verdict majority(List<ReviewLabel> labels) {
        // one vote per reviewer: their latest label
        Map<String, ReviewLabel> byReviewer = new TreeMap<>();
        for (ReviewLabel label : labels) {
            byReviewer.merge(label.getReviewerId(), label, (a, b) -> LATEST_FIRST.compare(a, b) <= 0 ? a : b);
        }
        List<ReviewLabel> votes = new ArrayList<>(byReviewer.values());
        long yes = votes.stream().filter(ReviewLabel::getViolating).count();
        long no = votes.size() - yes;
        boolean violating = yes == no ? latest(votes).getViolating() : yes > no;
        List<ReviewLabel> majority =
                votes.stream().filter(v -> v.getViolating() == violating).toList();
        Double severity = null;
        if (violating) {
            double[] severities = majority.stream()
                    .map(ReviewLabel::getSeverity)
                    .filter(s -> s != null && Double.isFinite(s))
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            if (severities.length > 0) {
                severity = Arrays.stream(severities).sum() / severities.length;
            }
        }
        return new Verdict(Level.MAJORITY, violating, severity, latest(majority));
    }

    private static ReviewLabel latest(List<ReviewLabel> labels) {
        return labels.stream().min(LATEST_FIRST).orElseThrow();
    }

    private record Key(String reviewerId, String source, boolean violating, long labelledAtMillis) {}

    /** Distinct labels by (reviewerId, source, verdict, time), keeping the highest severity of duplicates. */
    private static List<ReviewLabel> distinct(List<ReviewLabel> labels) {
        Map<Key, ReviewLabel> byKey = new HashMap<>();
        for (ReviewLabel label : labels) {
            Key key = new Key(
                    label.getReviewerId(),
                    normalised(label.getSource()),
                    label.getViolating(),
                    label.getLabelledAtMillis());
            byKey.merge(key, label, (a, b) -> severityRank(b) > severityRank(a) ? b : a);
        }
        List<ReviewLabel> distinct = new ArrayList<>(byKey.values());
        distinct.sort(LATEST_FIRST);
        return distinct;
    }

    private static double severityRank(ReviewLabel label) {
        Double s = finiteOrNull(label.getSeverity());
        return s == null ? Double.NEGATIVE_INFINITY : s;
    }

    private static Double finiteOrNull(Double value) {
        return value != null && Double.isFinite(value) ? value : null;
    }

    static String normalised(String source) {
        return source == null ? "" : source.trim().toUpperCase(Locale.ROOT);
    }
}
