package io.moderato.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moderato.jobs.common.JobWiring;
import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyConfigDiff;
import io.moderato.udfs.config.PolicyConfigValidator;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The policy team's view of {@code policy.config} and {@code config.audit} ({@code scripts/moderato config}):
 * show the configs in force (the jobs' defaults with every config on the topic replayed through the jobs'
 * own {@link PolicyBook}), validate a file with the jobs' validator, set fields (diff, validate, publish
 * version + 1, wait for the audit verdict), the audit history, and diffs between versions. Exit codes:
 * 0 ok / accepted, 1 rejected, no verdict or unreachable, 2 usage or invalid input.
 */
public final class PolicyConfigCli {

    static final String USAGE = """
            Usage: moderato config <command> [options]
              show      [--policy P] [--json]       the configs in force: the jobs' defaults, then policy.config replayed
                                                    through the jobs' own PolicyBook (what the jobs hold now)
              validate  --file F                    the jobs' validator on F (a JSON object or array); with a reachable
                                                    broker also the verdict it would get against the config in force
              set       --policy P --set KEY=VALUE [--set ...] [--note TEXT] [--updated-by WHO] [--dry-run] [--wait S]
              set       --file F [--dry-run] [--wait S]
                                                    shows the diff to the config in force, validates, publishes it as the
                                                    next version and waits for the jobs' verdict on config.audit (default 30 s).
                                                    KEY is a field of the JSON shape: actionThreshold, fusionWeights.text, ...
                                                    VALUE is JSON (0.92, true, ["en"]) or else a string
              history   [--policy P]                every verdict on config.audit, oldest first
              diff      --policy P [--from V] [--to V]
                                                    field differences between two versions (defaults or config.audit);
                                                    default: the previous version against the one in force
              diff      --file F                    the file against the config in force
            Common options:
              --bootstrap HOSTS    Kafka bootstrap servers (default localhost:9092)
              --registry URL       schema registry URL (default http://localhost:8081)
              --topic T            policy config topic (default policy.config)
              --audit-topic T      config audit topic (default config.audit)
              --defaults FILE      the jobs' policy defaults (default: the bundled policy-defaults.json)
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COMMANDS = List.of("show", "validate", "set", "history", "diff");
    private static final List<String> VALUE_FLAGS = List.of(
            "--bootstrap",
            "--registry",
            "--topic",
            "--audit-topic",
            "--defaults",
            "--policy",
            "--file",
            "--set",
            "--note",
            "--updated-by",
            "--wait",
            "--from",
            "--to");

    private final Map<String, String> options;
    private final List<String> sets;
    private final PrintStream out;
    private final PrintStream err;

    private PolicyConfigCli(Map<String, String> options, List<String> sets, PrintStream out, PrintStream err) {
        this.options = options;
        this.sets = sets;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0
                || args[0].equals("--help")
                || args[0].equals("-h")
                || List.of(args).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        String command = args[0];
        if (!COMMANDS.contains(command)) {
            err.println("moderato config: unknown command '" + command + "' (one of " + COMMANDS + "; see --help)");
            return 2;
        }
        Map<String, String> options = new HashMap<>();
        List<String> sets = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--json") || flag.equals("--dry-run")) {
                options.put(flag.substring(2), "true");
            } else if (VALUE_FLAGS.contains(flag)) {
                if (i + 1 >= args.length) {
                    err.println("moderato config: flag '" + flag + "' needs a value");
                    return 2;
                }
                String value = args[++i];
                if (flag.equals("--set")) {
                    sets.add(value);
                } else {
                    options.put(flag.substring(2), value);
                }
            } else {
                err.println("moderato config: unknown flag '" + flag + "' (see --help)");
                return 2;
            }
        }
        PolicyConfigCli cli = new PolicyConfigCli(options, sets, out, err);
        try {
            return switch (command) {
                case "show" -> cli.show();
                case "validate" -> cli.validate();
                case "set" -> cli.set();
                case "history" -> cli.history();
                default -> cli.diff();
            };
        } catch (TopicReader.Unreachable e) {
            err.println("moderato config: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("moderato config " + command + ": " + e.getMessage());
            return 2;
        }
    }

    private String bootstrap() {
        return options.getOrDefault("bootstrap", "localhost:9092");
    }

    private String registry() {
        return options.getOrDefault("registry", "http://localhost:8081");
    }

    private String require(String option) {
        String value = options.get(option);
        if (value == null) {
            throw new IllegalArgumentException("--" + option + " is required");
        }
        return value;
    }

    private List<PolicyConfig> defaults() {
        return JobWiring.policyDefaults(
                options.getOrDefault("defaults", DetectionOptions.POLICY_DEFAULTS.defaultValue()),
                DetectionOptions.POLICY_DEFAULTS);
    }

    /** The configs in force, as the jobs hold them: defaults, then every config on the topic offered to a {@link PolicyBook}. */
    private PolicyBook book() {
        Reachability.requireRegistry(registry());
        Reachability.requireBroker(bootstrap());
        PolicyBook book = new PolicyBook(defaults());
        for (var entry : TopicReader.readAll(
                bootstrap(),
                registry(),
                options.getOrDefault("topic", "policy.config"),
                PolicyConfig.class,
                Duration.ofSeconds(30))) {
            book.offer(entry.value());
        }
        return book;
    }

    private int show() {
        List<PolicyConfig> configs = new ArrayList<>(book().current());
        String policy = options.get("policy");
        if (policy != null) {
            configs.removeIf(c -> !c.getPolicyId().equals(policy));
            if (configs.isEmpty()) {
                throw new IllegalArgumentException("no policy '" + policy + "' in force");
            }
        }
        if (options.containsKey("json")) {
            out.println(PolicyDefaults.toJson(configs));
            return 0;
        }
        out.printf(
                Locale.ROOT,
                "%-14s %4s %-8s %7s %7s %7s %-7s %-38s %s%n",
                "policy",
                "v",
                "enabled",
                "review",
                "action",
                "escal.",
                "auto",
                "models (modality=name:version)",
                "updated by / note");
        for (PolicyConfig c : configs) {
            String models =
                    c.getActiveModels().stream().map(PolicyConfigCli::model).collect(Collectors.joining(" "));
            out.printf(
                    Locale.ROOT,
                    "%-14s %4d %-8s %7.3f %7.3f %7.3f %-7s %-38s %s%s%n",
                    c.getPolicyId(),
                    c.getVersion(),
                    c.getEnabled() ? "yes" : "NO",
                    c.getReviewThreshold(),
                    c.getActionThreshold(),
                    c.getEscalationThreshold(),
                    c.getAutoAction(),
                    models,
                    c.getUpdatedBy(),
                    c.getChangeNote() == null ? "" : " — " + c.getChangeNote());
        }
        return 0;
    }

    private static String model(ModelVersion m) {
        return m.getModality() + "=" + m.getName() + ":" + m.getVersion();
    }

    private List<PolicyConfig> readFile() {
        String file = require("file");
        try {
            String json =
                    Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            return json.startsWith("[")
                    ? PolicyDefaults.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), file)
                    : List.of(PolicyDefaults.fromJson(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private int validate() {
        List<PolicyConfig> configs = readFile();
        boolean valid = true;
        for (PolicyConfig c : configs) {
            List<String> violations = PolicyConfigValidator.violations(c);
            if (violations.isEmpty()) {
                out.println("valid: " + c.getPolicyId() + " v" + c.getVersion());
            } else {
                valid = false;
                out.println("INVALID: " + c.getPolicyId() + " v" + c.getVersion());
                violations.forEach(v -> out.println("  - " + v));
            }
        }
        if (valid && options.containsKey("bootstrap")) {
            PolicyBook book = book();
            for (PolicyConfig c : configs) {
                PolicyBook.Outcome outcome = book.offer(c);
                out.println("against the config in force: " + c.getPolicyId() + " v" + c.getVersion() + " would be "
                        + outcome.verdict().status()
                        + (outcome.accepted() ? "" : " (" + outcome.verdict().reason(c.getVersion()) + ")"));
                valid &= outcome.accepted();
            }
        }
        return valid ? 0 : 2;
    }

    private int set() {
        PolicyBook book = book();
        List<PolicyConfig> submitted;
        if (options.containsKey("file")) {
            if (!sets.isEmpty()) {
                throw new IllegalArgumentException("use either --file or --set, not both");
            }
            submitted = readFile();
        } else {
            String policy = require("policy");
            if (sets.isEmpty()) {
                throw new IllegalArgumentException("nothing to set: give --set KEY=VALUE (or --file)");
            }
            PolicyConfig current = book.get(policy);
            if (current == null) {
                throw new IllegalArgumentException("no policy '" + policy + "' in force (see 'moderato config show')");
            }
            submitted = List.of(withChanges(current));
        }
        boolean valid = true;
        for (PolicyConfig c : submitted) {
            PolicyConfig current = book.get(c.getPolicyId());
            out.println(c.getPolicyId() + ": v" + (current == null ? "-" : current.getVersion()) + " (in force) -> v"
                    + c.getVersion());
            PolicyConfigDiff.lines(PolicyConfigDiff.between(current, c)).forEach(line -> out.println("  " + line));
            List<String> violations = PolicyConfigValidator.violations(c);
            if (!violations.isEmpty()) {
                valid = false;
                out.println("INVALID (not published):");
                violations.forEach(v -> out.println("  - " + v));
            } else if (current != null && c.getVersion() <= current.getVersion()) {
                valid = false;
                out.println(
                        "STALE (not published): version " + c.getVersion() + " is not above " + current.getVersion());
            }
        }
        if (!valid) {
            return 2;
        }
        if (options.containsKey("dry-run")) {
            out.println("dry run: nothing published");
            return 0;
        }
        String topic = options.getOrDefault("topic", "policy.config");
        PublishPolicyCli.publish(submitted, bootstrap(), registry(), topic);
        submitted.forEach(c -> out.println("published: " + c.getPolicyId() + " v" + c.getVersion() + " to " + topic));
        long wait = Long.parseLong(options.getOrDefault("wait", "30"));
        if (wait <= 0) {
            return 0;
        }
        out.println("audit verdict (config.audit):");
        return PublishPolicyCli.awaitVerdicts(
                submitted,
                bootstrap(),
                registry(),
                options.getOrDefault("audit-topic", "config.audit"),
                Duration.ofSeconds(wait),
                out,
                err);
    }

    /** The config in force with the --set changes, as the next version, stamped with who, when and why. */
    private PolicyConfig withChanges(PolicyConfig current) {
        ObjectNode node;
        try {
            node = (ObjectNode) JSON.readTree(PolicyDefaults.toJson(current));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + set + "'");
            }
            String[] path = set.substring(0, eq).split("\\.");
            JsonNode value = parseValue(set.substring(eq + 1));
            ObjectNode parent = node;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(path[i]);
                if (!(child instanceof ObjectNode o)) {
                    throw new IllegalArgumentException(
                            "--set " + set + ": '" + path[i] + "' is not an object field of a policy config");
                }
                parent = o;
            }
            String field = path[path.length - 1];
            if (path.length == 1 && !node.has(field)) {
                throw new IllegalArgumentException("--set " + set + ": no field '" + field + "' in a policy config");
            }
            parent.set(field, value);
        }
        node.put("version", current.getVersion() + 1);
        node.put(
                "updatedBy",
                options.getOrDefault(
                        "updated-by", System.getProperty("user.name", "unknown") + " (moderato config set)"));
        node.put("updatedAtMillis", System.currentTimeMillis());
        node.put("changeNote", options.getOrDefault("note", "moderato config set " + String.join(" ", sets)));
        return PolicyDefaults.fromJson(node.toString());
    }

    private static JsonNode parseValue(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private List<ConfigAudit> audits() {
        Reachability.requireRegistry(registry());
        Reachability.requireBroker(bootstrap());
        return TopicReader.readAll(
                        bootstrap(),
                        registry(),
                        options.getOrDefault("audit-topic", "config.audit"),
                        ConfigAudit.class,
                        Duration.ofSeconds(30))
                .stream()
                .map(TopicReader.Entry::value)
                .sorted(Comparator.comparingLong(ConfigAudit::getProcessedAtMillis))
                .toList();
    }

    private int history() {
        String policy = options.get("policy");
        List<ConfigAudit> audits = audits().stream()
                .filter(a -> policy == null || a.getPolicyId().equals(policy))
                .toList();
        if (audits.isEmpty()) {
            out.println("no verdicts on config.audit" + (policy == null ? "" : " for " + policy)
                    + " (the bundled defaults are in force: 'moderato config show')");
            return 0;
        }
        for (ConfigAudit a : audits) {
            PolicyConfig s = a.getSubmitted();
            out.printf(
                    Locale.ROOT,
                    "%s  %-12s v%-4d %-14s %-9s by %s%s%s%n",
                    Instant.ofEpochMilli(a.getProcessedAtMillis()),
                    a.getPolicyId(),
                    a.getVersion(),
                    a.getStatus(),
                    a.getJob(),
                    s.getUpdatedBy(),
                    s.getChangeNote() == null ? "" : " — " + s.getChangeNote(),
                    a.getReason() == null ? "" : "\n      reason: " + a.getReason());
        }
        return 0;
    }

    private int diff() {
        if (options.containsKey("file")) {
            PolicyBook book = book();
            for (PolicyConfig c : readFile()) {
                PolicyConfig current = book.get(c.getPolicyId());
                out.println(c.getPolicyId() + ": in force v" + (current == null ? "-" : current.getVersion())
                        + " -> file v" + c.getVersion());
                print(PolicyConfigDiff.between(current, c));
            }
            return 0;
        }
        String policy = require("policy");
        Map<Long, PolicyConfig> versions = new HashMap<>();
        defaults().stream().filter(c -> c.getPolicyId().equals(policy)).forEach(c -> versions.put(c.getVersion(), c));
        audits().stream()
                .filter(a -> a.getPolicyId().equals(policy))
                .forEach(a -> versions.put(a.getVersion(), a.getSubmitted()));
        if (versions.isEmpty()) {
            throw new IllegalArgumentException(
                    "no versions of policy '" + policy + "' in the defaults or on config.audit");
        }
        long to = options.containsKey("to") ? version("to") : book().get(policy).getVersion();
        long from = options.containsKey("from")
                ? version("from")
                : versions.keySet().stream()
                        .filter(v -> v < to)
                        .max(Long::compare)
                        .orElse(to);
        PolicyConfig a = versions.get(from);
        PolicyConfig b = versions.get(to);
        if (a == null || b == null) {
            throw new IllegalArgumentException(
                    "version " + (a == null ? from : to) + " of " + policy + " is unknown (known: "
                            + versions.keySet().stream().sorted().toList() + ")");
        }
        out.println(policy + ": v" + from + " -> v" + to);
        print(PolicyConfigDiff.between(a, b));
        return 0;
    }

    private long version(String option) {
        try {
            return Long.parseLong(options.get(option));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + option + " must be a version number, got '" + options.get(option) + "'");
        }
    }

    private void print(List<PolicyConfigDiff.Change> changes) {
        if (changes.isEmpty()) {
            out.println("  (no differences)");
        }
        PolicyConfigDiff.lines(changes).forEach(line -> out.println("  " + line));
    }
}
