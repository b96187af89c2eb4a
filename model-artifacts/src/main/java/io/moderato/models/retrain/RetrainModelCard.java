package io.moderato.models.retrain;

import io.moderato.models.tribuo.BinaryLogisticRegression;
import io.moderato.udfs.metrics.ProportionEstimate;
import io.moderato.udfs.model.ModelManifest;
import java.util.Locale;
import java.util.Map;

/** {@code MODEL_CARD.md} of a model version written by {@link RetrainFromExamples}. */
final class RetrainModelCard {

    private RetrainModelCard() {}

    static String render(
            ModelManifest m,
            ModelManifest parent,
            RetrainFromExamples.Options options,
            RetrainFromExamples.Selection selection,
            int trainSize,
            int validationSize,
            WeightedEvaluation eval,
            WeightedEvaluation parentEval,
            BinaryLogisticRegression.Settings sgd,
            String activation) {
        StringBuilder s = new StringBuilder();
        appendHeader(s, m, parent);
        appendIdentity(s, m, parent, options);
        appendData(s, m, options, selection, trainSize, validationSize);
        appendTraining(s, options, sgd);

        appendValidation(s, m, parent, eval, parentEval);
        appendServingArtifacts(s);
        appendKnownLimits(s);
        s.append("## Activate\n\n```\n").append(activation).append("\n```\n");
        return s.toString();
    }

    private static void appendHeader(StringBuilder s, ModelManifest m, ModelManifest parent) {
        s.append("# Model card: ")
                .append(m.name())
                .append(' ')
                .append(m.version())
                .append("\n\n")
                .append(
                        "Retrained from reviewer-labelled platform traffic (`training.examples`) on the feature space of its parent **")
                .append(parent.id())
                .append("**. Written by `io.moderato.models.retrain.RetrainFromExamples`; the manifest")
                .append(" (`manifest.json`) holds every number below.\n\n");
    }

    private static void appendIdentity(
            StringBuilder s, ModelManifest m, ModelManifest parent, RetrainFromExamples.Options options) {
        s.append("## Identity\n\n| | |\n|---|---|\n")
                .append("| name / version | `")
                .append(m.name())
                .append("` / `")
                .append(m.version())
                .append("` |\n")
                .append("| parent | `")
                .append(parent.id())
                .append("` (featurizer settings and input dimensions copied) |\n")
                .append("| modality | ")
                .append(m.modality())
                .append(" (`FeatureVector.modality` = `")
                .append(options.modality())
                .append("`), ")
                .append(m.inputDimensions())
                .append(" input dimensions |\n")
                .append("| output | column 0 = policy `")
                .append(options.policyId())
                .append("`, uncalibrated probability |\n")
                .append("| graphs | ")
                .append(m.graphs().keySet())
                .append(", preferred ")
                .append(m.preferredEncoding())
                .append(" |\n\n");
    }

    private static void appendTraining(
            StringBuilder s, RetrainFromExamples.Options options, BinaryLogisticRegression.Settings sgd) {
        s.append("## Training\n\n")
                .append("Tribuo 4.3.2 logistic regression (`LinearSGDTrainer` + `LogMulticlass`, ")
                .append(sgd)
                .append(", seed ")
                .append(options.seed())
                .append("), the same configuration as the parent's trainer. Each example")
                .append(
                        " is a Tribuo `Example` with weight = its `TrainingExample.weight` (1/propensity), so items that stood")
                .append(
                        " for many unreviewed ones (audit samples of allowed content) count as much as they should and the")
                .append(" model is trained for the whole traffic, not for the reviewed part. The two-class softmax is")
                .append(" exported as one sigmoid column (w = w⁺ − w⁻).\n\n");
    }

    private static void appendServingArtifacts(StringBuilder s) {
        s.append("## Serving artifacts\n\n")
                .append(
                        "`manifest.json`, `model.sparse.onnx` / `model.dense.onnx` as the parent's (sigmoid(x·W + b), ONNX opset 13).")
                .append(
                        " Before installing, the retrainer reloaded every graph through the udfs `ModelRegistry` and compared it")
                .append(
                        " with Tribuo on the holdout (tolerance 1e-5). The reference score histogram is the weighted holdout")
                .append(" histogram (drift baseline). Calibration: none.\n\n");
    }

    private static void appendKnownLimits(StringBuilder s) {
        s.append("## Known limits\n\n")
                .append(
                        "- **Labels are reviewer verdicts, weights are estimates.** Reviewer error is not modelled; weights are")
                .append(
                        " only as good as the recorded propensities. Examples whose only label is an appeal carry 1/propensity")
                .append(" although authors chose to appeal them.\n")
                .append(
                        "- **Small holdouts give wide intervals.** See the intervals above before activating; prefer shadow")
                .append(" first and compare `quality.metrics` of both versions on live traffic.\n")
                .append(
                        "- **Same feature space as the parent.** Vocabulary the parent's featurizer cannot see stays unseen.\n")
                .append("- **Uncalibrated.** Thresholds in `policy.config` must be re-checked for this version.\n\n");
    }

