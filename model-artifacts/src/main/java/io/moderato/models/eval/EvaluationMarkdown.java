package io.moderato.models.eval;

import io.moderato.udfs.metrics.ProportionEstimate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link HeadEvaluation} as Markdown tables: what {@code scripts/evaluate.sh} prints and what the model
 * cards embed, character for character.
 */
public final class EvaluationMarkdown {

    private EvaluationMarkdown() {}

    public static String render(HeadEvaluation e) {
        StringBuilder s = new StringBuilder();
        s.append("**`")
                .append(e.policy())
                .append("`** — positive: ")
                .append(e.positives())
                .append("; ")
                .append(String.format(Locale.ROOT, "%,d", e.items()))
                .append(" items, ")
                .append(String.format(Locale.ROOT, "%,d", e.positiveItems()))
                .append(" positive (prevalence ")
                .append(f4(e.prevalence()))
                .append(")\n\n");

        s.append("| metric | value | 95% interval |\n|---|---:|---|\n");
        row(s, "ROC-AUC", e.rocAuc());
        row(s, "average precision", e.averagePrecision());
        row(s, "ECE (" + RankedScores.ECE_BINS + " equal-width bins)", e.expectedCalibrationError());
        s.append("| log loss | ").append(f4(e.logLoss())).append(" | |\n");
        s.append("| Brier score | ").append(f4(e.brier())).append(" | |\n\n");

        appendThresholds(s, e);
        appendRecallAtPrecision(s, e);
        appendLabelBands(s, e);
        appendReliability(s, e);
        return s.toString();
    }

    /** Recall at each fixed precision target, with the threshold reaching it. */
    private static void appendRecallAtPrecision(StringBuilder s, HeadEvaluation e) {
        s.append("Recall at fixed precision (the threshold reaching it on this data):\n\n")
                .append(
                        "| precision target | threshold | precision | recall | at 95% confidence |\n|---|---:|---|---:|---|\n");
        for (HeadEvaluation.AtPrecision p : e.recallAtPrecision()) {
            s.append("| ").append(f2(p.target())).append(" | ");
            if (p.point() == null) {
                s.append("— | — | 0 | not reached on this data |\n");
            } else {
                s.append(f4(p.point().threshold()))
                        .append(" | ")
                        .append(estimate(p.precision()))
                        .append(" | ")
                        .append(f4(p.point().recall()))
                        .append(" | ")
                        .append(
                                p.supported()
                                        ? "supported"
                                        : "not supported (precision lower bound "
                                                + f4(p.precision().lower()) + " < " + f2(p.target()) + ")")
                        .append(" |\n");
            }
        }
        s.append('\n');
    }

    /** Reliability (calibration) table by score bin. */
    private static void appendReliability(StringBuilder s, HeadEvaluation e) {
        s.append(
                "Reliability (calibration) by score bin:\n\n| score bin | items | mean score | positive rate |\n|---|---:|---:|---:|\n");
        for (RankedScores.ReliabilityBin b : e.reliability()) {
            s.append("| [")
                    .append(f2(b.from()))
                    .append(", ")
                    .append(f2(b.to()))
                    .append(b.to() >= 1 ? "] | " : ") | ")
                    .append(b.items())
                    .append(" | ")
                    .append(f4(b.meanScore()))
                    .append(" | ")
                    .append(f4(b.positiveRate()))
                    .append(" |\n");
        }
    }

    /** Per-class precision, recall and F1 and the confusion matrix at each policy threshold. */
    private static void appendThresholds(StringBuilder s, HeadEvaluation e) {
        if (e.thresholds().isEmpty()) {
            return;
        }
        s.append("Per class at the policy thresholds (flagged = score ≥ threshold; 95% Wilson intervals):\n\n")
                .append("| threshold | class | precision | recall | F1 |\n|---|---|---|---|---:|\n");
        for (HeadEvaluation.AtThreshold t : e.thresholds()) {
            String name = t.name() + " " + f2(t.threshold());
            s.append("| ")
                    .append(name)
                    .append(" | positive (flagged) | ")
                    .append(estimate(t.precision()))
                    .append(" | ")
                    .append(estimate(t.recall()))
                    .append(" | ")
                    .append(f4(t.f1()))
                    .append(" |\n");
            s.append("| ")
                    .append(name)
                    .append(" | negative (not flagged) | ")
                    .append(estimate(t.negativePrecision()))
                    .append(" | ")
                    .append(estimate(t.negativeRecall()))
                    .append(" | ")
                    .append(f4(t.negativeF1()))
                    .append(" |\n");
        }
        s.append(
                "\nConfusion matrices:\n\n| threshold | TP | FP | TN | FN | false-positive rate |\n|---|---:|---:|---:|---:|---:|\n");
        for (HeadEvaluation.AtThreshold t : e.thresholds()) {
            BinaryMetrics.Confusion c = t.confusion();
            s.append("| ")
                    .append(t.name())
                    .append(' ')
                    .append(f2(t.threshold()))
                    .append(" | ")
                    .append(c.truePositives())
                    .append(" | ")
                    .append(c.falsePositives())
                    .append(" | ")
                    .append(c.trueNegatives())
                    .append(" | ")
                    .append(c.falseNegatives())
                    .append(" | ")
                    .append(f4(c.falsePositiveRate()))
                    .append(" |\n");
        }
        s.append('\n');
    }

    /** Items per original label value and score band between the thresholds. */
    private static void appendLabelBands(StringBuilder s, HeadEvaluation e) {
        if (e.labelBands().isEmpty()) {
            return;
        }
        List<Double> cuts = e.thresholds().stream()
                .map(HeadEvaluation.AtThreshold::threshold)
                .sorted()
                .toList();
        s.append("Items per original label value and score band:\n\n| label | score < ")
                .append(f2(cuts.get(0)));
        for (int i = 1; i < cuts.size(); i++) {
            s.append(" | ").append(f2(cuts.get(i - 1))).append(" ≤ score < ").append(f2(cuts.get(i)));
        }
        s.append(" | score ≥ ").append(f2(cuts.get(cuts.size() - 1))).append(" |\n|---|");
        s.append("---:|".repeat(cuts.size() + 1)).append('\n');
        for (Map.Entry<String, long[]> label : e.labelBands().entrySet()) {
            s.append("| `").append(label.getKey()).append('`');
            for (long count : label.getValue()) {
                s.append(" | ").append(count);
            }
            s.append(" |\n");
        }
        s.append('\n');
    }

    private static void row(StringBuilder s, String name, HeadEvaluation.Interval i) {
        s.append("| ").append(name).append(" | ").append(f4(i.value())).append(" | ");
        if (!Double.isNaN(i.lower())) {
            s.append('[')
                    .append(f4(i.lower()))
                    .append(", ")
                    .append(f4(i.upper()))
                    .append(']');
        } else {
            s.append("withheld: too few resamples hold both classes");
        }
        s.append(" |\n");
    }

    static String estimate(ProportionEstimate e) {
        if (!e.isDefined()) {
            return "— (nothing flagged)";
        }
        return f4(e.value()) + " [" + f4(e.lower()) + ", " + f4(e.upper()) + "]";
    }

    /** One Markdown table row: {@code | cell | cell | … |} and a line end. */
    public static StringBuilder tableRow(StringBuilder s, Object... cells) {
        s.append('|');
        for (Object cell : cells) {
            s.append(' ').append(cell).append(" |");
        }
        return s.append('\n');
    }

    public static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    public static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
