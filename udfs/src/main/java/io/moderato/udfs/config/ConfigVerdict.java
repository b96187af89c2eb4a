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

    /**
     * The one-line {@code ConfigAudit.reason} for this verdict on a config of the given version:
     * null when accepted.
     */
    public String reason(long submittedVersion) {
        if (REJECTED.equals(status)) {
            int n = violations.size();
            return "invalid: " + n + (n == 1 ? " violation" : " violations")
                    + (previousVersion == null ? ", the policy has no config in force" : ", version " + previousVersion + " stays in force");
        }
        if (IGNORED_STALE.equals(status)) {
            return "version " + submittedVersion + " is not above version " + previousVersion + " in force";
        }
        return null;
    }
}
