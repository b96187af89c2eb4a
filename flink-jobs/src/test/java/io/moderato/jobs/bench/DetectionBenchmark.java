package io.moderato.jobs.bench;

import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.model.ContentScorer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.util.FileUtils;

/**
 * DetectionJob benchmark (issue item 11), one invocation, three measurements on the same inputs:
 * (a) the pure scoring bound — the job's own ContentScorer alone (featurize + ONNX), batch 64, on 1 and on 2
 * threads; (b) the real operator chain (DetectionJob.build) on a MiniCluster at parallelism 2
 * with RocksDB and exactly-once checkpoints, in-memory source to discarding sinks, unthrottled:
 * events/s; (c) the same job with the source rate-limited to half of (b)'s rate: event-to-decision
 * latency, from the source reader handing the record to the decoder to the decision sink.
 * Prints a Markdown report and writes it to {@code bench.output}.
 *
 * <p>Usage: {@code DetectionBenchmark [events] [--key value ...]}. Keys starting with
 * {@code bench.} are harness settings (see {@link #HARNESS_DEFAULTS}); every other key goes into
 * the job configuration: DetectionOptions ({@code detection.scoring.batch.max-size}, ...) and
 * Flink options ({@code execution.buffer-timeout.interval}, {@code pipeline.object-reuse}, ...).
 */
public final class DetectionBenchmark {

    static final Map<String, String> HARNESS_DEFAULTS = new LinkedHashMap<>();

    static {
        HARNESS_DEFAULTS.put("bench.events", "60000");
        HARNESS_DEFAULTS.put("bench.users", "5000");
        HARNESS_DEFAULTS.put("bench.pre-publish-share", "0.2");
        HARNESS_DEFAULTS.put("bench.user-signals", "1000");
        HARNESS_DEFAULTS.put("bench.event-spacing-ms", "50");
        HARNESS_DEFAULTS.put("bench.warmup-events", "");
        HARNESS_DEFAULTS.put("bench.warmup-runs-max", "4");
        HARNESS_DEFAULTS.put("bench.latency-events", "");
        HARNESS_DEFAULTS.put("bench.latency-rate", "");
        HARNESS_DEFAULTS.put("bench.latency-share", "0.5");
        HARNESS_DEFAULTS.put("bench.checkpoint-interval", "2s");
        HARNESS_DEFAULTS.put("bench.bound-batch", "64");
        HARNESS_DEFAULTS.put("bench.bound-warmup", "3s");
        HARNESS_DEFAULTS.put("bench.bound-round", "3s");
        HARNESS_DEFAULTS.put("bench.bound-rounds", "3");
        HARNESS_DEFAULTS.put("bench.corpus", "data/spam-assassin");
        HARNESS_DEFAULTS.put("bench.output", "target/bench/detection.md");
        HARNESS_DEFAULTS.put("bench.work-dir", "target/bench/work");
        HARNESS_DEFAULTS.put("bench.seed", "20251124");
    }

    /** Warm-up ends once the JIT compilers take less than this share of the process CPU in a run. */
    static final double JIT_SETTLED = 0.10;

    private DetectionBenchmark() {}

