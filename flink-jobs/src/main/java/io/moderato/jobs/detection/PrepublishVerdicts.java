package io.moderato.jobs.detection;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyVerdict;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.udfs.decision.ItemDecider;
import io.moderato.udfs.decision.PrepublishDecider;
import io.moderato.udfs.model.ContentScorer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link PrepublishVerdict} of a pre-publish item right after scoring: for every policy in
 * force that applies to it, {@link PrepublishDecider} on the policy's active scores and scoring problems,
 * read as the decider reads them ({@link ItemDecider}). Everything but the decision time is a function
 * of the item's scores and the configs, so a replay writes the same record.
 */
final class PrepublishVerdicts {

    private final PrepublishDecider decider = new PrepublishDecider();

    PrepublishVerdict verdict(
            ContentEvent event,
            List<ContentScorer.Score> scores,
            List<ContentScorer.Problem> problems,
            Collection<PolicyConfig> configs,
            long decidedAtMillis) {
        List<PolicyVerdict> policies = new ArrayList<>();
        Set<ModelVersion> modelsUsed = new LinkedHashSet<>();
        Map<String, Long> configVersions = new TreeMap<>();
        for (PolicyConfig config : configs) {
            if (!ItemDecider.appliesTo(config, event.getSurface())) {
                continue;
            }
            PolicyVerdict verdict = decider.decide(
                    config,
                    ItemDecider.modalityScores(scores, config, modelsUsed),
                    ItemDecider.problems(problems, config));
            if (verdict != null) {
                policies.add(verdict);
                configVersions.put(config.getPolicyId(), config.getVersion());
            }
        }
        return PrepublishVerdict.newBuilder()
                .setContentId(event.getContentId())
                .setUserId(event.getUserId())
                .setSurface(event.getSurface())
                .setEventTimeMillis(event.getEventTimeMillis())
                .setDecidedAtMillis(decidedAtMillis)
                .setVerdict(PrepublishDecider.verdict(policies))
                .setPolicies(policies)
                .setModelVersions(new ArrayList<>(modelsUsed))
                .setConfigVersions(configVersions)
                .build();
    }
}
