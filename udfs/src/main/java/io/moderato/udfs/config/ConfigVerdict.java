package io.moderato.udfs.config;

import java.util.List;

/**
 * What to do with a submitted policy config, in the terms of {@code ConfigAudit}: ACCEPTED (now in
 * force), REJECTED (invalid; {@code violations} says why and the previous config stays) or
 * IGNORED_STALE (version not above the one in force). {@code previousVersion} is the version in
 * force before the submission, null when the policy had none; {@code reason} is the one-line
 * {@code ConfigAudit.reason} (null when accepted).
 */
public record ConfigVerdict(String status, List<String> violations, Long previousVersion, String reason) {

    public static final String ACCEPTED = "ACCEPTED";
    public static final String REJECTED = "REJECTED";
    public static final String IGNORED_STALE = "IGNORED_STALE";

    public ConfigVerdict {
        violations = violations == null ? List.of() : List.copyOf(violations);
    }

    /** Without a reason (kept for callers that build verdicts by hand). */
    public ConfigVerdict(String status, List<String> violations, Long previousVersion) {
        this(status, violations, previousVersion, null);
    }

    public boolean accepted() {
        return ACCEPTED.equals(status);
    }
}
