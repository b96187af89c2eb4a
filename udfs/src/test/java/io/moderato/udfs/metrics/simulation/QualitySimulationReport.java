package io.moderato.udfs.metrics.simulation;

import io.moderato.udfs.metrics.simulation.ScenarioResult.Metric;
import io.moderato.udfs.metrics.simulation.ScenarioResult.MetricStats;
import io.moderato.udfs.metrics.simulation.ScenarioResult.RecommendationStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The seeded simulation of the quality estimators as a command (scripts/quality-simulation.sh):
 * runs every scenario of the chosen grids over N seeds and writes the Markdown tables of
 * udfs/docs/statistics.md — interval coverage, width, bias and publication share per metric,
 * threshold recommendations, capacity pressure — with the estimators before issue 11 beside them.
 */
public final class QualitySimulationReport {

    private static final String USAGE = String.join(
            "\n",
            "usage: quality-simulation [--seeds N] [--grid all|short|capacity|cumulative] [--threads T] [--out FILE]",
            "  Simulates N seeded windows per scenario and prints coverage, width, bias and publication share of the",
            "  95 % precision / recall / FPR intervals, threshold recommendations (share, correctness, recall lost",
            "  against the oracle) and audit volume under capacity pressure, as Markdown.",
            "  --seeds N      windows per scenario (default 1000)",
            "  --grid G       short: the issue's 36 windows of 130-1,000 labels; capacity: 60 % review capacity;",
            "                 cumulative: 3,000 and 10,000 labels; all (default): the three",
            "  --threads T    scenarios run in parallel (default 1; results do not depend on it)",
            "  --out FILE     also write the tables to FILE",
            "  --help         this text");