    static double jitShare(CpuProfile.Snapshot cpu) {
        return (double) cpu.groupsMillis().getOrDefault(CpuProfile.JIT_GROUP, 0L) / Math.max(1, cpu.processMillis());
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> harness = new LinkedHashMap<>(HARNESS_DEFAULTS);
        Configuration overrides = new Configuration();
        parse(args, harness, overrides);
        String report = run(harness, overrides);
        System.out.println(report);
        Path output = Path.of(harness.get("bench.output"));
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report);
        System.err.println("written to " + output.toAbsolutePath());
        System.exit(0);
    }

    static void parse(String[] args, Map<String, String> harness, Configuration overrides) {
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--")) {
            harness.put("bench.events", args[0]);
            i = 1;
        }
        for (; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected [events] [--key value ...], got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (key.startsWith("bench.")) {
                if (!harness.containsKey(key)) {
                    throw new IllegalArgumentException(
                            "unknown harness setting " + key + "; known: " + harness.keySet());
                }
                harness.put(key, args[i + 1]);
            } else {
                overrides.setString(key, args[i + 1]);
            }
        }
    }

    static String run(Map<String, String> h, Configuration overrides) throws Exception {
        int p = BenchmarkJob.PARALLELISM;
        int events = roundDown(Integer.parseInt(h.get("bench.events")), p);
        int users = Integer.parseInt(h.get("bench.users"));
        int signalCount = Math.max(p, roundDown(Integer.parseInt(h.get("bench.user-signals")), p));
        int warmupEvents = h.get("bench.warmup-events").isBlank()
                ? events
                : Math.min(events, roundDown(Integer.parseInt(h.get("bench.warmup-events")), p));
        int latencyEvents = h.get("bench.latency-events").isBlank()
                ? events
                : Math.min(events, roundDown(Integer.parseInt(h.get("bench.latency-events")), p));
        Duration interval = parseDuration(h.get("bench.checkpoint-interval"));
        long seed = Long.parseLong(h.get("bench.seed"));
        Path work = Path.of(h.get("bench.work-dir")).toAbsolutePath();
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        Configuration detection = new Configuration(overrides);
        String registry = "mock://detection-bench-" + Long.toHexString(System.nanoTime());
        detection.set(DetectionOptions.SCHEMA_REGISTRY_URL, registry);
        List<String> problems = DetectionOptions.validate(detection);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid job options: " + problems);
        }
        List<PolicyConfig> defaults = JobWiring.policyDefaults(
                detection.get(DetectionOptions.POLICY_DEFAULTS), DetectionOptions.POLICY_DEFAULTS);
        // the models the job's scorer loads for these policies, as the bound loads them too
        List<String> textModels = ContentScorer.wanted(defaults).entrySet().stream()
                .filter(e -> e.getKey().modality().equals("text"))
                .map(e -> e.getKey().model() + ":" + e.getValue() + (e.getKey().shadow() ? " (shadow)" : ""))
                .toList();
        if (textModels.isEmpty()) {
            throw new IllegalStateException("no policy default scores text");
        }
        boolean captureFeatures = detection.get(DetectionOptions.CAPTURE_FEATURES);

        // ---- inputs, encoded once
        log("loading texts");
        BenchmarkInputs.Texts texts = BenchmarkInputs.texts(Path.of(h.get("bench.corpus")));
        List<ContentEvent> contentEvents = BenchmarkInputs.contentEvents(
                events,
                users,
                Double.parseDouble(h.get("bench.pre-publish-share")),
                Long.parseLong(h.get("bench.event-spacing-ms")),
                texts.texts(),
                seed);
        String contentId = BenchmarkInputs.encode(
                ContentEvent.class,
                contentEvents,
                registry,
                detection.get(DetectionOptions.TOPIC_CONTENT),
                e -> e.getUserId().toString());
        long encodedBytes = BenchmarkInputs.encodedBytes(contentId);
        long prePublish =
                contentEvents.stream().filter(ContentEvent::getPrePublish).count();
        String signalsId = BenchmarkInputs.encode(
                UserSignal.class,
                BenchmarkInputs.userSignals(signalCount, users, seed + 1),
                registry,
                detection.get(DetectionOptions.TOPIC_USER_SIGNALS),
                s -> s.getUserId().toString());
        PolicyConfig resubmitted = BenchmarkInputs.resubmitted(defaults, "spam");
        String configsId = BenchmarkInputs.encode(
                PolicyConfig.class,
                List.of(resubmitted),
                registry,
                detection.get(DetectionOptions.TOPIC_POLICY_CONFIG),
                c -> c.getPolicyId().toString());

        // ---- (a) pure scoring bound
        int batch = Integer.parseInt(h.get("bench.bound-batch"));
        long boundWarmup = parseDuration(h.get("bench.bound-warmup")).toMillis();
        long boundRound = parseDuration(h.get("bench.bound-round")).toMillis();
        int boundRounds = Integer.parseInt(h.get("bench.bound-rounds"));
        log("pure scoring bound, 1 thread");
        ScoringBound.Result bound1 = ScoringBound.measure(
                contentEvents, defaults, captureFeatures, 1, batch, boundWarmup, boundRound, boundRounds);
        log(String.format(Locale.ROOT, "  %.0f items/s", bound1.median()));
        log("pure scoring bound, 2 threads");
        ScoringBound.Result bound2 = ScoringBound.measure(
                contentEvents, defaults, captureFeatures, p, batch, boundWarmup, boundRound, boundRounds);
        log(String.format(Locale.ROOT, "  %.0f items/s", bound2.median()));

        MiniCluster cluster = BenchmarkJob.startCluster();
        try {
            // ---- warm-up runs, discarded: until the JIT compilers have (nearly) caught up. On a loaded
            // 2-core machine C2 lags by many seconds, and its compiling would otherwise eat into run (b).
            BenchmarkJob.Inputs warmInputs =
                    new BenchmarkJob.Inputs(contentId, warmupEvents, signalsId, signalCount, configsId);
            int maxWarmups = Integer.parseInt(h.get("bench.warmup-runs-max"));
            double jitShare = 1;
            int warmups = 0;
            while (warmups < maxWarmups && jitShare > JIT_SETTLED) {
                warmups++;
                log("warm-up job " + warmups + ": " + warmupEvents + " events");
                BenchmarkJob.Result warm = BenchmarkJob.run(
                        cluster, jobConf(work, "warmup", interval, detection), warmInputs, warmupEvents, 0, "warm-up");
                check(warm, warmupEvents);
                jitShare = jitShare(warm.cpu());
                log(String.format(Locale.ROOT, "  JIT compilers used %.0f %% of the process CPU", 100 * jitShare));
            }

            // ---- (b) maximum throughput
            log("throughput job: " + events + " events, unthrottled");
            BenchmarkJob.Inputs inputs = new BenchmarkJob.Inputs(contentId, events, signalsId, signalCount, configsId);
            BenchmarkJob.Result max = BenchmarkJob.run(
                    cluster, jobConf(work, "throughput", interval, detection), inputs, events, 0, "throughput");
            check(max, events);
            double maxRate = max.stats().steadyEventsPerSecond();
            log(String.format(Locale.ROOT, "  %.0f events/s (first to last decision)", maxRate));

            // ---- (c) latency at a share of the maximum rate
            double rate = h.get("bench.latency-rate").isBlank()
                    ? Math.floor(maxRate * Double.parseDouble(h.get("bench.latency-share")))
                    : Double.parseDouble(h.get("bench.latency-rate"));
            log(String.format(
                    Locale.ROOT,
                    "latency job: %d events at %.0f events/s (~%.0f s)",
                    latencyEvents,
                    rate,
                    latencyEvents / rate));
            BenchmarkJob.Result latency = BenchmarkJob.run(
                    cluster, jobConf(work, "latency", interval, detection), inputs, latencyEvents, rate, "latency");
            check(latency, latencyEvents);

            // ---- (a) again: the machine's load drifts, so the bound is sampled on both sides of the job runs
            log("pure scoring bound again, 1 and 2 threads");
            bound1 = bound1.merge(ScoringBound.measure(
                    contentEvents, defaults, captureFeatures, 1, batch, boundWarmup, boundRound, boundRounds));
            bound2 = bound2.merge(ScoringBound.measure(
                    contentEvents, defaults, captureFeatures, p, batch, boundWarmup, boundRound, boundRounds));
            log(String.format(
                    Locale.ROOT, "  %.0f / %.0f items/s (median of all rounds)", bound1.median(), bound2.median()));

            Report report = new Report(
                    h,
                    detection,
                    texts,
                    events,
                    users,
                    signalCount,
                    prePublish,
                    encodedBytes,
                    warmupEvents,
                    warmups,
                    latencyEvents,
                    interval,
                    textModels,
                    loadAtStart,
                    bound1,
                    bound2,
                    max,
                    latency);
            return report.markdown();
        } finally {
            cluster.close();
            FileUtils.deleteDirectoryQuietly(work.toFile());
        }
    }

    private static Configuration jobConf(Path work, String run, Duration interval, Configuration detection) {
        return BenchmarkJob.jobConfiguration(
                work.resolve("checkpoints-" + run + "-" + System.nanoTime()), interval, detection);
    }

    /** Every event decided exactly once, nothing dead-lettered, checkpoints completing: else the numbers mean nothing. */
    static void check(BenchmarkJob.Result r, int expected) {
        BenchmarkJob.RunStats s = r.stats();
        StringBuilder problems = new StringBuilder();
        if (s.decided() != expected) {
            problems.append(" decided ")
                    .append(s.decided())
                    .append(" of ")
                    .append(expected)
                    .append(';');
        }
        if (s.duplicates() > 0 || s.unknown() > 0) {
            problems.append(" duplicates ")
                    .append(s.duplicates())
                    .append(", unknown ids ")
                    .append(s.unknown())
                    .append(';');
        }
        if (r.deadLetters() > 0) {
            problems.append(" dead letters ").append(r.deadLetters()).append(';');
        }
        if (problems.length() > 0) {
            throw new IllegalStateException("run '" + r.label() + "' is not a valid measurement:" + problems);
        }
        if (r.checkpoints().completed() == 0) {
            log("WARNING: run '" + r.label() + "' completed no checkpoint (too short for the interval?)");
        }
    }

    static int roundDown(int value, int multiple) {
        return Math.max(multiple, value - value % multiple);
    }

    static Duration parseDuration(String text) {
        Configuration c = new Configuration();
        c.setString("d", text);
        return c.get(org.apache.flink.configuration.ConfigOptions.key("d")
                .durationType()
                .noDefaultValue());
    }

    static void log(String message) {
        System.err.printf(
                Locale.ROOT,
                "[bench %s, uptime %.1f s] %s%n",
                Instant.now().toString().substring(11, 19),
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0,
                message);
    }

    /** Builds the Markdown report. */
    record Report(
            Map<String, String> h,
            Configuration job,
            BenchmarkInputs.Texts texts,
            int events,
            int users,
            int signals,
            long prePublish,
            long encodedBytes,
            int warmupEvents,
            int warmups,
            int latencyEvents,
            Duration interval,
            List<String> models,
            double loadAtStart,
            ScoringBound.Result bound1,
            ScoringBound.Result bound2,
            BenchmarkJob.Result max,
            BenchmarkJob.Result latency) {

        String markdown() {
            StringBuilder md = new StringBuilder();
            BenchmarkJob.RunStats ms = max.stats();
            BenchmarkJob.RunStats ls = latency.stats();
            double ratio = ms.steadyEventsPerSecond() / bound2.median();
            double p99 = BenchmarkJob.RunStats.quantile(ls.steadyLatencyMicros(), 0.99) / 1000;

            md.append("### DetectionJob benchmark\n\n");
            md.append(String.format(
                    Locale.ROOT,
                    "Machine: %d cores, %s %s, Java %s, load average %.2f at start. Run %s.%n%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    System.getProperty("os.arch"),
                    System.getProperty("java.version"),
                    loadAtStart,
                    Instant.now().toString().substring(0, 16) + "Z"));
            md.append(String.format(
                    Locale.ROOT,
                    "Inputs: %,d content events (text only) from %s, mean %.0f chars, "
                            + "%.1f kB encoded on average; %,d users (≈%.1f items each), %.0f%% pre-publish, event times %s ms apart; "
                            + "%,d user signals; 1 policy-config submission. Confluent-framed Avro encoded once on a mock:// registry "
                            + "and decoded by the job as in production.%n%n",
                    events,
                    texts.origin(),
                    texts.meanChars(),
                    encodedBytes / 1024.0 / events,
                    users,
                    (double) events / users,
                    100.0 * prePublish / events,
                    h.get("bench.event-spacing-ms"),
                    signals));
            md.append(String.format(
                    Locale.ROOT,
                    "Job: the real `DetectionJob.build` graph on a MiniCluster (1 TM, 2 slots), "
                            + "parallelism 2, RocksDB with incremental checkpoints, EXACTLY_ONCE every %s, `pipeline.generic-types=false`, "
                            + "policy defaults `%s`; in-memory parallel source (DataGeneratorSource replaying the records) to "
                            + "discarding sinks. Settings: %s; JVM `-Dorg.apache.avro.fastread=%s`, heap %d MB. "
                            + "Text models the job's scorer loads for these policies (the bound runs the same scorer on the same models "
                            + "and events, with the job's feature capture): %s; ONNX intra-op threads %d.%n%n",
                    fmt(interval),
                    job.get(DetectionOptions.POLICY_DEFAULTS),
                    settings(),
                    System.getProperty("org.apache.avro.fastread", "false"),
                    Runtime.getRuntime().maxMemory() >> 20,
                    models,
                    job.get(DetectionOptions.INTRA_OP_THREADS)));

            md.append("| measurement | value |\n|---|---:|\n");
            row(
                    md,
                    "(a) pure scoring bound, the job's ContentScorer (featurize + ONNX), batch " + bound1.batch()
                            + ", 1 thread (median of rounds before and after the job runs; range)",
                    String.format(
                            Locale.ROOT, "%,.0f items/s (%,.0f–%,.0f)", bound1.median(), bound1.min(), bound1.max()));
            row(
                    md,
                    "(a) pure scoring bound, batch " + bound2.batch() + ", 2 threads (= parallelism 2)",
                    String.format(
                            Locale.ROOT, "%,.0f items/s (%,.0f–%,.0f)", bound2.median(), bound2.min(), bound2.max()));
            row(
                    md,
                    "(b) job, unthrottled, steady (first → last decision)",
                    String.format(Locale.ROOT, "**%,.0f events/s**", ms.steadyEventsPerSecond()));
            row(
                    md,
                    "(b) job, unthrottled, middle 80 % of decisions",
                    String.format(Locale.ROOT, "%,.0f events/s", ms.innerEventsPerSecond()));
            row(
                    md,
                    "(b) job, unthrottled, whole run (submit → finished, incl. start-up and final checkpoint)",
                    String.format(
                            Locale.ROOT,
                            "%,.0f events/s (%.1f s)",
                            max.items() * 1000.0 / max.wallMillis(),
                            max.wallMillis() / 1000.0));
            row(
                    md,
                    "**job / pure scoring bound (2 threads)**, wall clock",
                    String.format(
                            Locale.ROOT,
                            "**%.0f %%** (target ≥ 50 %%: %s)",
                            100 * ratio,
                            ratio >= 0.5 ? "met" : "NOT met"));
            row(
                    md,
                    "job / pure scoring bound (1 thread)",
                    String.format(Locale.ROOT, "%.0f %%", 100 * ms.steadyEventsPerSecond() / bound1.median()));
            double jobCpu = (double) max.cpu().processMillis() * 1000 / Math.max(1, ms.decided());
            double jitCpu = max.cpu().groupsMillis().getOrDefault(CpuProfile.JIT_GROUP, 0L)
                    * 1000.0
                    / Math.max(1, ms.decided());
            double scoringCpu = max.cpu().groupsMillis().entrySet().stream()
                            .filter(e -> e.getKey().startsWith("Score"))
                            .mapToLong(Map.Entry::getValue)
                            .sum()
                    * 1000.0
                    / Math.max(1, ms.decided());
            row(
                    md,
                    "CPU per item: bound (1 thread / 2 threads) vs job (process without JIT compilers / scoring task thread)",
                    String.format(
                            Locale.ROOT,
                            "%.0f / %.0f µs vs %.0f / %.0f µs (+ %.0f µs JIT)",
                            bound1.cpuMicrosPerItem(),
                            bound2.cpuMicrosPerItem(),
                            jobCpu - jitCpu,
                            scoringCpu,
                            jitCpu));
            row(
                    md,
                    "CPU-time ratio: bound CPU per item (2 threads) / job CPU per event without JIT (≈ the ratio on 2 idle cores, if the job kept both busy)",
                    String.format(Locale.ROOT, "%.0f %%", 100 * bound2.cpuMicrosPerItem() / (jobCpu - jitCpu)));
            row(
                    md,
                    String.format(
                            Locale.ROOT,
                            "(c) latency run: source rate-limited to %.0f %% of (b)",
                            100 * latency.ratePerSecond() / ms.steadyEventsPerSecond()),
                    String.format(
                            Locale.ROOT,
                            "%,.0f events/s target, %,.0f emitted, %,.0f decided; %,d events, %.1f s",
                            latency.ratePerSecond(),
                            ls.emittedPerSecond(),
                            ls.steadyEventsPerSecond(),
                            latencyEvents,
                            latency.wallMillis() / 1000.0));
            row(
                    md,
                    "(c) event-to-decision latency p50 / p99 / p99.9 / max (first 10 % of the run excluded)",
                    latencies(ls.steadyLatencyMicros()));
            row(
                    md,
                    "**(c) p99 event-to-decision latency**",
                    String.format(
                            Locale.ROOT, "**%.1f ms** (target ≤ 100 ms: %s)", p99, p99 <= 100 ? "met" : "NOT met"));
            row(md, "(c) same, all events (incl. start-up)", latencies(ls.latencyMicros()));
            row(
                    md,
                    "(c) of which decider → decision sink, p50 / p99 / max",
                    String.format(
                            Locale.ROOT,
                            "%.0f / %.0f / %.0f ms (wall clock, 1 ms resolution)",
                            BenchmarkJob.RunStats.quantile(ls.decideToSinkMillis(), 0.5),
                            BenchmarkJob.RunStats.quantile(ls.decideToSinkMillis(), 0.99),
                            BenchmarkJob.RunStats.quantile(ls.decideToSinkMillis(), 1.0)));
            md.append('\n');

            md.append("Checks per run: every event decided exactly once, no dead letters, checkpoints completed.\n\n");
            md.append(
                    "| run | events | decisions | review tasks | actions | config audits | late | checkpoints ok / failed | checkpoint avg / max | checkpointed avg |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (BenchmarkJob.Result r : List.of(max, latency)) {
                BenchmarkJob.Checkpoints c = r.checkpoints();
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %,d | %,d | %,d | %,d | %d | %d | %d / %d | %d / %d ms | %s |%n",
                        r.label(),
                        r.items(),
                        r.stats().decided(),
                        r.tasks(),
                        r.actions(),
                        r.audits(),
                        r.stats().late(),
                        c.completed(),
                        c.failed(),
                        c.avgDurationMillis(),
                        c.maxDurationMillis(),
                        bytes(c.avgCheckpointedBytes())));
            }
            md.append('\n');

            cpuTable(md, max);
            loadTable(md, max);
            timeline(md, latency);
            md.append(String.format(
                    Locale.ROOT,
                    "Run (c) used %.2f cores (process CPU %.1f s in %.1f s), of which JIT compilers %.1f s, GC %.1f s.%n%n",
                    (double) latency.cpu().processMillis()
                            / Math.max(1, latency.cpu().elapsedMillis()),
                    latency.cpu().processMillis() / 1000.0,
                    latency.cpu().elapsedMillis() / 1000.0,
                    latency.cpu().groupsMillis().getOrDefault(CpuProfile.JIT_GROUP, 0L) / 1000.0,
                    latency.cpu().groupsMillis().getOrDefault(CpuProfile.GC_GROUP, 0L) / 1000.0));
            md.append(String.format(
                    Locale.ROOT,
                    "Warm-up: %d discarded %,d-event job run(s) first in the same JVM (after the scoring bound), "
                            + "until the JIT compilers used < %.0f %% of the CPU of a run (or 4 runs). "
                            + "Latency = System.nanoTime() at the decision sink − at the source reader's emission of the record "
                            + "(same JVM), so it covers decode, batching, scoring, every network hop, keyed state and routing up to the "
                            + "sink writer; with the production exactly-once Kafka sinks, read_committed consumers see a decision only "
                            + "once the checkpoint after it completes. "
                            + "On a shared machine the wall-clock figures move with other load (the bound and the job run at different "
                            + "moments); the CPU-time ratio is the steadier estimate. Treat the figures as indicative until re-run on a "
                            + "quiet machine.%n",
                    warmups,
                    warmupEvents,
                    100 * JIT_SETTLED));
            return md.toString();
        }

        private String settings() {
            // what the job ran with: its production tuning, then the run's overrides
            Configuration effective = DetectionJob.tuned(new Configuration());
            effective.addAll(job);
            Map<String, String> shown = new TreeMap<>();
            shown.put(
                    DetectionOptions.BATCH_MAX_SIZE.key(),
                    String.valueOf(effective.get(DetectionOptions.BATCH_MAX_SIZE)));
            shown.put(DetectionOptions.BATCH_MAX_WAIT.key(), fmt(effective.get(DetectionOptions.BATCH_MAX_WAIT)));
            shown.put(
                    DetectionOptions.CAPTURE_FEATURES.key(),
                    String.valueOf(effective.get(DetectionOptions.CAPTURE_FEATURES)));
            shown.put(
                    ExecutionOptions.BUFFER_TIMEOUT.key(),
                    effective
                            .getOptional(ExecutionOptions.BUFFER_TIMEOUT)
                            .map(Report::fmt)
                            .orElse("100 ms (Flink default)"));
            shown.put(PipelineOptions.OBJECT_REUSE.key(), String.valueOf(effective.get(PipelineOptions.OBJECT_REUSE)));
            effective.toMap().forEach((k, v) -> {
                if (!k.equals(DetectionOptions.SCHEMA_REGISTRY_URL.key())) {
                    shown.putIfAbsent(k, v);
                }
            });
            StringBuilder sb = new StringBuilder();
            shown.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ")
                    .append('`')
                    .append(k)
                    .append('=')
                    .append(v)
                    .append('`'));
            return sb.toString();
        }

        private static void cpuTable(StringBuilder md, BenchmarkJob.Result r) {
            CpuProfile.Snapshot cpu = r.cpu();
            int n = r.stats().decided();
            md.append(String.format(
                    Locale.ROOT,
                    "Where the CPU went in run (b) (%.1f s wall, process CPU %.1f s = %.2f cores, "
                            + "GC pauses %.1f s; CPU µs per event; task threads are named after their operator chain):%n%n",
                    cpu.elapsedMillis() / 1000.0,
                    cpu.processMillis() / 1000.0,
                    (double) cpu.processMillis() / Math.max(1, cpu.elapsedMillis()),
                    cpu.gcMillis() / 1000.0));
            md.append("| threads | CPU s | µs / event | share of process |\n|---|---:|---:|---:|\n");
            long listed = 0;
            int rows = 0;
            for (Map.Entry<String, Long> e : cpu.groupsMillis().entrySet()) {
                if (rows++ >= 14 || e.getValue() < 50) {
                    break;
                }
                listed += e.getValue();
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.0f | %.0f %% |%n",
                        shorten(e.getKey()),
                        e.getValue() / 1000.0,
                        e.getValue() * 1000.0 / n,
                        100.0 * e.getValue() / Math.max(1, cpu.processMillis())));
            }
            long rest = cpu.processMillis() - listed;
            md.append(String.format(
                    Locale.ROOT,
                    "| everything else (smaller groups, threads that ended between samples) | %.1f | %.0f | %.0f %% |%n",
                    rest / 1000.0,
                    rest * 1000.0 / n,
                    100.0 * rest / Math.max(1, cpu.processMillis())));
            md.append(String.format(
                    Locale.ROOT,
                    "| **process total** | %.1f | %.0f | 100 %% |%n%n",
                    cpu.processMillis() / 1000.0,
                    cpu.processMillis() * 1000.0 / n));
        }

        private static void loadTable(StringBuilder md, BenchmarkJob.Result r) {
            md.append(
                    "Task time of the content path in run (b), summed over subtasks (Flink's busy / back-pressured / idle "
                            + "accounting; busy is wall time, so on a loaded machine it includes waiting for a core):\n\n");
            md.append("| operator chain | busy s | busy | back-pressured | idle |\n|---|---:|---:|---:|---:|\n");
            for (BenchmarkJob.TaskLoad t : r.load()) {
                if (t.name().contains("user.signals")
                        || t.name().contains("policy.config")
                        || t.name().contains("deadletter")) {
                    continue; // side inputs: a few records, then finished (their busy time is waiting to end)
                }
                double total = t.busyMillis() + t.backPressuredMillis() + t.idleMillis();
                if (total <= 0) {
                    continue;
                }
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.0f %% | %.0f %% | %.0f %% |%n",
                        shorten(t.name()),
                        t.busyMillis() / 1000,
                        100 * t.busyMillis() / total,
                        100.0 * t.backPressuredMillis() / total,
                        100.0 * t.idleMillis() / total));
            }
            md.append('\n');
        }

        /** Latency by emission time in run (c), with the checkpoints triggered in each slice. */
        private static void timeline(StringBuilder md, BenchmarkJob.Result r) {
            BenchmarkJob.RunStats s = r.stats();
            long[] emitted = s.itemEmittedNanos();
            long[] latency = s.itemLatencyMicros();
            if (emitted.length == 0) {
                return;
            }
            long first = s.firstEmissionNanos();
            long span = Math.max(1, s.lastEmissionNanos() - first);
            long slice = Math.max(1_000_000_000L, (span / 20 + 499_999_999L) / 500_000_000L * 500_000_000L);
            int slices = (int) (span / slice) + 1;
            List<List<Long>> bySlice = new java.util.ArrayList<>();
            for (int i = 0; i < slices; i++) {
                bySlice.add(new java.util.ArrayList<>());
            }
            for (int i = 0; i < emitted.length; i++) {
                bySlice.get((int) ((emitted[i] - first) / slice)).add(latency[i]);
            }
            md.append(String.format(
                    Locale.ROOT,
                    "Run (c) latency by emission time (%.1f s slices) and the checkpoints triggered in each:%n%n",
                    slice / 1e9));
            md.append(
                    "| from s | events | p50 ms | p99 ms | max ms | checkpoints triggered (end-to-end; worst subtask) |\n|---:|---:|---:|---:|---:|---|\n");
            for (int i = 0; i < slices; i++) {
                long[] values = bySlice.get(i).stream()
                        .mapToLong(Long::longValue)
                        .sorted()
                        .toArray();
                long from = first + i * slice;
                long to = from + slice;
                StringBuilder cps = new StringBuilder();
                for (BenchmarkJob.CheckpointEvent c : r.checkpoints().history()) {
                    if (c.triggerNanos() >= from && c.triggerNanos() < to) {
                        cps.append(cps.length() == 0 ? "" : "; ")
                                .append(String.format(
                                        Locale.ROOT,
                                        "#%d at +%.1f s: %d ms%s (sync ≤ %d ms in %s; alignment ≤ %d, barrier delay ≤ %d ms)",
                                        c.id(),
                                        (c.triggerNanos() - first) / 1e9,
                                        c.durationMillis(),
                                        c.status().equals("COMPLETED")
                                                ? ""
                                                : " " + c.status().toLowerCase(Locale.ROOT),
                                        c.maxSyncMillis(),
                                        firstOperator(c.maxSyncTask()),
                                        c.maxAlignmentMillis(),
                                        c.maxStartDelayMillis()));
                    }
                }
                md.append(String.format(
                        Locale.ROOT,
                        "| %.1f | %,d | %.1f | %.1f | %.1f | %s |%n",
                        (from - first) / 1e9,
                        values.length,
                        BenchmarkJob.RunStats.quantile(values, 0.5) / 1000,
                        BenchmarkJob.RunStats.quantile(values, 0.99) / 1000,
                        BenchmarkJob.RunStats.quantile(values, 1.0) / 1000,
                        cps));
            }
            md.append('\n');
        }

        private static String firstOperator(String chain) {
            int arrow = chain.indexOf(" -> ");
            return '"' + (arrow < 0 ? chain : chain.substring(0, arrow)) + '"';
        }

        private static String shorten(String name) {
            String s = name.replace("|", "/");
            return s.length() <= 110 ? s : s.substring(0, 107) + "...";
        }

        private static String latencies(long[] micros) {
            return String.format(
                    Locale.ROOT,
                    "%.1f / %.1f / %.1f / %.1f ms",
                    BenchmarkJob.RunStats.quantile(micros, 0.5) / 1000,
                    BenchmarkJob.RunStats.quantile(micros, 0.99) / 1000,
                    BenchmarkJob.RunStats.quantile(micros, 0.999) / 1000,
                    BenchmarkJob.RunStats.quantile(micros, 1.0) / 1000);
        }

        private static void row(StringBuilder md, String name, String value) {
            md.append("| ").append(name).append(" | ").append(value).append(" |\n");
        }

        private static String bytes(long b) {
            return b >= 1 << 20
                    ? String.format(Locale.ROOT, "%.1f MB", b / 1048576.0)
                    : String.format(Locale.ROOT, "%.0f kB", b / 1024.0);
        }

        static String fmt(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
        }
    }
}
