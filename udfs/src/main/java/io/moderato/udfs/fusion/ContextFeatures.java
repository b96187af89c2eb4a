package io.moderato.udfs.fusion;

import io.moderato.schemas.UserSignal;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a user's latest {@link UserSignal} into the context features that fusion may weight. Every
 * feature is bounded or log-compressed so that one weight means the same thing for a new and an
 * old account, and the set of keys is the same for known and unknown users.
 *
 * <ul>
 *   <li>{@value #NEW_ACCOUNT} = exp(−accountAgeDays / 30): 1 for a brand-new account, 0.37 at a month;</li>
 *   <li>{@value #PRIOR_STRIKES} = ln(1 + priorStrikes);</li>
 *   <li>{@value #RECENT_REPORTS} = ln(1 + recentReports);</li>
 *   <li>{@value #VERIFIED} = 1 when verified, else 0;</li>
 *   <li>{@value #UNKNOWN_USER} = 1 when no signal is known for the user (then all the others are 0,
 *       so a policy can weight "unknown" on its own instead of pretending the account is new);</li>
 *   <li>{@code ctx.<name>} for each finite entry of {@code UserSignal.extraFeatures} whose key does
 *       not collide with the five above, so a new upstream feature needs no code change.</li>
 * </ul>
 * Negative counts and ages (bad upstream data) are clamped to 0.
 */
public final class ContextFeatures {

    public static final String PREFIX = "ctx.";
    public static final String NEW_ACCOUNT = "ctx.new_account";
    public static final String PRIOR_STRIKES = "ctx.prior_strikes";
    public static final String RECENT_REPORTS = "ctx.recent_reports";
    public static final String VERIFIED = "ctx.verified";
    public static final String UNKNOWN_USER = "ctx.unknown_user";

    /** Account age (days) at which {@value #NEW_ACCOUNT} has decayed to 1/e. */
    public static final double NEW_ACCOUNT_SCALE_DAYS = 30.0;

    private ContextFeatures() {}

    /** The context features of a user; {@code signalOrNull == null} means the user is unknown. Sorted by key, unmodifiable. */
    public static Map<String, Double> of(UserSignal signalOrNull) {
        SortedMap<String, Double> features = new TreeMap<>();
        if (signalOrNull == null) {
            features.put(NEW_ACCOUNT, 0.0);
            features.put(PRIOR_STRIKES, 0.0);
            features.put(RECENT_REPORTS, 0.0);
            features.put(VERIFIED, 0.0);
            features.put(UNKNOWN_USER, 1.0);
            return Collections.unmodifiableSortedMap(features);
        }
        Map<String, Double> extra = signalOrNull.getExtraFeatures();
        if (extra != null) {
            extra.forEach((name, value) -> {
                if (name != null && !name.isBlank() && value != null && Double.isFinite(value)) {
                    features.put(PREFIX + name, value);
                }
            });
        }
        // the built-in features win over an extra feature of the same name
        features.put(NEW_ACCOUNT, Math.exp(-Math.max(0, signalOrNull.getAccountAgeDays()) / NEW_ACCOUNT_SCALE_DAYS));
        features.put(PRIOR_STRIKES, Math.log1p(Math.max(0, signalOrNull.getPriorStrikes())));
        features.put(RECENT_REPORTS, Math.log1p(Math.max(0, signalOrNull.getRecentReports())));
        features.put(VERIFIED, signalOrNull.getVerified() ? 1.0 : 0.0);
        features.put(UNKNOWN_USER, 0.0);
        return Collections.unmodifiableSortedMap(features);
    }
}