    private QualitySimulationReport() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException, ExecutionException {
        int seeds = 1_000;
        String grid = "all";
        int threads = 1;
        Path outFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--seeds", "--grid", "--threads", "--out" -> {
                    if (i + 1 >= args.length) {
                        err.println("quality-simulation: " + a + " needs a value");
                        return 2;
                    }
                    String value = args[++i];
                    try {
                        switch (a) {
                            case "--seeds" -> seeds = positive(a, value);
                            case "--threads" -> threads = positive(a, value);
                            case "--grid" -> grid = value;
                            default -> outFile = Path.of(value);
                        }
                    } catch (IllegalArgumentException e) {
                        err.println("quality-simulation: " + e.getMessage());
                        return 2;
                    }
                }
                default -> {
                    err.println("quality-simulation: unknown option '" + a + "' (see --help)");
                    return 2;
                }
            }
        }
        List<Scenario> scenarios = new ArrayList<>();
        switch (grid) {
            case "short" -> scenarios.addAll(Scenario.shortAndLongWindows());
            case "capacity" -> scenarios.addAll(Scenario.capacityPressure());
            case "cumulative" -> scenarios.addAll(Scenario.cumulativeWindows());
            case "all" -> {
                scenarios.addAll(Scenario.shortAndLongWindows());
                scenarios.addAll(Scenario.capacityPressure());
                scenarios.addAll(Scenario.cumulativeWindows());
            }
            default -> {
                err.println(
                        "quality-simulation: --grid must be all, short, capacity or cumulative, got '" + grid + "'");
                return 2;
            }
        }
        List<ScenarioResult> results = simulate(scenarios, seeds, threads, err);
        String tables = tables(results);
        out.print(tables);
        if (outFile != null) {
            Path parent = outFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(outFile, tables, StandardCharsets.UTF_8);
            err.println("quality-simulation: wrote " + outFile);
        }
        return 0;
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a positive integer, got '" + value + "'");
        }
    }

    /** Runs the scenarios on {@code threads} threads, reporting each finished one on {@code progress}. */
    static List<ScenarioResult> simulate(List<Scenario> scenarios, int seeds, int threads, PrintStream progress)
            throws InterruptedException, ExecutionException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ScenarioResult>> futures = new ArrayList<>();
            long start = System.nanoTime();
            int[] done = {0};
            for (Scenario scenario : scenarios) {
                futures.add(pool.submit(() -> {
                    ScenarioResult result = new QualitySimulation().run(scenario, seeds);
                    synchronized (done) {
                        done[0]++;
                        progress.printf(
                                Locale.ROOT,
                                "[%d/%d] %s: %d seeds, %.0f labels per window (%.0f s elapsed)%n",
                                done[0],
                                scenarios.size(),
                                scenario,
                                seeds,
                                result.meanLabels(),
                                (System.nanoTime() - start) / 1e9);
                    }
                    return result;
                }));
            }
            List<ScenarioResult> results = new ArrayList<>();
            for (Future<ScenarioResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------- tables

    /** The Markdown tables of the results (scenario order kept). */
    static String tables(List<ScenarioResult> results) {
        StringBuilder md = new StringBuilder();
        int seeds = results.isEmpty() ? 0 : results.get(0).seeds();
        md.append(String.format(
                Locale.ROOT,
                "Seeds per scenario: %d. Truth = all items of the window. Intervals: 95 %%, at the"
                        + " action threshold 0.8 (review threshold 0.5). Cells: coverage of the published intervals"
                        + " (share of windows where the number is published) · mean width · bias.%n%n",
                seeds));

        md.append(
                "### Intervals (Clopper–Pearson on the conservative n_eff, recall guard on audited misses and hits)\n\n");
        md.append("| scenario | items | labels | precision | recall | FPR |\n|---|---:|---:|---|---|---|\n");
        for (ScenarioResult r : results) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %s | %s | %s |%n",
                    r.scenario(),
                    r.meanItems(),
                    r.meanLabels(),
                    cell(r.current(Metric.PRECISION)),
                    cell(r.current(Metric.RECALL)),
                    cell(r.current(Metric.FALSE_POSITIVE_RATE))));
        }

        md.append(
                "\n### Before issue 11 on the same windows (Wilson on the linearised n_eff, recall from any 3 false negatives)\n\n");
        md.append("| scenario | precision | recall | FPR |\n|---|---|---|---|\n");
        for (ScenarioResult r : results) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s |%n",
                    r.scenario(),
                    shortCell(r.previous(Metric.PRECISION)),
                    shortCell(r.previous(Metric.RECALL)),
                    shortCell(r.previous(Metric.FALSE_POSITIVE_RATE))));
        }

        md.append("\n### Threshold recommendations (precision ≥ p at 95 % confidence)\n\n");
        md.append(
                "Now: Learn-then-Test fixed sequence from the top, level 0.05 / 5. Before: lowest edge whose one-sided"
                        + " Wilson bound meets p. Cells: share of windows with a recommendation · share of those meeting p"
                        + " (true precision ≥ p; with the count of those that miss it and by how much at most) · mean recall"
                        + " lost against the oracle threshold (the lowest threshold whose true precision, walking down from"
                        + " the top, stays ≥ p). \"need\": median"
                        + " \"≈ N more audited items\" of the windows without one.\n\n");
        md.append(
                "| scenario | p = 0.90 now | need | before | p = 0.95 now | need | before |\n|---|---|---:|---|---|---:|---|\n");
        for (ScenarioResult r : results) {
            md.append("| ").append(r.scenario());
            for (int i = 0; i < QualitySimulation.OBLIGATIONS.length; i++) {
                RecommendationStats now = r.currentRecommendation(i);
                md.append(" | ")
                        .append(recommendation(now, r.seeds()))
                        .append(" | ")
                        .append(
                                Double.isNaN(now.medianAuditedItemsNeeded())
                                        ? "–"
                                        : String.format(Locale.ROOT, "%.0f", now.medianAuditedItemsNeeded()))
                        .append(" | ")
                        .append(recommendation(r.previousRecommendation(i), r.seeds()));
            }
            md.append(" |\n");
        }

        List<ScenarioResult> pressured =
                results.stream().filter(r -> r.scenario().capacityShare() < 1.0).toList();
        if (!pressured.isEmpty()) {
            md.append("\n### Review capacity at 60 % of the queue's load\n\n");
            md.append("Audits: labelled audit samples / audits drawn at the configured rates. Coverage of the published"
                    + " intervals (share published); IPW bias of the point estimate over every window where it is"
                    + " defined, published or not, in units of its standard error.\n\n");
            md.append(
                    "| scenario | labels | audits | max weight | precision cov · bias (SE) | recall cov · bias (SE) | FPR cov · bias (SE) |\n");
            md.append("|---|---:|---:|---:|---|---|---|\n");
            for (ScenarioResult r : pressured) {
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %.0f | %.1f%% | %.0f | %s | %s | %s |%n",
                        r.scenario(),
                        r.meanLabels(),
                        100 * r.auditRatio(),
                        r.maxWeight(),
                        biasCell(r, Metric.PRECISION),
                        biasCell(r, Metric.RECALL),
                        biasCell(r, Metric.FALSE_POSITIVE_RATE)));
            }
        }
        return md.toString();
    }

    private static String cell(MetricStats s) {
        if (s.published() == 0) {
            return "withheld (0 %)";
        }
        return String.format(
                Locale.ROOT,
                "%.1f%% (%.0f%%) · %.3f · %+.4f",
                100 * s.coverage(),
                100 * s.publishedShare(),
                s.meanWidth(),
                s.bias());
    }

    private static String shortCell(MetricStats s) {
        if (s.published() == 0) {
            return "withheld (0 %)";
        }
        return String.format(Locale.ROOT, "%.1f%% (%.0f%%)", 100 * s.coverage(), 100 * s.publishedShare());
    }

    private static String biasCell(ScenarioResult r, Metric metric) {
        MetricStats published = r.current(metric);
        MetricStats all = r.unguarded(metric);
        String coverage = published.published() == 0
                ? "withheld"
                : String.format(
                        Locale.ROOT, "%.1f%% (%.0f%%)", 100 * published.coverage(), 100 * published.publishedShare());
        return String.format(
                Locale.ROOT, "%s · %+.4f (%.1f SE)", coverage, all.bias(), all.bias() / all.biasStandardError());
    }

    private static String recommendation(RecommendationStats s, int seeds) {
        if (s.recommended() == 0) {
            return "0 %";
        }
        String misses = s.wrong() == 0
                ? ""
                : String.format(Locale.ROOT, " (%d/%d miss p, by ≤ %.3f)", s.wrong(), s.recommended(), s.worstMiss());
        return String.format(
                Locale.ROOT,
                "%.1f%% · %.1f%%%s · %.3f",
                100.0 * s.recommended() / seeds,
                100 * s.correctShare(),
                misses,
                s.meanRecallLost());
    }
}
