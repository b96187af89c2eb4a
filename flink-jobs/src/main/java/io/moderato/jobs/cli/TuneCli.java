package io.moderato.jobs.cli;

import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.Topic;
import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.io.TrainingExampleFiles;
import io.moderato.udfs.tuning.ThresholdTuning;
import io.moderato.udfs.tuning.TuningReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/moderato tune}: reads the FeedbackJob's training examples of one policy (Avro files, or
 * the {@code training.examples} topic), asks {@link ThresholdTuning} for the action threshold meeting a
 * target precision, prints the answer and writes the HTML report beside it. The thresholds in force
 * come from the policy config in force (the defaults, plus policy.config when a broker is given).
 * Exit codes: 0 recommended, 1 withheld or unreachable, 2 usage or unreadable input.
 */
public final class TuneCli {

    static final String USAGE = """
            Usage: moderato tune --policy P --target-precision X [options]
              --policy P              the policy to tune (its examples and thresholds in force)
              --target-precision X    precision the action threshold must meet, in (0, 1]
              --confidence C          confidence of that precision bound and of every interval (default 0.95)
              --examples PATH         Avro container files of TrainingExamples, or folders of them (repeatable;
                                      the FeedbackJob writes them to feedback.files.path)
              --bootstrap HOSTS       read the training.examples topic instead (and policy.config for the config in force)
              --registry URL          schema registry URL (default http://localhost:8081)
              --topic T               training examples topic (default training.examples)
              --defaults FILE         the jobs' policy defaults (default: the bundled policy-defaults.json)
              --out FILE.html         where the HTML report goes (default tune-<policy>.html)
              --timeout SECONDS       give up reading the topic after this long (default 60)
            """;

    private static final List<String> VALUE_FLAGS = List.of(
            "--policy",
            "--target-precision",
            "--confidence",
            "--examples",
            "--bootstrap",
            "--registry",
            "--topic",
            "--defaults",
            "--out",
            "--timeout");

    private TuneCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new HashMap<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (!VALUE_FLAGS.contains(flag)) {
                err.println("moderato tune: unknown flag '" + flag + "' (see --help)");
                return 2;
            }
            if (i + 1 >= args.length) {
                err.println("moderato tune: flag '" + flag + "' needs a value");
                return 2;
            }
            if (flag.equals("--examples")) {
                files.add(Path.of(args[++i]));
            } else {
                options.put(flag.substring(2), args[++i]);
            }
        }
        try {
            String policy = required(options, "policy");
            double target = number(options, "target-precision", null);
            double confidence = number(options, "confidence", "0.95");
            String bootstrap = options.get("bootstrap");
            String registry = options.getOrDefault("registry", "http://localhost:8081");
            if (files.isEmpty() == (bootstrap == null)) {
                throw new IllegalArgumentException(
                        "give either --examples PATH or --bootstrap HOSTS (the topic), not both or neither");
            }
            PolicyConfig config = configInForce(policy, options, bootstrap, registry);
            List<TrainingExample> examples = new ArrayList<>();
            String source = readExamples(options, files, bootstrap, registry, examples);
            List<ThresholdTuning.Example> labelled = labelledExamples(examples, policy);
            ThresholdTuning.Result result = ThresholdTuning.recommend(
                    labelled,
                    new ThresholdTuning.Request(
                            policy, target, confidence, config.getReviewThreshold(), config.getActionThreshold()));
            out.print(TuningReport.text(result));
            Path html = Path.of(options.getOrDefault("out", "tune-" + policy + ".html"));
            String data = source + " (" + examples.size() + " examples, " + labelled.size() + " of policy " + policy
                    + "; config v" + config.getVersion() + ")";
            Files.writeString(html, TuningReport.html(result, data), StandardCharsets.UTF_8);
            out.println("report: " + html.toAbsolutePath());
            return result.recommended().isPresent() ? 0 : 1;
        } catch (TopicReader.Unreachable e) {
            err.println("moderato tune: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | IOException e) {
            err.println("moderato tune: " + e.getMessage());
            return 2;
        }
    }

    /** The examples of {@code policy}, as the tuner takes them. */
    private static List<ThresholdTuning.Example> labelledExamples(List<TrainingExample> examples, String policy) {
        List<ThresholdTuning.Example> labelled = new ArrayList<>();
        for (TrainingExample e : examples) {
            if (e.getPolicyId().equals(policy)) {
                labelled.add(new ThresholdTuning.Example(
                        e.getFusedRisk(),
                        e.getViolating(),
                        e.getWeight(),
                        e.getAuditSampled(),
                        e.getEventTimeMillis()));
            }
        }
        return labelled;
    }

    /** Adds the training examples of the topic (with {@code bootstrap}) or of the files to {@code examples}; returns where from. */
    private static String readExamples(
            Map<String, String> options,
            List<Path> files,
            String bootstrap,
            String registry,
            List<TrainingExample> examples)
            throws IOException {
        if (bootstrap != null) {
            String topic = options.getOrDefault("topic", Topic.TRAINING_EXAMPLES.topicName());
            TopicReader.readAll(bootstrap, registry, topic, TrainingExample.class, Duration.ofSeconds((long)
                            number(options, "timeout", "60")))
                    .forEach(e -> examples.add(e.value()));
            return "topic " + topic + " on " + bootstrap;
        }
        for (TrainingExampleFiles.Read read : TrainingExampleFiles.read(files, m -> {})) {
            examples.add(read.example());
        }
        return files.toString();
    }

    private static PolicyConfig configInForce(
            String policy, Map<String, String> options, String bootstrap, String registry) {
        PolicyBook book = new PolicyBook(JobWiring.policyDefaults(
                options.getOrDefault("defaults", DetectionOptions.POLICY_DEFAULTS.defaultValue()),
                DetectionOptions.POLICY_DEFAULTS));
        if (bootstrap != null) {
            Reachability.requireRegistry(registry);
            Reachability.requireBroker(bootstrap);
            TopicReader.readAll(bootstrap, registry, "policy.config", PolicyConfig.class, Duration.ofSeconds(30))
                    .forEach(e -> book.offer(e.value()));
        }
        PolicyConfig config = book.get(policy);
        if (config == null) {
            throw new IllegalArgumentException("no policy '" + policy + "' in force (known: "
                    + book.current().stream().map(PolicyConfig::getPolicyId).toList() + ")");
        }
        return config;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static double number(Map<String, String> options, String name, String fallback) {
        String value = fallback == null ? required(options, name) : options.getOrDefault(name, fallback);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'");
        }
    }
}
