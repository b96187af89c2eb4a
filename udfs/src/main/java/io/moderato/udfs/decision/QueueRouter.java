package io.moderato.udfs.decision;

import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewQueue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the review queue of a policy for a content locale: the first of
 * {@code PolicyConfig.reviewQueues} (in order) whose locales match (empty = any locale; a queue
 * locale matches the content locale exactly or as its language prefix, so "en" takes "en-GB"; BCP 47
 * is case-insensitive and '_' is read as '-') and whose minSeverity is ≤ the policy's severity.
 * When none matches, the fallback queue {@code "<policyId>.default"}, so no task is ever dropped
 * for want of a queue.
 */
public final class QueueRouter {

    /** Locale assumed when the content has none (BCP 47 "undetermined"). */
    public static final String UNDETERMINED = "und";

    private QueueRouter() {}

    /** First ReviewQueue of the config whose locales (empty = any; match exact locale or its language prefix "en" for "en-GB") and minSeverity (<= config severity) match; else the fallback name "<policyId>.default". */
    public static String queueFor(PolicyConfig config, String locale) {
        return matching(config, locale).map(ReviewQueue::getName).orElseGet(() -> fallbackQueue(config.getPolicyId()));
    }

    /** The matching queue itself (for its capacity and SLA); empty when the fallback applies. */
    public static Optional<ReviewQueue> matching(PolicyConfig config, String locale) {
        String content = normalize(locale);
        List<ReviewQueue> queues = config.getReviewQueues() == null ? List.of() : config.getReviewQueues();
        for (ReviewQueue q : queues) {
            if (q.getMinSeverity() <= config.getSeverity() && localeMatches(q.getLocales(), content)) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }

    /** The queue used when no configured queue matches. */
    public static String fallbackQueue(String policyId) {
        return policyId + ".default";
    }

    private static boolean localeMatches(List<String> queueLocales, String content) {
        if (queueLocales == null || queueLocales.isEmpty()) {
            return true;
        }
        for (String l : queueLocales) {
            String q = normalize(l);
            if (content.equals(q) || content.startsWith(q + "-")) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String locale) {
        if (locale == null || locale.isBlank()) {
            return UNDETERMINED;
        }
        return locale.trim().replace('_', '-').toLowerCase(Locale.ROOT);
    }
}
