package io.moderato.jobs.common;

import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.ConfigVerdict;
import io.moderato.udfs.config.PolicyConfigEvaluator;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The policy configs in force: one per policy id, the latest accepted from the config stream,
 * else the job's default. Submissions are judged by {@link PolicyConfigEvaluator} against the
 * latest accepted one (never against a default, so a fresh config topic may start at any version);
 * an invalid or stale submission leaves the current config in place. Deterministic, so every
 * operator that sees the same config stream holds the same book.
 */
public final class PolicyBook {

    /** The verdict on a submission and the config it would replace (null for the first of a policy). */
    public record Outcome(ConfigVerdict verdict, PolicyConfig previous) {
        public boolean accepted() {
            return "ACCEPTED".equals(verdict.status());
        }
    }

    private final Map<String, PolicyConfig> defaults = new TreeMap<>();
    private final Map<String, PolicyConfig> submitted = new TreeMap<>();

    public PolicyBook(List<PolicyConfig> defaults) {
        for (PolicyConfig config : defaults) {
            this.defaults.put(config.getPolicyId(), config);
        }
    }

    public Outcome offer(PolicyConfig config) {
        return offer(config, c -> List.of());
    }

    /**
     * As {@link #offer(PolicyConfig)}, with checks beyond the config's own rules (e.g. that its
     * models load) run on a config the rules accept; any violation they return rejects it.
     */
    public Outcome offer(PolicyConfig config, Function<PolicyConfig, List<String>> moreChecks) {
        PolicyConfig previous = submitted.get(config.getPolicyId());
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(previous, config);
        PolicyConfig inForce = previous == null ? defaults.get(config.getPolicyId()) : previous;
        if (previous == null && inForce != null) {
            // judged as a first submission, but the reason and the audit name the default it leaves in force
            verdict = new ConfigVerdict(verdict.status(), verdict.violations(), inForce.getVersion());
        }
        if (verdict.accepted()) {
            List<String> more = moreChecks.apply(config);
            if (!more.isEmpty()) {
                verdict = new ConfigVerdict(ConfigVerdict.REJECTED, more, verdict.previousVersion());
            }
        }
        Outcome outcome = new Outcome(verdict, inForce);
        if (outcome.accepted()) {
            submitted.put(config.getPolicyId(), config);
        }
        return outcome;
    }

    /** Re-adds a config accepted before a restore (the newest version per policy wins). */
    public void restore(PolicyConfig accepted) {
        submitted.merge(accepted.getPolicyId(), accepted, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
    }

    /** The config in force for each policy, ordered by policy id. */
    public Collection<PolicyConfig> current() {
        Map<String, PolicyConfig> current = new TreeMap<>(defaults);
        current.putAll(submitted);
        return current.values();
    }

    public PolicyConfig get(String policyId) {
        PolicyConfig config = submitted.get(policyId);
        return config != null ? config : defaults.get(policyId);
    }

    /** Only the configs accepted from the stream (what operator state must keep). */
    public Collection<PolicyConfig> submitted() {
        return new LinkedHashMap<>(submitted).values();
    }
}
