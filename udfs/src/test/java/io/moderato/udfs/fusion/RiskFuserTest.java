package io.moderato.udfs.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.Signal;
import io.moderato.udfs.model.Modality;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RiskFuserTest {

    private static final double EXACT = 1e-12;

    private static void assertContributions(FusedRisk fused, List<String> names, double... values) {
        assertThat(fused.topSignals()).extracting(Contribution::name).containsExactlyElementsOf(names);
        for (int i = 0; i < values.length; i++) {
            assertThat(fused.topSignals().get(i).contribution())
                    .as(names.get(i))
                    .isCloseTo(values[i], within(EXACT));
        }
    }

    @Test
    void shouldFuseWeightedLogitAsHandComputed() {
        Map<String, Double> weights = Map.of("text", 2.0, "image", 0.5, "ctx.prior_strikes", 0.7);
        Map<String, Double> context = Map.of("ctx.prior_strikes", Math.log(3), "ctx.verified", 1.0);
        FusedRisk fused =
                RiskFuser.fuse("weighted_logit", weights, -1.0, Map.of("text", 0.8, "image", 0.3), context, 5);
        // z = -1 + 2·logit(0.8) + 0.5·logit(0.3) + 0.7·ln 3 = 2.1179683941138565
        assertThat(fused.risk()).isCloseTo(0.8926373840188953, within(EXACT));
        assertContributions(
                fused,
                List.of("text", "ctx.prior_strikes", "image"),
                2.7725887222397816,
                0.7690286020676768,
                -0.4236489301936018);
    }

    @Test
    void shouldReturnTheModelScoreForASingleModalityWithDefaultWeights() {
        Map<String, Double> unweightedContext = ContextFeatures.of(null);
        for (double s : new double[] {1e-6, 0.001, 0.1, 0.37, 0.5, 0.8, 0.999, 1 - 1e-6}) {
            for (String modality : Modality.WIRE_NAMES) {
                FusedRisk fused =
                        RiskFuser.fuse("weighted_logit", Map.of(), 0.0, Map.of(modality, s), unweightedContext, 3);
                assertThat(fused.risk()).as("%s = %s", modality, s).isCloseTo(s, within(1e-12));
                assertThat(fused.topSignals()).extracting(Contribution::name).containsExactly(modality);
            }
        }
    }

    @Test
    void shouldClipExtremeScoresSoThatLogitStaysFinite() {
        assertThat(RiskFuser.fuse("weighted_logit", null, 0.0, Map.of("text", 1.0), null, 1)
                        .risk())
                .isCloseTo(1 - 1e-6, within(EXACT));
        assertThat(RiskFuser.fuse("weighted_logit", null, 0.0, Map.of("text", 0.0), null, 1)
                        .risk())
                .isCloseTo(1e-6, within(EXACT));
    }

    @Test
    void shouldSkipAMissingModalityInsteadOfTreatingItAsZero() {
        Map<String, Double> weights = Map.of("text", 1.0, "image", 1.0);
        FusedRisk textOnly = RiskFuser.fuse("weighted_logit", weights, 0.0, Map.of("text", 0.8), null, 5);
        FusedRisk imageZero =
                RiskFuser.fuse("weighted_logit", weights, 0.0, Map.of("text", 0.8, "image", 0.0), null, 5);
        assertThat(textOnly.risk()).isCloseTo(0.8, within(EXACT));
        assertThat(textOnly.topSignals()).extracting(Contribution::name).containsExactly("text");
        assertThat(imageZero.risk()).isLessThan(0.01);

        FusedRisk noisyOr =
                RiskFuser.fuse("noisy_or", Map.of("text", 0.5, "image", 0.9), 0.0, Map.of("text", 0.8), null, 5);
        assertThat(noisyOr.risk()).isCloseTo(0.4, within(EXACT));
        assertThat(noisyOr.topSignals()).extracting(Contribution::name).containsExactly("text");
    }

    @Test
    void shouldIgnoreContextFeaturesWithoutAWeight() {
        Map<String, Double> context = Map.of("ctx.prior_strikes", 2.0, "ctx.new_account", 1.0);
        FusedRisk fused = RiskFuser.fuse(
                "weighted_logit", Map.of("ctx.prior_strikes", 0.0), 0.0, Map.of("audio", 0.3), context, 5);
        assertThat(fused.risk()).isCloseTo(0.3, within(EXACT));
        assertThat(fused.topSignals()).extracting(Contribution::name).containsExactly("audio", "ctx.prior_strikes");
    }

    @Test
    void shouldSkipANonFiniteContextFeature() {
        FusedRisk fused = RiskFuser.fuse(
                "weighted_logit", Map.of("ctx.x", 1.0), 0.0, Map.of("text", 0.3), Map.of("ctx.x", Double.NaN), 5);
        assertThat(fused.risk()).isCloseTo(0.3, within(EXACT));
    }

    @Test
    void shouldFuseNoisyOrAsHandComputed() {
        Map<String, Double> weights = Map.of("image", 0.9, "audio", 0.7, "video", 0.9);
        FusedRisk fused =
                RiskFuser.fuse("noisy_or", weights, 5.0 /* ignored */, Map.of("image", 0.5, "audio", 0.4), null, 5);
        // 1 - (1 - 0.9·0.5)(1 - 0.7·0.4) = 1 - 0.55·0.72
        assertThat(fused.risk()).isCloseTo(0.604, within(EXACT));
        assertContributions(fused, List.of("image", "audio"), 0.5978370007556204, 0.3285040669720361);
        double sum = fused.topSignals().stream()
                .mapToDouble(Contribution::contribution)
                .sum();
        assertThat(sum).isCloseTo(-Math.log(1 - fused.risk()), within(EXACT));
    }

    @Test
    void shouldClipWeightedContextFeaturesToProbabilitiesInNoisyOr() {
        Map<String, Double> weights = Map.of("image", 0.9, "audio", 0.7, "ctx.prior_strikes", 0.5);
        Map<String, Double> context = Map.of("ctx.prior_strikes", Math.log(6), "ctx.verified", 1.0);
        FusedRisk fused = RiskFuser.fuse("noisy_or", weights, 0.0, Map.of("image", 0.5, "audio", 0.4), context, 5);
        // ln 6 = 1.79 clips to 1, so the feature contributes 0.5
        assertThat(fused.risk()).isCloseTo(0.802, within(EXACT));
        assertThat(fused.topSignals())
                .extracting(Contribution::name)
                .containsExactly("ctx.prior_strikes", "image", "audio");
    }

    @Test
    void shouldKeepNoisyOrContributionsFiniteAtCertainty() {
        FusedRisk fused = RiskFuser.fuse("noisy_or", Map.of(), 0.0, Map.of("text", 1.0, "image", 0.2), null, 5);
        assertThat(fused.risk()).isEqualTo(1.0);
        assertThat(fused.topSignals().get(0).contribution()).isCloseTo(-Math.log(1e-6), within(1e-6));
    }

    @Test
    void shouldFuseMaxAsTheLargestWeightedScore() {
        FusedRisk fused = RiskFuser.fuse(
                "max", Map.of("image", 1.0, "video", 0.8), 0.0, Map.of("image", 0.3, "video", 0.9), null, 5);
        assertThat(fused.risk()).isCloseTo(0.72, within(EXACT));
        assertContributions(fused, List.of("video", "image"), 0.72, 0.3);
    }

    @Test
    void shouldBreakTiesByNameAndLimitToTopK() {
        Map<String, Double> scores = Map.of("video", 0.6, "audio", 0.6, "image", 0.6, "text", 0.1);
        FusedRisk fused = RiskFuser.fuse("max", Map.of(), 0.0, scores, null, 3);
        assertThat(fused.topSignals()).extracting(Contribution::name).containsExactly("audio", "image", "video");
        assertThat(RiskFuser.fuse("max", Map.of(), 0.0, scores, null, 0).topSignals())
                .isEmpty();
        assertThat(RiskFuser.fuse("max", Map.of(), 0.0, scores, null, 10).topSignals())
                .hasSize(4);
    }

    @Test
    void shouldRankByAbsoluteContributionSoThatStrongNegativeSignalsAppear() {
        FusedRisk fused = RiskFuser.fuse(
                "weighted_logit",
                Map.of("ctx.verified", -3.0),
                0.0,
                Map.of("text", 0.7),
                Map.of("ctx.verified", 1.0),
                1);
        assertThat(fused.topSignals()).containsExactly(new Contribution("ctx.verified", -3.0));
    }

    @Test
    void shouldNotDependOnMapIterationOrder() {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            Map<String, Double> scores = new LinkedHashMap<>();
            Map<String, Double> weights = new HashMap<>();
            for (String m : Modality.WIRE_NAMES) {
                if (random.nextBoolean() || scores.isEmpty()) {
                    scores.put(m, random.nextDouble());
                }
                weights.put(m, random.nextDouble());
            }
            Map<String, Double> reversed = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(scores.keySet());
            Collections.reverse(keys);
            keys.forEach(k -> reversed.put(k, scores.get(k)));
            for (String strategy : RiskFuser.STRATEGIES) {
                FusedRisk a = RiskFuser.fuse(strategy, weights, 0.3, scores, ContextFeatures.of(null), 5);
                FusedRisk b = RiskFuser.fuse(strategy, weights, 0.3, reversed, ContextFeatures.of(null), 5);
                assertThat(b).isEqualTo(a);
            }
        }
    }

    @Test
    void shouldUseTheStrategyWeightsAndBiasOfAPolicyConfig() {
        PolicyConfig config = io.moderato.udfs.config.TestPolicies.valid()
                .setFusionStrategy("noisy_or")
                .setFusionWeights(Map.of("image", 0.9, "audio", 0.7))
                .build();
        assertThat(RiskFuser.fuse(config, Map.of("image", 0.5, "audio", 0.4), null, 3))
                .isEqualTo(RiskFuser.fuse(
                        "noisy_or",
                        Map.of("image", 0.9, "audio", 0.7),
                        0.0,
                        Map.of("image", 0.5, "audio", 0.4),
                        null,
                        3));
    }

    @Test
    void shouldConvertTopSignalsToTheWireRecord() {
        FusedRisk fused = RiskFuser.fuse("max", Map.of(), 0.0, Map.of("text", 0.4), null, 1);
        assertThat(fused.topSignalsAsAvro()).containsExactly(new Signal("text", 0.4));
    }

    @Test
    void shouldRefuseAnUnknownStrategyNamingIt() {
        assertThatThrownBy(() -> RiskFuser.fuse("softmax", Map.of(), 0.0, Map.of("text", 0.5), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'softmax'");
        assertThatThrownBy(() -> RiskFuser.fuse(null, Map.of(), 0.0, Map.of("text", 0.5), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'null'");
    }

    @Test
    void shouldRefuseToFuseWithoutAnyModalityScore() {
        assertThatThrownBy(() -> RiskFuser.fuse("max", Map.of(), 0.0, Map.of(), Map.of("ctx.verified", 1.0), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no modality score");
        assertThatThrownBy(() -> RiskFuser.fuse("max", Map.of(), 0.0, null, null, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseNonFiniteScoresAndOutOfRangeProbabilityWeights() {
        assertThatThrownBy(() -> RiskFuser.fuse("weighted_logit", Map.of(), 0.0, Map.of("text", Double.NaN), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text = NaN");
        assertThatThrownBy(() -> RiskFuser.fuse("noisy_or", Map.of("text", 1.5), 0.0, Map.of("text", 0.5), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text = 1.5");
        assertThatThrownBy(() -> RiskFuser.fuse("weighted_logit", Map.of(), Double.NaN, Map.of("text", 0.5), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bias");
    }
}
