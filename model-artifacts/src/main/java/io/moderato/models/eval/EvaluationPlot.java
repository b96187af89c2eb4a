package io.moderato.models.eval;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (inline SVG, no script, no external file) with, per evaluated head, the
 * precision–recall curve with the policy thresholds marked, and the reliability diagram (mean score against
 * positive rate per bin, bin sizes as bars). Pure function of its input, so the same evaluation writes the same
 * bytes.
 */
public final class EvaluationPlot {

    private static final int SIZE = 320;
    private static final int MARGIN = 44;
    private static final int MAX_CURVE_POINTS = 400;

    private EvaluationPlot() {}

    public static String html(String title, List<HeadEvaluation> heads) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}svg{margin-right:24px;"
                        + "background:#fff}h2{margin-top:32px}.axis{stroke:#444}.grid{stroke:#e4e4e4}"
                        + "text{font-size:11px;fill:#333}</style></head><body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n");
        for (HeadEvaluation e : heads) {
            s.append("<h2>")
                    .append(escape(e.policy()))
                    .append("</h2>\n<p>positive: ")
                    .append(escape(e.positives()))
                    .append("; ")
                    .append(e.items())
                    .append(" items, ")
                    .append(e.positiveItems())
                    .append(" positive; ROC-AUC ")
                    .append(f(e.rocAuc().value()))
                    .append(", average precision ")
                    .append(f(e.averagePrecision().value()))
                    .append(", ECE ")
                    .append(f(e.expectedCalibrationError().value()))
                    .append("</p>\n");
            s.append(precisionRecall(e)).append(reliability(e)).append('\n');
        }
        s.append("</body></html>\n");
        return s.toString();
    }

    private static String precisionRecall(HeadEvaluation e) {
        StringBuilder s = frame("Precision–recall", "recall", "precision");
        List<RankedScores.CurvePoint> curve = e.precisionRecallCurve();
        int step = Math.max(1, curve.size() / MAX_CURVE_POINTS);
        s.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < curve.size(); i += step) {
            point(s, curve.get(i).recall(), curve.get(i).precision());
        }
        RankedScores.CurvePoint last = curve.get(curve.size() - 1);
        point(s, last.recall(), last.precision());
        s.append("\"/>\n");
        // the precision a random ranking would have
        double base = e.prevalence();
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>%n",
                MARGIN,
                y(base),
                MARGIN + SIZE,
                y(base)));
        String[] colours = {"#ff7f0e", "#d62728", "#2ca02c", "#9467bd"};
        int k = 0;
        for (HeadEvaluation.AtThreshold t : e.thresholds()) {
            String colour = colours[k % colours.length];
            double px = t.confusion().recall();
            double py = t.confusion().precision();
            s.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s %.2f: P %.3f R %.3f</text>%n",
                    x(px),
                    y(py),
                    colour,
                    MARGIN + 8,
                    MARGIN + SIZE - 10 - 14 * k,
                    colour,
                    escape(t.name()),
                    t.threshold(),
                    py,
                    px));
            k++;
        }
        return s.append("</svg>\n").toString();
    }

    private static String reliability(HeadEvaluation e) {
        StringBuilder s = frame(
                "Reliability (ECE " + f(e.expectedCalibrationError().value()) + ")", "mean score", "positive rate");
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>%n",
                x(0),
                y(0),
                x(1),
                y(1)));
        int maxItems = e.reliability().stream()
                .mapToInt(RankedScores.ReliabilityBin::items)
                .max()
                .orElse(1);
        for (RankedScores.ReliabilityBin b : e.reliability()) {
            double height = 0.25 * b.items() / maxItems; // bars use the lowest quarter of the plot
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c6dbef\">"
                            + "<title>[%.2f, %.2f): %d items</title></rect>%n",
                    x(b.from()) + 1,
                    y(height),
                    x(b.to()) - x(b.from()) - 2,
                    y(0) - y(height),
                    b.from(),
                    b.to(),
                    b.items()));
        }
        s.append("<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"");
        for (RankedScores.ReliabilityBin b : e.reliability()) {
            point(s, b.meanScore(), b.positiveRate());
        }
        s.append("\"/>\n");
        for (RankedScores.ReliabilityBin b : e.reliability()) {
            s.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"><title>mean score %.3f, "
                            + "positive rate %.3f, %d items</title></circle>%n",
                    x(b.meanScore()),
                    y(b.positiveRate()),
                    b.meanScore(),
                    b.positiveRate(),
                    b.items()));
        }
        return s.append("</svg>\n").toString();
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel) {
        StringBuilder s = new StringBuilder();
        int full = SIZE + 2 * MARGIN;
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                full,
                full,
                full,
                full));
        appendGrid(s);
        appendAxisAndLabels(s, title, xLabel, yLabel);
        return s;
    }

    private static void appendGrid(StringBuilder s) {
        for (int i = 0; i <= 10; i++) {
            double v = i / 10.0;
            s.append(String.format(
                    Locale.ROOT,
                    "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                            + "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
                    x(v),
                    y(0),
                    x(v),
                    y(1),
                    x(0),
                    y(v),
                    x(1),
                    y(v)));
            if (i % 2 == 0) {
                s.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>"
                                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
                        x(v),
                        MARGIN + SIZE + 14,
                        v,
                        MARGIN - 4,
                        y(v) + 4,
                        v));
            }
        }
    }

    private static void appendAxisAndLabels(StringBuilder s, String title, String xLabel, String yLabel) {
        s.append(String.format(
                Locale.ROOT,
                "<rect class=\"axis\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\"/>%n",
                MARGIN,
                MARGIN,
                SIZE,
                SIZE));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" style=\"font-size:13px\">%s</text>%n",
                MARGIN + SIZE / 2,
                MARGIN - 14,
                escape(title)));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                MARGIN + SIZE / 2,
                MARGIN + SIZE + 32,
                escape(xLabel)));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"12\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">%s</text>%n",
                MARGIN + SIZE / 2,
                MARGIN + SIZE / 2,
                escape(yLabel)));
    }

    private static void point(StringBuilder s, double px, double py) {
        s.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(px), y(py)));
    }

    private static double x(double v) {
        return MARGIN + v * SIZE;
    }

    private static double y(double v) {
        return MARGIN + (1 - v) * SIZE;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
