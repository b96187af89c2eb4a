package io.moderato.udfs.feedback;

/**
 * The adjudicated verdict of every human label on one content item for one policy, as computed by
 * {@link LabelAdjudicator#adjudicate}. A pure value: the same set of labels, in any order and with
 * any number of exact duplicates, gives an equal {@code Adjudication}.
 *
 * @param contentId            the item the labels are about
 * @param policyId             the policy the labels are about
 * @param violating            the adjudicated label
 * @param severity             severity of the verdict when violating (the deciding label's, or for a
 *                             majority the mean of the majority's non-null severities); null when
 *                             not violating or not assessed
 * @param source               {@code ReviewLabel.source} of the deciding label, upper-case: APPEAL,
 *                             ADJUDICATION, or for a majority the source (REVIEW, AUDIT, ...) of the
 *                             latest label of the majority
 * @param reviewerId           reviewer of the deciding label
 * @param labelCount           distinct labels adjudicated (exact duplicates counted once)
 * @param sampleLabelCount     distinct REVIEW and AUDIT labels among them: labels that came through the
 *                             review sample (a routed task or a random audit), the only ones whose
 *                             1/propensity weight is a valid inverse-probability weight
 * @param conflicting          true when the distinct labels disagree on {@code violating}
 * @param labelledAtMillis     when the deciding label was given
 * @param lastLabelledAtMillis the latest {@code labelledAtMillis} of all labels: the time the
 *                             adjudication is "as of"; it never decreases as labels are added
 * @param previousViolating    when an appeal decided: the adjudication of the labels given before the
 *                             winning appeal (null when there were none, or when no appeal decided)
 * @param appealOverturned     true when an appeal decided and disagrees with {@code previousViolating}
 */
public record Adjudication(
        String contentId,
        String policyId,
        boolean violating,
        Double severity,
        String source,
        String reviewerId,
        int labelCount,
        int sampleLabelCount,
        boolean conflicting,
        long labelledAtMillis,
        long lastLabelledAtMillis,
        Boolean previousViolating,
        boolean appealOverturned) {

    /** True when the verdict was decided by an appeal (an APPEAL label always decides when present). */
    public boolean appealed() {
        return LabelAdjudicator.APPEAL.equals(source);
    }

    /** True when at least one label came through the review sample (REVIEW or AUDIT). */
    public boolean inReviewSample() {
        return sampleLabelCount > 0;
    }
}
