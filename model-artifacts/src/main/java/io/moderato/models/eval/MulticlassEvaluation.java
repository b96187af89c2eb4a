package io.moderato.models.eval;

import java.util.List;
import java.util.Locale;

/**
 * Precision, recall and F1 per class, their support-weighted averages (what Davidson et al. report as "overall"),
 * accuracy and the confusion matrix of a single-label classifier, from true and predicted class numbers.
 *
 * @param confusion [true class][predicted class] counts
 */
public record MulticlassEvaluation(List<String> classes, long[][] confusion) {

    public static MulticlassEvaluation of(List<String> classes, int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true classes but " + predicted.length + " predictions");
        }
        long[][] confusion = new long[classes.size()][classes.size()];
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
        }
        return new MulticlassEvaluation(List.copyOf(classes), confusion);
    }

    public long support(int cls) {
        long n = 0;
        for (long c : confusion[cls]) {
            n += c;
        }
        return n;
    }

    public long total() {
        long n = 0;
        for (int c = 0; c < classes.size(); c++) {
            n += support(c);
        }
        return n;
    }

    public double precision(int cls) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[cls];
        }
        return predicted == 0 ? 0 : (double) confusion[cls][cls] / predicted;
    }

    public double recall(int cls) {
        long support = support(cls);
        return support == 0 ? 0 : (double) confusion[cls][cls] / support;
    }

    public double f1(int cls) {
        double p = precision(cls);
        double r = recall(cls);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < classes.size(); c++) {
            correct += confusion[c][c];
        }
        return (double) correct / total();
    }

    public double weightedPrecision() {
        return weighted(this::precision);
    }

    public double weightedRecall() {
        return weighted(this::recall);
    }

    public double weightedF1() {
        return weighted(this::f1);
    }

    private double weighted(java.util.function.IntToDoubleFunction metric) {
        double sum = 0;
        for (int c = 0; c < classes.size(); c++) {
            sum += support(c) * metric.applyAsDouble(c);
        }
        return sum / total();
    }

    /** Per-class table, weighted averages and the confusion matrix, as Markdown. */
    public String markdown() {
        StringBuilder s =
                new StringBuilder("| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
        for (int c = 0; c < classes.size(); c++) {
            s.append("| ")
                    .append(classes.get(c))
                    .append(" | ")
                    .append(f4(precision(c)))
                    .append(" | ")
                    .append(f4(recall(c)))
                    .append(" | ")
                    .append(f4(f1(c)))
                    .append(" | ")
                    .append(support(c))
                    .append(" |\n");
        }
        s.append("| **weighted average** | ")
                .append(f4(weightedPrecision()))
                .append(" | ")
                .append(f4(weightedRecall()))
                .append(" | **")
                .append(f4(weightedF1()))
                .append("** | ")
                .append(total())
                .append(" |\n\n");
        s.append("Accuracy ")
                .append(f4(accuracy()))
                .append(". Confusion matrix (rows: annotators' majority class, columns: predicted):\n\n| |");
        for (String c : classes) {
            s.append(" predicted ").append(c).append(" |");
        }
        s.append("\n|---|").append("---:|".repeat(classes.size())).append('\n');
        for (int t = 0; t < classes.size(); t++) {
            s.append("| ").append(classes.get(t)).append(" |");
            for (int p = 0; p < classes.size(); p++) {
                s.append(' ').append(confusion[t][p]).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
