package io.moderato.udfs.tuning;

import io.moderato.udfs.metrics.ProportionEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link ThresholdTuning.Result}: the text answer for the terminal and a self-contained
 * HTML page (inline SVG and CSS, nothing fetched) with the PR curve — the threshold in force and the
 * recommended one marked — and the review volume per day against the action threshold.
 */
public final class TuningReport {

    /** Stroke colour of both curves. */
    public static final String CURVE_COLOUR = "#1f77b4";
    /** Marker colour of the threshold in force. */
    public static final String CURRENT_COLOUR = "#d62728";
    /** Marker colour of the recommended threshold. */
    public static final String RECOMMENDED_COLOUR = "#2ca02c";

    private static final int W = 560;
    private static final int H = 380;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;

    private TuningReport() {}

    /** The answer in a few lines: recommendation (or why none), expectations there and at the threshold in force. */
    public static String text(ThresholdTuning.Result r) {
        ThresholdTuning.Request q = r.request();
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "policy %s: target precision >= %.3f at %.0f %% confidence; %d labelled examples"
                        + " (effective sample size %.1f) over %s%n",
                q.policyId(),
                q.targetPrecision(),
                100 * q.confidence(),
                r.labels(),
                r.effectiveSampleSize(),
                span(r.daysCovered())));
        if (r.recommended().isPresent()) {
            s.append(String.format(
                    Locale.ROOT,
                    "recommended action threshold: %.3f (in force: %.3f; review threshold %.3f)%n",
                    r.recommended().getAsDouble(),
                    q.actionThreshold(),
                    q.reviewThreshold()));
            s.append(line("at the recommended threshold", r.atRecommended(), q.confidence()));
        } else {
            s.append("no threshold recommended: ").append(r.withheld()).append('\n');
        }
        s.append(line("at the threshold in force", r.atCurrent(), q.confidence()));
        s.append(String.format(
                Locale.ROOT,
                "review volume counts decisions with %.3f <= score < action threshold, extrapolated"
                        + " to a day from %s of examples (audit samples come on top)%n",
                q.reviewThreshold(),
                span(r.daysCovered())));
        return s.toString();
    }

    private static String line(String where, ThresholdTuning.AtThreshold at, double confidence) {
        return String.format(
                Locale.ROOT,
                "  %-30s (%.3f): precision %s, recall %s, review %s per day (%.0f %% intervals)%n",
                where,
                at.threshold(),
                estimate(at.precision()),
                estimate(at.recall()),
                volume(at.reviewPerDay()),
                100 * confidence);
    }

    private static String estimate(ProportionEstimate e) {
        return e.isDefined()
                ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.lower(), e.upper())
                : "n/a (no weight)";
    }

    private static String volume(ThresholdTuning.Volume v) {
        return Double.isNaN(v.perDay())
                ? "n/a"
                : String.format(Locale.ROOT, "%,.0f [%,.0f, %,.0f]", v.perDay(), v.lower(), v.upper());
    }

    private static String span(double days) {
        if (Double.isNaN(days)) {
            return "no time";
        }
        double minutes = days * 1440;
        return minutes < 120
                ? String.format(Locale.ROOT, "%.1f minutes", minutes)
                : minutes < 2880
                        ? String.format(Locale.ROOT, "%.1f hours", minutes / 60)
                        : String.format(Locale.ROOT, "%.1f days", days);
    }

    /** A self-contained HTML page: the text answer, the two charts and the numbers behind the markers. */
    public static String html(ThresholdTuning.Result r, String source) {
        ThresholdTuning.Request q = r.request();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Threshold tuning: ")
                .append(escape(q.policyId()))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}\n")
                .append("pre{background:#f6f6f6;padding:12px;white-space:pre-wrap}\n")
                .append(".charts{display:flex;flex-wrap:wrap;gap:24px}\nsvg{background:#fff;border:1px solid #ccc}\n")
                .append(
                        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\n")
                .append("</style></head><body>\n<h1>Threshold tuning: ")
                .append(escape(q.policyId()))
                .append("</h1>\n")
                .append("<p>Examples: ")
                .append(escape(source))
                .append("</p>\n<pre id=\"answer\">")
                .append(escape(text(r)))
                .append("</pre>\n<div class=\"charts\">\n")
                .append(prCurve(r))
                .append(volumeCurve(r))
                .append("</div>\n")
                .append(table(r))
                .append("</body></html>\n");
        return h.toString();
    }

    private static String prCurve(ThresholdTuning.Result r) {
        StringBuilder svg = svgStart(
                "pr-curve", "Precision–recall curve (each point an action threshold)", "recall", "precision", 1.0, 1.0);
        List<double[]> points = new ArrayList<>();
        for (ThresholdTuning.Point p : r.curve()) {
            if (!Double.isNaN(p.precision()) && !Double.isNaN(p.recall())) {
                points.add(new double[] {p.recall(), p.precision()});
            }
        }
        svg.append(path("pr-path", points, 1.0, 1.0));
        marker(
                svg,
                "current",
                CURRENT_COLOUR,
                r.atCurrent(),
                "in force " + fmt(r.atCurrent().threshold()));
        if (r.atRecommended() != null) {
            marker(
                    svg,
                    "recommended",
                    RECOMMENDED_COLOUR,
                    r.atRecommended(),
                    "recommended " + fmt(r.atRecommended().threshold()));
        }
        line(
                svg,
                0,
                r.request().targetPrecision(),
                1,
                r.request().targetPrecision(),
                1.0,
                1.0,
                "#888",
                "target precision");
        return svg.append("</svg>\n").toString();
    }

    private static String volumeCurve(ThresholdTuning.Result r) {
        double max = 1;
        List<double[]> points = new ArrayList<>();
        for (ThresholdTuning.Point p : r.curve()) {
            if (!Double.isNaN(p.reviewPerDay())) {
                points.add(new double[] {p.threshold(), p.reviewPerDay()});
                max = Math.max(max, p.reviewPerDay());
            }
        }
        double yMax = niceCeiling(max * 1.1);
        StringBuilder svg = svgStart(
                "review-volume",
                "Human review volume per day against the action threshold",
                "action threshold",
                "reviews per day",
                1.0,
                yMax);
        svg.append(path("volume-path", points, 1.0, yMax));
        line(
                svg,
                r.request().reviewThreshold(),
                0,
                r.request().reviewThreshold(),
                yMax,
                1.0,
                yMax,
                "#888",
                "review threshold");
        line(svg, r.atCurrent().threshold(), 0, r.atCurrent().threshold(), yMax, 1.0, yMax, CURRENT_COLOUR, "in force");
        if (r.atRecommended() != null) {
            line(
                    svg,
                    r.atRecommended().threshold(),
                    0,
                    r.atRecommended().threshold(),
                    yMax,
                    1.0,
                    yMax,
                    RECOMMENDED_COLOUR,
                    "recommended");
        }
        return svg.append("</svg>\n").toString();
    }

    private static StringBuilder svgStart(
            String id, String title, String xLabel, String yLabel, double xMax, double yMax) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n<title>%s</title>\n",
                id,
                W,
                H,
                W,
                H,
                escape(title),
                escape(title)));
        int x0 = LEFT;
        int y0 = H - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\"/>\n",
                x0,
                y0,
                W - RIGHT,
                y0));
        svg.append(String.format(
                Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\"/>\n", x0, y0, x0, TOP));
        appendTicksAndGrid(svg, xMax, yMax);
        appendAxisLabels(svg, xLabel, yLabel);
        return svg;
    }

    /** Six ticks on each axis, with a light horizontal grid line at each y tick. */
    private static void appendTicksAndGrid(StringBuilder svg, double xMax, double yMax) {
        int x0 = LEFT;
        int y0 = H - BOTTOM;
        for (int i = 0; i <= 5; i++) {
            double fx = i / 5.0;
            double x = sx(fx * xMax, xMax);
            double y = sy(fx * yMax, yMax);
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
                    x,
                    y0 + 18,
                    tick(fx * xMax)));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">%s</text>\n",
                    x0 - 6,
                    y + 4,
                    tick(fx * yMax)));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
                    x0 + 1,
                    y,
                    W - RIGHT,
                    y));
        }
    }

    private static void appendAxisLabels(StringBuilder svg, String xLabel, String yLabel) {
        int x0 = LEFT;
        int y0 = H - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">%s</text>\n",
                (x0 + W - RIGHT) / 2,
                H - 10,
                escape(xLabel)));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>\n",
                (TOP + y0) / 2,
                (TOP + y0) / 2,
                escape(yLabel)));
    }

    private static String path(String id, List<double[]> points, double xMax, double yMax) {
        if (points.isEmpty()) {
            return "<text x=\"" + (LEFT + 20) + "\" y=\"" + (TOP + 30)
                    + "\" font-size=\"14\">no labelled data to draw</text>\n";
        }
        StringBuilder d = new StringBuilder();
        for (double[] p : points) {
            d.append(d.isEmpty() ? "M" : " L")
                    .append(String.format(Locale.ROOT, "%.1f %.1f", sx(p[0], xMax), sy(p[1], yMax)));
        }
        return String.format(
                Locale.ROOT,
                "<path id=\"%s\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                id,
                d,
                CURVE_COLOUR);
    }

    private static void marker(
            StringBuilder svg, String id, String colour, ThresholdTuning.AtThreshold at, String label) {
        if (!at.precision().isDefined() || !at.recall().isDefined()) {
            return;
        }
        double x = sx(at.recall().value(), 1.0);
        double y = sy(at.precision().value(), 1.0);
        svg.append(String.format(
                Locale.ROOT,
                "<circle id=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"8\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"2\"/>\n",
                id,
                x,
                y,
                colour));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%s\">%s</text>\n",
                Math.min(x + 12, W - 150.0),
                Math.max(y - 10, TOP + 12.0),
                colour,
                escape(label)));
    }

    private static void line(
            StringBuilder svg,
            double x1,
            double y1,
            double x2,
            double y2,
            double xMax,
            double yMax,
            String colour,
            String label) {
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                        + "stroke-dasharray=\"6 4\"><title>%s</title></line>\n",
                sx(x1, xMax),
                sy(y1, yMax),
                sx(x2, xMax),
                sy(y2, yMax),
                colour,
                escape(label)));
    }

    private static String table(ThresholdTuning.Result r) {
        StringBuilder t = new StringBuilder(
                "<h2>Sweep</h2>\n<table><tr><th>action threshold</th><th>precision</th><th>recall</th>"
                        + "<th>reviews per day</th></tr>\n");
        for (int i = 0; i < r.curve().size(); i += 5) {
            ThresholdTuning.Point p = r.curve().get(i);
            t.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                    p.threshold(),
                    num(p.precision()),
                    num(p.recall()),
                    Double.isNaN(p.reviewPerDay()) ? "–" : String.format(Locale.ROOT, "%,.0f", p.reviewPerDay())));
        }
        return t.append("</table>\n").toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static double sx(double v, double max) {
        return LEFT + (W - LEFT - RIGHT) * Math.max(0, Math.min(1, v / max));
    }

    private static double sy(double v, double max) {
        return (H - BOTTOM) - (H - BOTTOM - TOP) * Math.max(0, Math.min(1, v / max));
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
