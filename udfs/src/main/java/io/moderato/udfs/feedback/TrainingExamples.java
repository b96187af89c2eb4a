package io.moderato.udfs.feedback;

import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.ShadowScore;
import io.moderato.schemas.TrainingExample;
import io.moderato.schemas.WindowedUserRisk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link TrainingExample} of one adjudicated (item, policy): the inputs exactly as the
 * DetectionJob scored them (modality scores, context features, fused risk, model feature vectors,
 * model and config versions, band, user risk, shadow scores), the adjudicated label, its weight
 * 1/propensity and its provenance. Every nested record is deep-copied, so the example shares no
 * mutable Avro object with the decision held in state.
 */
public final class TrainingExamples {

    private TrainingExamples() {}

    /**
     * The training example of {@code policy} (one of {@code decision}'s policy decisions) labelled by
     * {@code adjudication}.
     *
     * <p>{@code labelledAtMillis} is the adjudication's {@link Adjudication#lastLabelledAtMillis()} (the
     * time it is "as of"), so a re-emitted example never carries an earlier time than the one it
     * replaces. {@code modelVersions} keeps the decision's active models of the modalities this policy
     * has a score for.
     *
     * @throws IllegalArgumentException when the propensity is not in (0, 1] (the weight 1/propensity
     *         would be infinite or meaningless), when the decision has no config version for the policy,
     *         or when the three arguments are not about the same item and policy; the message names the
     *         contentId and policyId
     */
    public static TrainingExample of(RiskDecision decision, PolicyDecision policy, Adjudication adjudication) {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(adjudication, "adjudication");
        String contentId = decision.getContentId();
        String policyId = policy.getPolicyId();
        String what = "contentId " + contentId + ", policy " + policyId;
        if (!contentId.equals(adjudication.contentId()) || !policyId.equals(adjudication.policyId())) {
            throw new IllegalArgumentException("adjudication of contentId " + adjudication.contentId() + ", policy "
                    + adjudication.policyId() + " does not belong to the decision of " + what);
        }
        if (!decision.getPolicies().contains(policy)) {
            throw new IllegalArgumentException(
                    "policy decision " + policyId + " is not one of the decision's for " + what);
        }
        double propensity = policy.getPropensity();
        if (!(propensity > 0.0 && propensity <= 1.0)) {
            throw new IllegalArgumentException(
                    "propensity must be in (0, 1] to weight a training example, got " + propensity + " for " + what);
        }
        Long configVersion = decision.getConfigVersions().get(policyId);
        if (configVersion == null) {
            throw new IllegalArgumentException("decision has no config version for " + what + " (configVersions "
                    + decision.getConfigVersions().keySet() + ")");
        }

        return TrainingExample.newBuilder()
                .setContentId(contentId)
                .setPolicyId(policyId)
                .setUserId(decision.getUserId())
                .setSurface(decision.getSurface())
                .setLocale(decision.getLocale())
                .setViolating(adjudication.violating())
                .setSeverity(adjudication.severity())
                .setLabelSource(adjudication.source())
                .setLabelCount(adjudication.labelCount())
                .setConflicting(adjudication.conflicting())
                .setPropensity(propensity)
                .setWeight(1.0 / propensity)
                .setAuditSampled(policy.getAuditSampled())
                .setBand(policy.getBand())
                .setFusedRisk(policy.getFusedRisk())
                .setModalityScores(new LinkedHashMap<>(policy.getModalityScores()))
                .setContextFeatures(new LinkedHashMap<>(decision.getContextFeatures()))
                .setFeatures(copyFeatures(decision.getFeatures()))
                .setUserRisk(WindowedUserRisk.newBuilder(policy.getUserRisk()).build())
                .setShadowScores(copyShadowScores(policy.getShadowScores()))
                .setModelVersions(modelsOf(decision.getModelVersions(), policy.getModalityScores()))
                .setConfigVersion(configVersion)
                .setLate(decision.getLate())
                .setEventTimeMillis(decision.getEventTimeMillis())
                .setDecidedAtMillis(decision.getDecidedAtMillis())
                .setLabelledAtMillis(adjudication.lastLabelledAtMillis())
                .build();
    }

    private static List<FeatureVector> copyFeatures(List<FeatureVector> features) {
        List<FeatureVector> out = new ArrayList<>(features.size());
        for (FeatureVector f : features) {
            out.add(FeatureVector.newBuilder(f).build());
        }
        return out;
    }

    private static List<ShadowScore> copyShadowScores(List<ShadowScore> scores) {
        List<ShadowScore> out = new ArrayList<>(scores.size());
        for (ShadowScore s : scores) {
            out.add(ShadowScore.newBuilder(s).build());
        }
        return out;
    }

    /** The active models of the modalities the policy has a score for (a model may serve several policies). */
    private static List<ModelVersion> modelsOf(List<ModelVersion> models, Map<String, Double> modalityScores) {
        List<ModelVersion> out = new ArrayList<>();
        for (ModelVersion m : models) {
            if (modalityScores.containsKey(m.getModality())) {
                out.add(ModelVersion.newBuilder(m).build());
            }
        }
        return out;
    }
}
