package io.moderato.udfs.config;

import io.moderato.schemas.PolicyConfig;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a submitted policy config replaces the one in force. Validity is checked first,
 * so an invalid submission is always REJECTED with all its violations (also when stale: the
 * publisher learns what is wrong); a valid one is IGNORED_STALE unless its version is strictly
 * above the current one (a resubmitted equal version is stale, which makes replays of the
 * compacted config topic after a restore harmless), else ACCEPTED.
 */
public final class PolicyConfigEvaluator {

    private PolicyConfigEvaluator() {}

    /**
     * current may be null. Stale = submitted.version <= current.version (an equal version resubmitted is stale, too). Invalid → REJECTED (current stays).
     *
     * @throws IllegalArgumentException when both configs are given and their policy ids differ (a wiring bug)
     */
    public static ConfigVerdict evaluate(PolicyConfig current, PolicyConfig submitted) {
        Long previous = current == null ? null : current.getVersion();
        if (current != null && submitted != null && !Objects.equals(current.getPolicyId(), submitted.getPolicyId())) {
            throw new IllegalArgumentException("config for policy '" + submitted.getPolicyId()
                    + "' evaluated against the config of policy '" + current.getPolicyId() + "'");
        }
        List<String> violations = PolicyConfigValidator.violations(submitted);
        if (!violations.isEmpty()) {
            return new ConfigVerdict(ConfigVerdict.REJECTED, violations, previous);
        }
        if (previous != null && submitted.getVersion() <= previous) {
            return new ConfigVerdict(ConfigVerdict.IGNORED_STALE, List.of(), previous);
        }
        return new ConfigVerdict(ConfigVerdict.ACCEPTED, List.of(), previous);
    }
}
