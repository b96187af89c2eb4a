package io.moderato.udfs.decision;

import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyVerdict;
import io.moderato.udfs.fusion.ContextFeatures;
import java.util.List;
import java.util.Map;

/**
 * The fast verdict on a pre-publish item, from the item alone (issue 10, item 14). Per policy it is
 * {@link PolicyDecider#itemOnly}, the decider's own per-item path — fusion, fail-safe, bands — for an
 * author the job knows nothing about ({@link ContextFeatures#of ContextFeatures.of(null)}) and without
 * the author's window, so nothing escalates; the item's verdict is the most severe band over its policies. It depends only
 * on its arguments, so a replay of the same item under the same configs gives the same verdict.
 *
 * <p>Relation to the decision the DetectionJob's decider makes later on the same item under the same
 * config version (tested in {@code PrepublishDeciderTest}): when the decider holds no signal for the
 * author, the fused risk is the same and the final band is at least as severe — it differs only when
 * the author's window escalates ALLOW to HOLD. A signal the policy weights ({@code ctx.*} fusion
 * weights) adds its weighted terms to the final risk, which can move it either way (the shipped spam
 * policy weights {@code ctx.verified} −0.7 and {@code ctx.new_account} +0.8).
 */
public final class PrepublishDecider {

    private static final Map<String, Double> UNKNOWN_AUTHOR = ContextFeatures.of(null);
    // the audit draw is not part of a verdict (review sampling is the final decision's business)
    private final PolicyDecider decider = new PolicyDecider(new DeterministicSampler(0L), 0);

    /**
     * The verdict of {@code config} on a pre-publish item, or null when the policy has nothing to decide
     * on (none of the item's modalities is one its active models score, and none failed to score).
     *
     * @param modalityScores scores of the policy's active models on the item, by modality
     * @param problems       why a modality the item carries could not be scored for the policy
     */
    public PolicyVerdict decide(PolicyConfig config, Map<String, Double> modalityScores, List<String> problems) {
        PolicyDecider.ItemOnly itemOnly = decider.itemOnly(config, modalityScores, problems, UNKNOWN_AUTHOR, true);
        if (itemOnly == null) {
            return null;
        }
        String band = itemOnly.banding().band();
        return PolicyVerdict.newBuilder()
                .setPolicyId(config.getPolicyId())
                .setBand(band)
                .setAction(PolicyDecider.action(config, band))
                .setFusedRisk(itemOnly.risk().risk())
                .setModalityScores(modalityScores)
                .setScoringProblems(problems)
                .build();
    }

    /** The most severe band of {@code verdicts} (BLOCK, then HOLD, then ALLOW); ALLOW when there is none. */
    public static String verdict(List<PolicyVerdict> verdicts) {
        String worst = Bands.ALLOW;
        for (PolicyVerdict v : verdicts) {
            if (severity(v.getBand()) > severity(worst)) {
                worst = v.getBand();
            }
        }
        return worst;
    }

    /**
     * 0 for ALLOW, 1 for HOLD / REVIEW, 2 for BLOCK / ACTION; a band this code does not know counts as
     * a hold (the schemas tell readers to treat unknown bands as review).
     */
    public static int severity(String band) {
        if (Bands.ALLOW.equals(band)) {
            return 0;
        }
        return Bands.isAction(band) ? 2 : 1;
    }
}
