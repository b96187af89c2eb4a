package io.moderato.udfs.config;

import java.util.List;

/**
 * What to do with a submitted policy config, in the terms of {@code ConfigAudit}: ACCEPTED (now in
 * force), REJECTED (invalid; {@code violations} says why and the previous config stays) or
 * IGNORED_STALE (version not above the one in force). {@code previousVersion} is the version in
 * force before the submission, null when the policy had none.
 */
public record ConfigVerdict(String status, List<String> violations, Long previousVersion) {

    public static final String ACCEPTED = "ACCEPTED";
    public static final String REJECTED = "REJECTED";
    public static final String IGNORED_STALE = "IGNORED_STALE";

    public ConfigVerdict {
        violations = violations == null ? List.of() : List.copyOf(violations);
    }

    public boolean accepted() {
        return ACCEPTED.equals(status);
    }

    /** Longest {@link #reason}: one line of a config.audit record. */
    public static final int MAX_REASON_CHARS = 1024;

    /**
     * The one-line {@code ConfigAudit.reason} for this verdict on a config of the given version, at
     * most {@value #MAX_REASON_CHARS} characters: null when accepted.
     */
    public String reason(long submittedVersion) {
        if (REJECTED.equals(status)) {
            int n = violations.size();
            String stays = previousVersion == null
                    ? ", the policy has no config in force"
                    : ", version " + previousVersion + " stays in force";
            String detail = String.join("; ", violations);
            int room = MAX_REASON_CHARS - 40 - stays.length();
            if (detail.length() > room) {
                detail = detail.substring(0, Math.max(0, room)) + "…";
            }
            return "invalid: " + n + (n == 1 ? " violation" : " violations") + " (" + detail + ")" + stays;
        }
        if (IGNORED_STALE.equals(status)) {
            return "version " + submittedVersion + " is not above version " + previousVersion + " in force";
        }
        return null;
    }
}
