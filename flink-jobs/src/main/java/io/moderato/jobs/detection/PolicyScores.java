package io.moderato.jobs.detection;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.ScoringProblem;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one policy gets to decide on out of a scored item: whether it applies, its active models'
 * scores by modality and the scoring problems of those models. Shared by the decider and the
 * pre-publish verdicts, so both read the scorer's output the same way.
 */
final class PolicyScores {

    private PolicyScores() {}

    /** An enabled policy applies to the surfaces it lists, or to all when it lists none. */
    static boolean appliesTo(PolicyConfig config, ContentEvent event) {
        return config.getEnabled()
                && (config.getSurfaces().isEmpty() || config.getSurfaces().contains(event.getSurface()));
    }

    /**
     * Scores of the policy's active models, one per modality (the policy's own output column); each model
     * used is added to {@code modelsUsed}.
     */
    static Map<String, Double> activeScores(List<ModelScore> scores, PolicyConfig config, Set<ModelVersion> modelsUsed) {
        Map<String, Double> byModality = new TreeMap<>();
        for (ModelScore score : scores) {
            if (score.getShadow() || !score.getPolicyId().equals(config.getPolicyId())) {
                continue;
            }
            for (ModelVersion active : config.getActiveModels()) {
                // match on modality and model name: if a new version failed to load, the working one scored
                if (active.getModality().equals(score.getModality()) && active.getName().equals(score.getModel())) {
                    byModality.put(score.getModality(), score.getScore());
                    modelsUsed.add(new ModelVersion(score.getModality(), score.getModel(), score.getVersion()));
                }
            }
        }
        return byModality;
    }

    /** The scoring problems on modalities this policy's active models score. */
    static List<String> problems(List<ScoringProblem> problems, PolicyConfig config) {
        List<String> mine = new ArrayList<>();
        for (ScoringProblem problem : problems) {
            for (ModelVersion active : config.getActiveModels()) {
                if (active.getModality().equals(problem.getModality()) && active.getName().equals(problem.getModel())) {
                    mine.add(problem.getReason());
                }
            }
        }
        return mine;
    }
}
