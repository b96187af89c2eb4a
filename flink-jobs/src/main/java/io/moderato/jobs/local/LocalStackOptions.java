package io.moderato.jobs.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The flags of {@code scripts/moderato up}, parsed and checked: every bad value is an error naming its flag.
 * Flags starting {@code --detection.} or {@code --feedback.} are passed to that job as options (its own
 * validation names a bad key); any other unknown flag is rejected.
 */
public record LocalStackOptions(
        Duration duration,
        double rate,
        long seed,
        String bootstrap,
        String registry,
        double spamWaveAtSeconds,
        double spamWaveShare,
        int uiPort,
        Path dataDir,
        Path emailDir,
        Path workDir,
        Path registryDir,
        int registryPort,
        Duration statusInterval,
        SimulatedReviewers.Settings reviewers,
        Map<String, String> harms,
        String policyDefaultsFile,
        Duration windowLength,
        Duration labelGrace,
        int partitions,
        int parallelism,
        long startMillis,
        Map<String, String> passThrough) {

    public static final String USAGE = """
            Usage: scripts/moderato up [options]
            Brings up the whole Moderato loop on this machine: Kafka (in-process, KRaft), a schema registry (Apicurio),
            the DetectionJob and the FeedbackJob on a Flink MiniCluster with its web UI, a traffic generator replaying
            the real corpora and simulated reviewers; prints a status line every few seconds. Ctrl-C stops everything.

              --duration SECONDS     stop after this long (default 0: run until Ctrl-C)
              --rate N               content events per second (default 20)
              --seed N               seed of the traffic, the reviewers and the jobs' audit sampling (default 42)
              --inject spam-wave@T[:SHARE]
                                     after T seconds, SHARE of the items are spam (default share 0.6)
              --bootstrap HOSTS      use this Kafka instead of the in-process broker
              --registry URL         use this Confluent-compatible schema registry instead of Apicurio
              --ui-port N            Flink web UI port (default 8081)
              --status-every SECONDS status line interval (default 5)
              --review-delay SECONDS time from a review task to its answer (default 5)
              --review-capacity N    tasks the reviewers answer per minute, all queues together (default 600)
              --review-error-rate P  probability a reviewer verdict is wrong (default 0.05)
              --appeal-share P       share of enforcement actions whose author appeals (default 0.05)
              --truth POLICY=HARM    which corpus label judges a policy: spam | hate_speech | offensive_language | none
                                     (defaults: spam=spam, hate_speech=hate_speech, harassment=offensive_language)
              --policy-defaults FILE policy configs in force before policy.config has any (default: the jobs' bundled file)
              --window SECONDS       FeedbackJob metric and drift window (default 30)
              --label-grace SECONDS  how long a window waits for its labels (default 20)
              --data DIR             committed corpora (default model-artifacts/data)
              --emails DIR           SpamAssassin corpus (default data/spam-assassin; missing: no e-mails)
              --work-dir DIR         checkpoints and training example files (default target/local-stack)
              --registry-dir DIR     unpacked Apicurio Registry runner (default flink-jobs/target/apicurio)
              --detection.KEY VALUE  any DetectionJob option, e.g. --detection.watermark.out-of-orderness 2s
              --feedback.KEY VALUE   any FeedbackJob option, e.g. --feedback.drift.psi.threshold 0.25
              -h, --help             this text
            """;

    /** Thrown by {@link #parse} for {@code --help}. */
    public static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    public LocalStackOptions {
        harms = Map.copyOf(harms);
        passThrough = Map.copyOf(passThrough);
    }

    public static LocalStackOptions parse(String[] args) {
        Map<String, String> values = new TreeMap<>();
        List<String> truth = new ArrayList<>();
        Map<String, String> passThrough = new TreeMap<>();
        readFlags(args, values, truth, passThrough);
        double[] wave = spamWave(values.get("inject"));
        double waveAt = wave[0];
        double waveShare = wave[1];
        int statusSeconds = (int) number("--status-every", values.getOrDefault("status-every", "5"), 1, 3600);
        SimulatedReviewers.Settings reviewers = new SimulatedReviewers.Settings(
                Duration.ofMillis(Math.round(
                        1000 * number("--review-delay", values.getOrDefault("review-delay", "5"), 0, 86_400))),
                number("--review-error-rate", values.getOrDefault("review-error-rate", "0.05"), 0, 1),
                (int) number("--review-capacity", values.getOrDefault("review-capacity", "600"), 1, 1e7),
                number("--appeal-share", values.getOrDefault("appeal-share", "0.05"), 0, 1),
                (long) number("--seed", values.getOrDefault("seed", "42"), Long.MIN_VALUE, Long.MAX_VALUE));
        return new LocalStackOptions(
                Duration.ofSeconds((long) number("--duration", values.getOrDefault("duration", "0"), 0, 1e9)),
                number("--rate", values.getOrDefault("rate", "20"), 0.1, 100_000),
                (long) number("--seed", values.getOrDefault("seed", "42"), Long.MIN_VALUE, Long.MAX_VALUE),
                values.get("bootstrap"),
                values.get("registry"),
                waveAt,
                waveShare,
                (int) number("--ui-port", values.getOrDefault("ui-port", "8081"), 0, 65_535),
                Path.of(values.getOrDefault("data", "model-artifacts/data")),
                Path.of(values.getOrDefault("emails", "data/spam-assassin")),
                Path.of(values.getOrDefault("work-dir", "target/local-stack")).toAbsolutePath(),
                Path.of(values.getOrDefault("registry-dir", "flink-jobs/target/apicurio")),
                (int) number("--registry-port", values.getOrDefault("registry-port", "0"), 0, 65_535),
                Duration.ofSeconds(statusSeconds),
                reviewers,
                GroundTruth.harms(truth),
                values.get("policy-defaults"),
                Duration.ofSeconds((long) number("--window", values.getOrDefault("window", "30"), 5, 86_400)),
                Duration.ofSeconds((long) number("--label-grace", values.getOrDefault("label-grace", "20"), 0, 86_400)),
                (int) number("--partitions", values.getOrDefault("partitions", "2"), 1, 64),
                (int) number("--parallelism", values.getOrDefault("parallelism", "1"), 1, 8),
                (long) number("--start-millis", values.getOrDefault("start-millis", "0"), 0, Long.MAX_VALUE),
                passThrough);
    }

    /** Sorts {@code --flag value} pairs into our flags, repeated --truth values and job options passed through. */
    private static void readFlags(
            String[] args, Map<String, String> values, List<String> truth, Map<String, String> passThrough) {
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new HelpRequested();
            }
            if (!flag.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + flag + "' (see --help)");
            }
            String name = flag.substring(2);
            boolean jobOption = name.startsWith("detection.") || name.startsWith("feedback.");
            if (!jobOption && !KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown flag '" + flag + "' (see --help)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            if (jobOption) {
                passThrough.put(name, value);
            } else if (name.equals("truth")) {
                truth.add(value);
            } else {
                values.put(name, value);
            }
        }
    }

    /** {@code spam-wave@SECONDS[:SHARE]} as {at, share}; {-1, 0.6} (no wave) when not given. */
    private static double[] spamWave(String inject) {
        double waveAt = -1;
        double waveShare = 0.6;
        if (inject != null) {
            if (!inject.startsWith("spam-wave@")) {
                throw new IllegalArgumentException("--inject supports spam-wave@SECONDS[:SHARE], got '" + inject + "'");
            }
            String[] parts = inject.substring("spam-wave@".length()).split(":", 2);
            waveAt = number("--inject spam-wave@", parts[0], 0, 1e9);
            if (parts.length == 2) {
                waveShare = number("--inject spam-wave share", parts[1], 0, 1);
            }
        }
        return new double[] {waveAt, waveShare};
    }

    private static final List<String> KNOWN = List.of(
            "duration",
            "rate",
            "seed",
            "inject",
            "bootstrap",
            "registry",
            "ui-port",
            "status-every",
            "review-delay",
            "review-capacity",
            "review-error-rate",
            "appeal-share",
            "truth",
            "policy-defaults",
            "window",
            "label-grace",
            "data",
            "emails",
            "work-dir",
            "registry-dir",
            "registry-port",
            "partitions",
            "parallelism",
            "start-millis");

    private static double number(String flag, String value, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(flag + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + value);
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    public Optional<String> policyDefaults() {
        return Optional.ofNullable(policyDefaultsFile);
    }

    /** The pass-through options of one job ({@code prefix} "detection." or "feedback."), keys as the job names them. */
    public Map<String, String> jobOptions(String prefix) {
        Map<String, String> out = new TreeMap<>();
        passThrough.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
