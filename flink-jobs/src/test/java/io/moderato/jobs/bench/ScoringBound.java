package io.moderato.jobs.bench;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoringOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The pure scoring bound: the job's own {@link ContentScorer}, nothing else, on the same events the job
 * scores, in batches, with the models the job's policy configs name (every enabled policy's active and
 * shadow models, featurization shared as in the job) and the job's feature-capture setting. Each thread
 * has its own {@link ModelRegistry} and sessions with one intra-op thread, exactly like one scoring
 * subtask of the job; threads start together after a warm-up and count items scored until a common deadline.
 */
final class ScoringBound {

    /** Items/s of each round and their median; CPU time per item (thread CPU, all rounds). */
    record Result(int threads, int batch, double[] rounds, double cpuMicrosPerItem) {
        double median() {
            double[] sorted = rounds.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        /** Both results' rounds together; CPU per item weighted equally. */
        Result merge(Result other) {
            double[] all = java.util.Arrays.copyOf(rounds, rounds.length + other.rounds.length);
            System.arraycopy(other.rounds, 0, all, rounds.length, other.rounds.length);
            return new Result(threads, batch, all, (cpuMicrosPerItem + other.cpuMicrosPerItem) / 2);
        }

        double min() {
            return Arrays.stream(rounds).min().orElse(0);
        }

        double max() {
            return Arrays.stream(rounds).max().orElse(0);
        }
    }

    private ScoringBound() {}

    static Result measure(
            List<ContentEvent> events,
            List<PolicyConfig> policies,
            boolean captureFeatures,
            int threads,
            int batch,
            long warmupMillis,
            long roundMillis,
            int rounds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double[] results = new double[rounds];
            long items = 0;
            long cpuNanos = 0;
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<ContentEvent> share = new ArrayList<>();
                for (int i = t; i < events.size(); i += threads) {
                    share.add(events.get(i));
                }
                futures.add(pool.submit(() ->
                        run(share, policies, captureFeatures, batch, warmupMillis, roundMillis, rounds, barrier)));
            }
            long[][] perThread = new long[threads][];
            for (int t = 0; t < threads; t++) {
                perThread[t] = futures.get(t).get();
            }
            for (int r = 0; r < rounds; r++) {
                double itemsPerSecond = 0;
                for (int t = 0; t < threads; t++) {
                    // [items, wall nanos, CPU nanos] of round r in thread t
                    itemsPerSecond += perThread[t][3 * r] * 1e9 / perThread[t][3 * r + 1];
                    items += perThread[t][3 * r];
                    cpuNanos += perThread[t][3 * r + 2];
                }
                results[r] = itemsPerSecond;
            }
            return new Result(threads, batch, results, cpuNanos / 1e3 / Math.max(1, items));
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] run(
            List<ContentEvent> share,
            List<PolicyConfig> policies,
            boolean captureFeatures,
            int batch,
            long warmupMillis,
            long roundMillis,
            int rounds,
            CyclicBarrier barrier)
            throws Exception {
        try (ModelRegistry registry = ModelRegistry.open(ModelSource.classpath("models"), new ScoringOptions(1));
                ContentScorer scorer = new ContentScorer(registry)) {
            List<String> problems = scorer.use(ContentScorer.wanted(policies));
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the bound cannot load the job's models: " + problems);
            }
            int[] cursor = {0};
            long sink = 0;
            long warmupEnd = System.nanoTime() + warmupMillis * 1_000_000;
            while (System.nanoTime() < warmupEnd) {
                sink += scoreNext(scorer, captureFeatures, share, batch, cursor);
            }
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            long[] out = new long[3 * rounds];
            for (int r = 0; r < rounds; r++) {
                barrier.await();
                long cpuStart = cpu.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                long end = start + roundMillis * 1_000_000;
                long items = 0;
                long now;
                do {
                    sink += scoreNext(scorer, captureFeatures, share, batch, cursor);
                    items += batch;
                    now = System.nanoTime();
                } while (now < end);
                out[3 * r] = items;
                out[3 * r + 1] = now - start;
                out[3 * r + 2] = cpu.getCurrentThreadCpuTime() - cpuStart;
            }
            if (sink == 42) {
                System.err.print(""); // keeps the results alive
            }
            return out;
        }
    }

    private static long scoreNext(
            ContentScorer scorer, boolean captureFeatures, List<ContentEvent> share, int batch, int[] cursor) {
        List<ContentEvent> events = new ArrayList<>(batch);
        for (int k = 0; k < batch; k++) {
            events.add(share.get(cursor[0]));
            cursor[0] = (cursor[0] + 1) % share.size();
        }
        List<ContentScorer.Scored> scored = scorer.score(events, captureFeatures);
        return Double.doubleToLongBits(scored.get(batch - 1).scores().get(0).score());
    }
}
