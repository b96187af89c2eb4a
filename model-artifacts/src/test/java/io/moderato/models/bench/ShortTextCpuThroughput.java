package io.moderato.models.bench;

import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Featurize + score of short texts at batch 64 on one thread, the loop of {@link ShortTextScoringBenchmark}'s
 * {@code shortFeaturizeAndScoreBatch64}, measured against the thread's own CPU time as well as the wall clock. On
 * a machine shared with other builds the wall-clock rate mostly measures how much of a core the thread was given;
 * items per CPU-second of the thread is what one fully available core would do (minus cache effects of the
 * neighbours), so both are printed, with text-spam 1.0.0 as the baseline measured in the same run.
 *
 * <p>Args: [warm-up seconds per model (default 5)] [measured seconds per model (default 10)] [model:version ...]
 * (default: every shipped text model of {@link ShortTextScoringBenchmark}).
 */
public final class ShortTextCpuThroughput {

    private ShortTextCpuThroughput() {}

    public static void main(String[] args) {
        double warmup = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        double measured = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        List<String> models = args.length > 2 ? List.of(args).subList(2, args.length) : MODELS;
        System.out.println(report(warmup, measured, models));
    }

    /** The models {@link ShortTextScoringBenchmark} measures, text-spam 1.0.0 (the baseline) first. */
    static final List<String> MODELS = List.of("text-spam:1.0.0", "text-spam:2.0.0", "text-abuse:1.0.0");

    /** A Markdown table: per model, items/s by wall clock and per CPU-second, and the ratio to the first model. */
    static String report(double warmup, double measured, List<String> models) {
        List<String> texts = BenchmarkTexts.shortTexts().texts();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        StringBuilder md = new StringBuilder(String.format(
                Locale.ROOT,
                "Featurize + score, batch %d, one thread, %d short texts (mean %.0f chars); %.0f s warm-up, %.0f s measured per model.%n%n"
                        + "| model | items/s (wall) | items per CPU-second | CPU share of the thread | vs text-spam:1.0.0 (CPU) | ≥ 50,000 items per CPU-second |%n"
                        + "|---|---:|---:|---:|---:|---|%n",
                ShortTextScoringBenchmark.BATCH,
                texts.size(),
                BenchmarkTexts.shortTexts().meanChars(),
                warmup,
                measured));
        double baseline = Double.NaN;
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.classpath("models"))) {
            for (String id : models) {
                String[] parts = id.split(":", 2);
                OnnxModel onnx = registry.model(parts[0], parts[1], InputEncoding.SPARSE);
                TextFeaturizer featurizer = new TextFeaturizer(onnx.manifest().featurizer());
                int[] cursor = {0};
                run(featurizer, onnx, texts, cursor, warmup, threads);
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                long items = run(featurizer, onnx, texts, cursor, measured, threads);
                double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double wallSeconds = (System.nanoTime() - wall0) / 1e9;
                double perCpu = items / cpuSeconds;
                if (Double.isNaN(baseline)) {
                    baseline = perCpu;
                }
                String line = String.format(
                        Locale.ROOT,
                        "| %s | %,.0f | %,.0f | %.0f %% | %.2f× | %s |%n",
                        id,
                        items / wallSeconds,
                        perCpu,
                        100 * cpuSeconds / wallSeconds,
                        perCpu / baseline,
                        perCpu >= 50_000 ? "met" : "NOT met");
                md.append(line);
                System.err.print(line);
            }
        }
        return md.toString();
    }

    /** Featurizes and scores batches of 64 until {@code seconds} of this thread's CPU time have passed; returns items. */
    private static long run(
            TextFeaturizer featurizer,
            OnnxModel onnx,
            List<String> texts,
            int[] cursor,
            double seconds,
            ThreadMXBean threads) {
        long end = threads.getCurrentThreadCpuTime() + (long) (seconds * 1e9);
        long items = 0;
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            List<SparseVector> batch = new ArrayList<>(ShortTextScoringBenchmark.BATCH);
            for (int k = 0; k < ShortTextScoringBenchmark.BATCH; k++) {
                batch.add(featurizer.featurize(texts.get(cursor[0])));
                cursor[0] = (cursor[0] + 1) % texts.size();
            }
            sink += onnx.score(batch).size();
            items += ShortTextScoringBenchmark.BATCH;
        }
        if (sink != items) {
            throw new IllegalStateException("scored " + sink + " rows for " + items + " items");
        }
        return items;
    }
}
