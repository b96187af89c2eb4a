package io.moderato.models.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link TextScoringBenchmark} (e-mails, text-spam 1.0.0, both graphs) and {@link ShortTextScoringBenchmark}
 * (short texts, every shipped text model) in one JMH run and prints a Markdown table of items/s plus the ratios the
 * README reports (batch 64 vs batch 1, sparse vs dense, end to end vs featurize alone, each model against
 * text-spam 1.0.0 on the same short texts, and the ≥ 50,000 items/s short-text target).
 * Args: [warmup iterations] [measurement iterations] [seconds per iteration] [output file] [which: all|email|short].
 */
public final class ScoringBenchmarkReport {

    public static void main(String[] args) throws RunnerException, IOException {
        int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path output = Path.of(args.length > 3 ? args[3] : "target/bench/scoring.md");
        String which = args.length > 4 ? args[4] : "all";

        BenchmarkTexts.Texts texts = BenchmarkTexts.load();
        BenchmarkTexts.Texts shortTexts = BenchmarkTexts.shortTexts();
        System.err.printf(
                Locale.ROOT,
                "benchmark texts: %d from %s, mean %.0f chars; short: %d from %s, mean %.0f chars%n",
                texts.texts().size(),
                texts.origin(),
                texts.meanChars(),
                shortTexts.texts().size(),
                shortTexts.origin(),
                shortTexts.meanChars());
        String include = switch (which) {
            case "email" -> TextScoringBenchmark.class.getName() + "\\.";
            case "short" -> ShortTextScoringBenchmark.class.getName() + "\\.";
            case "all" ->
                "(" + TextScoringBenchmark.class.getName() + "|" + ShortTextScoringBenchmark.class.getName() + ")\\.";
            default -> throw new IllegalArgumentException("which must be all, email or short, got '" + which + "'");
        };

        // the fork gets its classpath through a manifest jar: ONNX Runtime crashes on long JVM command lines
        System.setProperty("jmh.separateClasspathJAR", "true");
        Options options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .threads(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend(
                        System.getProperty("java.io.tmpdir") == null
                                ? "-Xmx2g"
                                : "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                        "-Xmx2g",
                        "-Dmoderato.corpus=" + System.getProperty("moderato.corpus", "data/spam-assassin"),
                        "-Dmoderato.data=" + System.getProperty("moderato.data", "model-artifacts/data"))
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Map<String, double[]> byName = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            String model = r.getParams().getParam("model");
            if (model != null) {
                name = name + " [" + model + "]";
            }
            byName.put(name, new double[] {
                r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()
            });
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "Texts: %d (%s), mean %.0f chars; short texts (`short*` rows): %d (%s), mean %.0f chars. "
                        + "JMH: 1 fork, 1 thread, %d×%ds warm-up, %d×%ds measured; ± is JMH's 99.9%% error.%n%n",
                texts.texts().size(),
                texts.origin(),
                texts.meanChars(),
                shortTexts.texts().size(),
                shortTexts.origin(),
                shortTexts.meanChars(),
                warmups,
                seconds,
                iterations,
                seconds));
        md.append("| step | items/s | ± |\n|---|---:|---:|\n");
        byName.forEach(
                (name, v) -> md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f |%n", name, v[0], v[1])));
        md.append("\n| ratio | value |\n|---|---:|\n");
        ratio(md, byName, "sparse scoring, batch 64 / batch 1", "scoreSparseBatch64", "scoreSparseBatch1");
        ratio(md, byName, "dense scoring, batch 64 / batch 1", "scoreDenseBatch64", "scoreDenseBatch1");
        ratio(md, byName, "batch 64: sparse / dense graph", "scoreSparseBatch64", "scoreDenseBatch64");
        ratio(md, byName, "batch 1: sparse / dense graph", "scoreSparseBatch1", "scoreDenseBatch1");
        ratio(md, byName, "end to end / featurize alone", "featurizeAndScoreBatch64", "featurize");
        ratio(
                md,
                byName,
                "end to end / sparse scoring alone (batch 64)",
                "featurizeAndScoreBatch64",
                "scoreSparseBatch64");
        String baseline = "shortFeaturizeAndScoreBatch64 [text-spam:1.0.0]";
        String prefix = "shortFeaturizeAndScoreBatch64 [";
        for (String name : byName.keySet().stream()
                .filter(n -> n.startsWith(prefix) && !n.equals(baseline))
                .toList()) {
            String model = name.substring(prefix.length(), name.length() - 1);
            ratio(md, byName, "short texts end to end: " + model + " / text-spam:1.0.0", name, baseline);
            if (byName.containsKey(name)) {
                double v = byName.get(name)[0];
                md.append(String.format(
                        Locale.ROOT,
                        "| short texts end to end, %s: ≥ 50,000 items/s on one thread | %s (%,.0f) |%n",
                        model,
                        v >= 50_000 ? "met" : "NOT met",
                        v));
            }
        }
        if (!which.equals("email")) {
            // wall-clock rates on a shared machine mostly measure the share of a core the thread got: add CPU time
            md.append("\nThe same short-text loop per CPU-second of its thread (")
                    .append(ShortTextCpuThroughput.class.getSimpleName())
                    .append("):\n\n")
                    .append(ShortTextCpuThroughput.report(
                            warmups * seconds, iterations * seconds, ShortTextCpuThroughput.MODELS));
        }
        System.out.println(md);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, md.toString());
        System.err.println("written to " + output.toAbsolutePath());
    }

    private static void ratio(StringBuilder md, Map<String, double[]> r, String label, String a, String b) {
        if (r.containsKey(a) && r.containsKey(b)) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f× |%n", label, r.get(a)[0] / r.get(b)[0]));
        }
    }
}
