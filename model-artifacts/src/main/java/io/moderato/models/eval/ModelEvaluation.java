package io.moderato.models.eval;

import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scores labelled texts the way the engine does — through a {@link TextScorer} from the udfs {@code ModelRegistry},
 * featurizer and calibration from the manifest, batches of {@value #BATCH} — and evaluates one policy column. The
 * single code path behind {@code scripts/evaluate.sh}, the trainers' model cards and the test that re-checks the
 * cards.
 */
public final class ModelEvaluation {

    public static final int BATCH = 64;

    private ModelEvaluation() {}

    /** Probabilities per policy (in output-column order), one array entry per text. */
    public static Map<String, double[]> score(TextScorer scorer, List<String> texts, Consumer<String> progress) {
        List<String> policies = scorer.model().policies();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String policy : policies) {
            out.put(policy, new double[texts.size()]);
        }
        long started = System.nanoTime();
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + BATCH));
            ScoreBatch scores = scorer.scoreTexts(batch);
            for (int p = 0; p < policies.size(); p++) {
                double[] column = out.get(policies.get(p));
                for (int i = 0; i < batch.size(); i++) {
                    column[from + i] = scores.probability(i, p);
                }
            }
            int done = from + batch.size();
            if (done % 10_000 < BATCH || done == texts.size()) {
                progress.accept(String.format(
                        java.util.Locale.ROOT,
                        "scored %,d/%,d texts (%.0f/s)",
                        done,
                        texts.size(),
                        done / Math.max(1e-9, (System.nanoTime() - started) / 1e9)));
            }
        }
        return out;
    }

    /**
     * The policy thresholds of {@code policy} in the manifest's {@code defaultThresholds} ({@code <policy>.review},
     * {@code <policy>.action}, in that order), which the shipped policy defaults use too.
     */
    public static Map<String, Double> policyThresholds(ModelManifest manifest, String policy) {
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (String name : List.of("review", "action")) {
            Double t = manifest.defaultThresholds().get(policy + "." + name);
            if (t != null) {
                thresholds.put(name, t);
            }
        }
        return thresholds;
    }

    /** Evaluates {@code policy}'s scores against labels at the manifest's thresholds (plus {@code extra} ones). */
    public static HeadEvaluation evaluate(
            ModelManifest manifest,
            String policy,
            double[] scores,
            boolean[] positive,
            String positiveDefinition,
            String[] labels,
            Map<String, Double> extra) {
        if (!manifest.policies().contains(policy)) {
            throw new IllegalArgumentException(
                    "model " + manifest.id() + " scores " + manifest.policies() + ", not '" + policy + "'");
        }
        Map<String, Double> thresholds = policyThresholds(manifest, policy);
        thresholds.putAll(extra);
        return HeadEvaluation.of(policy, positiveDefinition, scores, positive, thresholds, labels);
    }

    /** Convenience for trainers: score and evaluate every (policy → labels) pair at the manifest's thresholds. */
    public static List<HeadEvaluation> evaluateAll(
            TextScorer scorer, List<String> texts, Map<String, boolean[]> labels, Map<String, String> definitions) {
        Map<String, double[]> scores = score(scorer, texts, m -> {});
        List<HeadEvaluation> out = new ArrayList<>();
        labels.forEach((policy, positive) -> out.add(evaluate(
                scorer.model().manifest(),
                policy,
                scores.get(policy),
                positive,
                definitions.get(policy),
                null,
                Map.of())));
        return out;
    }
}
