package io.moderato.models.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moderato.udfs.model.ModelLoadException;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Scores texts with a text model and prints per-policy probabilities, as an aligned table or as
 * JSON lines. Input: one text per line (or JSON lines with a {@code text} field) from a file or
 * stdin, or the texts given as arguments. Exit codes: 0 ok, 1 input error, 2 usage or model error.
 */
public final class ScoreCli {

    static final String USAGE = """
            Usage: score [options] [TEXT ...]
              Scores each TEXT, or each line of --input (default: stdin when no TEXT is given).
              --model NAME          text model (default text-spam)
              --version V           model version or 'latest' (default latest)
              --models-dir DIR      load models from DIR/<name>/<version>/ instead of the bundled ones
              --input FILE|-        read texts from FILE, or '-' for stdin
              --input-format F      lines (default): one text per line; jsonl: objects with "text" (and optional "id")
              --format F            table (default) or jsonl
              --batch N             texts per ONNX call (default 64)
              --help                this text
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(
            String model,
            String version,
            Path modelsDir,
            String input,
            boolean jsonlInput,
            boolean jsonlOutput,
            int batch,
            List<String> texts) {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CliStart<Options> start = CliStart.parse("score", USAGE, args, ScoreCli::parse, out, err);
        if (start.answered()) {
            return start.exitStatus();
        }
        Options options = start.options();
        try (ModelRegistry registry = ModelRegistry.open(modelSource(options.modelsDir()))) {
            String version = resolveVersion(registry, options.model(), options.version());
            TextScorer scorer = registry.textScorer(options.model(), version);
            Printer printer = options.jsonlOutput()
                    ? new JsonPrinter(out, options.model() + ":" + version)
                    : new TablePrinter(out, scorer.model().policies());
            scoreAll(options, scorer, printer, err);
            return 0;
        } catch (ModelLoadException | IllegalArgumentException e) {
            err.println("score: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println("score: cannot read input: " + e.getCause().getMessage());
            return 1;
        }
    }

    private static void scoreAll(Options options, TextScorer scorer, Printer printer, PrintStream err) {
        List<Item> batch = new ArrayList<>(options.batch());
        long[] count = {0};
        long started = System.nanoTime();
        forEachInput(options, item -> {
            batch.add(item);
            if (batch.size() == options.batch()) {
                count[0] += flush(batch, scorer, printer);
                if (count[0] % (options.batch() * 100L) == 0) {
                    err.printf(
                            Locale.ROOT,
                            "score: %d texts scored (%.0f/s)%n",
                            count[0],
                            count[0] / ((System.nanoTime() - started) / 1e9));
                }
            }
        });
        count[0] += flush(batch, scorer, printer);
        printer.finish();
    }

    private static int flush(List<Item> batch, TextScorer scorer, Printer printer) {
        if (batch.isEmpty()) {
            return 0;
        }
        ScoreBatch scores = scorer.scoreTexts(batch.stream().map(Item::text).toList());
        for (int i = 0; i < batch.size(); i++) {
            printer.print(batch.get(i), scores, i);
        }
        int n = batch.size();
        batch.clear();
        return n;
    }

    record Item(String id, String text) {}

    private interface ItemSink {
        void accept(Item item);
    }

    private static void forEachInput(Options options, ItemSink sink) {
        if (!options.texts().isEmpty()) {
            for (int i = 0; i < options.texts().size(); i++) {
                sink.accept(new Item(String.valueOf(i + 1), options.texts().get(i)));
            }
            return;
        }
        try (BufferedReader reader = "-".equals(options.input())
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(options.input()), StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                sink.accept(
                        options.jsonlInput() ? parseJsonLine(line, lineNo) : new Item(String.valueOf(lineNo), line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Item parseJsonLine(String line, long lineNo) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "input line " + lineNo + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("input line " + lineNo + " has no string field \"text\"");
        }
        JsonNode id = node.get("id");
        return new Item(id == null ? String.valueOf(lineNo) : id.asText(), text.asText());
    }

    /** The bundled models (classpath {@code models/}), or {@code DIR/<name>/<version>/} when a directory is given. */
    static ModelSource modelSource(Path modelsDir) {
        return modelsDir == null ? ModelSource.classpath("models") : ModelSource.directory(modelsDir);
    }

    static String resolveVersion(ModelRegistry registry, String model, String version) {
        if (!"latest".equals(version)) {
            return version;
        }
        return registry.versions(model).stream()
                .max(ScoreCli::compareVersions)
                .orElseThrow(() -> new IllegalArgumentException("no versions of model '" + model + "' found"));
    }

    /** Dotted versions compare numerically part by part (1.10.0 > 1.9.2); non-numeric parts as text. */
    static int compareVersions(String a, String b) {
        String[] pa = a.split("[.-]");
        String[] pb = b.split("[.-]");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            String x = i < pa.length ? pa[i] : "0";
            String y = i < pb.length ? pb[i] : "0";
            int c = x.matches("\\d+") && y.matches("\\d+")
                    ? Comparator.<Long>naturalOrder().compare(Long.parseLong(x), Long.parseLong(y))
                    : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    static Options parse(String[] args) {
        String model = "text-spam";
        String version = "latest";
        Path modelsDir = null;
        String input = null;
        boolean jsonlInput = false;
        boolean jsonlOutput = false;
        int batch = 64;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--model" -> model = value(args, ++i, arg);
                case "--version" -> version = value(args, ++i, arg);
                case "--models-dir" -> modelsDir = Path.of(value(args, ++i, arg));
                case "--input" -> input = value(args, ++i, arg);
                case "--input-format" -> jsonlInput = choice(value(args, ++i, arg), arg, "lines", "jsonl");
                case "--format" -> jsonlOutput = choice(value(args, ++i, arg), arg, "table", "jsonl");
                case "--batch" -> {
                    String v = value(args, ++i, arg);
                    try {
                        batch = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--batch must be a whole number, got '" + v + "'");
                    }
                    if (batch < 1 || batch > 4096) {
                        throw new IllegalArgumentException("--batch must be in [1, 4096], got " + batch);
                    }
                }
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    texts.add(arg);
                }
            }
        }
        if (input != null && !texts.isEmpty()) {
            throw new IllegalArgumentException("give texts as arguments or --input, not both");
        }
        if (input == null && texts.isEmpty()) {
            input = "-";
        }
        return new Options(model, version, modelsDir, input, jsonlInput, jsonlOutput, batch, texts);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** True when {@code value} is the second choice. */
    private static boolean choice(String value, String option, String first, String second) {
        if (!value.equals(first) && !value.equals(second)) {
            throw new IllegalArgumentException(
                    option + " must be '" + first + "' or '" + second + "', got '" + value + "'");
        }
        return value.equals(second);
    }

    private interface Printer {
        void print(Item item, ScoreBatch scores, int row);

        default void finish() {}
    }

    private static final class TablePrinter implements Printer {
        private final PrintStream out;
        private final List<String> policies;

        TablePrinter(PrintStream out, List<String> policies) {
            this.out = out;
            this.policies = policies;
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-8s", "id"));
            for (String p : policies) {
                header.append(String.format(Locale.ROOT, " %10s", p));
            }
            out.println(header.append("  text"));
        }

        @Override
        public void print(Item item, ScoreBatch scores, int row) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-8s", item.id()));
            for (int p = 0; p < policies.size(); p++) {
                line.append(String.format(Locale.ROOT, " %10.4f", scores.probability(row, p)));
            }
            String text = item.text().replaceAll("\\s+", " ").strip();
            out.println(line.append("  ").append(text.length() > 60 ? text.substring(0, 57) + "..." : text));
        }
    }

    private static final class JsonPrinter implements Printer {
        private final PrintStream out;
        private final String model;

        JsonPrinter(PrintStream out, String model) {
            this.out = out;
            this.model = model;
        }

        @Override
        public void print(Item item, ScoreBatch scores, int row) {
            ObjectNode node = JSON.createObjectNode();
            node.put("id", item.id());
            node.put("model", model);
            ObjectNode policyScores = node.putObject("scores");
            for (int p = 0; p < scores.policies().size(); p++) {
                policyScores.put(scores.policies().get(p), (double) scores.probability(row, p));
            }
            node.put("text", item.text());
            out.println(node);
        }
    }
}