    private static void appendData(
            StringBuilder s,
            ModelManifest m,
            RetrainFromExamples.Options options,
            RetrainFromExamples.Selection selection,
            int trainSize,
            int validationSize) {
        s.append("## Data\n\n")
                .append(
                        "TrainingExample records (Avro container files) written by the FeedbackJob: the model inputs exactly as")
                .append(
                        " scored at decision time, the adjudicated reviewer label (appeal > adjudication > reviewer majority >")
                .append(" latest) and the weight 1/propensity of being reviewed.\n\n")
                .append("| | |\n|---|---|\n")
                .append("| files | ")
                .append(selection.files().size())
                .append(" |\n")
                .append("| records read | ")
                .append(selection.read())
                .append(" |\n")
                .append("| of policy `")
                .append(options.policyId())
                .append("` | ")
                .append(selection.ofPolicy())
                .append(" |\n")
                .append("| superseded by a later label of the same item | ")
                .append(selection.superseded())
                .append(" |\n")
                .append("| without ")
                .append(options.modality())
                .append(" features of `")
                .append(options.modelName())
                .append("` (skipped) | ")
                .append(selection.withoutFeatures())
                .append(" |\n")
                .append("| used | ")
                .append(selection.used())
                .append(" |\n");
        appendSplitRows(s, m, options, trainSize, validationSize);
        if (!selection.otherModels().isEmpty()) {
            s.append("Other feature vectors on the examples (not used): `")
                    .append(selection.otherModels())
                    .append("`.\n\n");
        }
    }

    private static void appendSplitRows(
            StringBuilder s, ModelManifest m, RetrainFromExamples.Options options, int trainSize, int validationSize) {
        Map<String, Integer> c = m.trainingData().counts();
        s.append("| train | ")
                .append(c.get("train.violating"))
                .append(" violating + ")
                .append(c.get("train.not_violating"))
                .append(" not violating (")
                .append(trainSize)
                .append(") |\n")
                .append("| validation (holdout) | ")
                .append(c.get("validation.violating"))
                .append(" violating + ")
                .append(c.get("validation.not_violating"))
                .append(" not violating (")
                .append(validationSize)
                .append(") |\n")
                .append("| split | ")
                .append(m.trainingData().split())
                .append(", seed ")
                .append(options.seed())
                .append(" |\n\n");
    }

    private static void appendValidation(
            StringBuilder s,
            ModelManifest m,
            ModelManifest parent,
            WeightedEvaluation eval,
            WeightedEvaluation parentEval) {
        s.append("## Validation (holdout, IPW-weighted)\n\n")
                .append("Every metric weights each holdout example by 1/propensity: an estimate for all scored items.")
                .append(
                        " Intervals are 95% Clopper-Pearson intervals on a conservative effective sample size (udfs `WeightedConfusion`).")
                .append(" The parent is scored as served (its ONNX graph) on the same holdout.\n\n")
                .append("| metric | ")
                .append(m.version())
                .append(" | parent ")
                .append(parent.version())
                .append(" |\n|---|---|---|\n")
                .append("| ROC-AUC (weighted) | **")
                .append(f4(eval.rocAuc()))
                .append("** | ")
                .append(f4(parentEval.rocAuc()))
                .append(" |\n");
        appendThresholdRows(s, eval, parentEval);
        s.append("| log loss (weighted) | ")
                .append(f4(eval.logLoss()))
                .append(" | ")
                .append(f4(parentEval.logLoss()))
                .append(" |\n")
                .append("| Brier score (weighted) | ")
                .append(f4(eval.brier()))
                .append(" | ")
                .append(f4(parentEval.brier()))
                .append(" |\n")
                .append("| holdout: examples (violating), Kish n_eff | ")
                .append(eval.positives() + eval.negatives())
                .append(" (")
                .append(eval.positives())
                .append("), ")
                .append(String.format(Locale.ROOT, "%.1f", eval.effectiveSampleSize()))
                .append(" | same |\n\n");
    }

    private static void appendThresholdRows(StringBuilder s, WeightedEvaluation eval, WeightedEvaluation parentEval) {
        for (Map.Entry<String, WeightedEvaluation.AtThreshold> t :
                eval.thresholds().entrySet()) {
            WeightedEvaluation.AtThreshold p = parentEval.thresholds().get(t.getKey());
            String at = t.getKey() + " threshold "
                    + String.format(Locale.ROOT, "%.2f", t.getValue().threshold());
            s.append("| precision at ")
                    .append(at)
                    .append(" | ")
                    .append(est(t.getValue().precision()))
                    .append(" | ")
                    .append(est(p.precision()))
                    .append(" |\n")
                    .append("| recall at ")
                    .append(at)
                    .append(" | ")
                    .append(est(t.getValue().recall()))
                    .append(" | ")
                    .append(est(p.recall()))
                    .append(" |\n")
                    .append("| false-positive rate at ")
                    .append(at)
                    .append(" | ")
                    .append(est(t.getValue().falsePositiveRate()))
                    .append(" | ")
                    .append(est(p.falsePositiveRate()))
                    .append(" |\n");
        }
    }

    private static String est(ProportionEstimate e) {
        return e.isDefined() ? String.format(Locale.ROOT, "%.4f (%.4f–%.4f)", e.value(), e.lower(), e.upper()) : "n/a";
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
