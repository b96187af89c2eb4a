package io.moderato.models.cli;

import io.moderato.models.data.TextTable;
import io.moderato.models.eval.EvaluationMarkdown;
import io.moderato.models.eval.EvaluationPlot;
import io.moderato.models.eval.HeadEvaluation;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.udfs.model.ModelLoadException;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.TextScorer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates a bundled (or local) text model on any labelled CSV / TSV / JSON Lines file: prints the metrics the
 * model cards report (same code, {@link ModelEvaluation} + {@link EvaluationMarkdown}) as Markdown on stdout and
 * writes a precision–recall + reliability plot as self-contained HTML. Exit codes: 0 ok, 1 input error (file,
 * column, label), 2 usage or model error.
 */
public final class EvaluateCli {

    static final String USAGE = """
            Usage: evaluate.sh --model NAME --input FILE --text-column C --label-column L [options]
              Scores every row's text with the model (as the engine does: manifest featurizer and calibration) and
              prints ROC-AUC, average precision, ECE, per-class precision/recall/F1 and confusion matrices at the
              policy thresholds, recall at precision 0.90/0.95, and a reliability table, for one policy column.
              --model NAME          text model, e.g. text-abuse, text-spam
              --version V           model version or 'latest' (default latest)
              --input FILE          labelled data: .csv, .tsv/.tab (header line) or .jsonl/.ndjson
              --text-column C       column holding the text
              --label-column L      column holding the label
              --positive V[,V...]   label values that count as positive (default 1; e.g. '0' or '0,1')
              --policy P            output column to evaluate (required when the model scores several policies)
              --threshold NAME=X    also report at threshold X (repeatable), besides the manifest's review/action
              --plot FILE           where to write the HTML plot (default target/eval/<model>-<version>-<policy>.html)
              --models-dir DIR      load models from DIR/<name>/<version>/ instead of the bundled ones
              --help                this text
            Rows with a blank text are skipped (the engine never scores them) and counted on stderr.
            """;

    record Options(
            String model,
            String version,
            Path input,
            String textColumn,
            String labelColumn,
            Set<String> positive,
            String policy,
            Map<String, Double> extraThresholds,
            Path plot,
            Path modelsDir) {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CliStart<Options> start = CliStart.parse("evaluate", USAGE, args, EvaluateCli::parse, out, err);
        if (start.answered()) {
            return start.exitStatus();
        }
        Options options = start.options();
        try (ModelRegistry registry = ModelRegistry.open(ScoreCli.modelSource(options.modelsDir()))) {
            String version;
            TextScorer scorer;
            String policy;
            try {
                version = ScoreCli.resolveVersion(registry, options.model(), options.version());
                scorer = registry.textScorer(options.model(), version);
                policy = choosePolicy(scorer.model().manifest(), options.policy());
            } catch (ModelLoadException | IllegalArgumentException e) {
                err.println("evaluate: " + e.getMessage());
                return 2;
            }
            Labelled data;
            try {
                data = read(options, err);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                err.println("evaluate: " + e.getMessage());
                return 1;
            }
            ModelManifest manifest = scorer.model().manifest();
            Map<String, double[]> scores =
                    ModelEvaluation.score(scorer, data.texts(), m -> err.println("evaluate: " + m));
            String definition = "`" + options.labelColumn() + "` ∈ {" + String.join(", ", options.positive()) + "}";
            HeadEvaluation evaluation;
            try {
                evaluation = ModelEvaluation.evaluate(
                        manifest,
                        policy,
                        scores.get(policy),
                        data.positive(),
                        definition,
                        data.labels(),
                        options.extraThresholds());
            } catch (IllegalArgumentException e) {
                err.println("evaluate: " + e.getMessage());
                return 1;
            }
            String title = manifest.id() + " on " + options.input().getFileName();
            out.println("# " + title + "\n");
            out.print(EvaluationMarkdown.render(evaluation));
            Path plot = options.plot() != null
                    ? options.plot()
                    : Path.of("target", "eval", manifest.name() + "-" + manifest.version() + "-" + policy + ".html");
            writePlot(plot, title, evaluation);
            err.println("evaluate: plot written to " + plot.toAbsolutePath());
            return 0;
        } catch (UncheckedIOException e) {
            err.println("evaluate: " + e.getMessage());
            return 1;
        }
    }

    static String choosePolicy(ModelManifest manifest, String requested) {
        if (requested != null) {
            if (!manifest.policies().contains(requested)) {
                throw new IllegalArgumentException("model " + manifest.id() + " scores " + manifest.policies()
                        + ", not policy '" + requested + "'");
            }
            return requested;
        }
        if (manifest.policies().size() > 1) {
            throw new IllegalArgumentException(
                    "model " + manifest.id() + " scores " + manifest.policies() + ": choose one with --policy");
        }
        return manifest.policies().get(0);
    }

    /** The rows with a non-blank text: texts, positive flags and the raw label values. */
    record Labelled(List<String> texts, boolean[] positive, String[] labels) {}

    static Labelled read(Options options, PrintStream err) {
        TextTable table = TextTable.read(options.input());
        table.requireColumns(options.textColumn(), options.labelColumn());
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Integer> blank = new ArrayList<>();
        for (int i = 0; i < table.rows().size(); i++) {
            String text = table.rows().get(i).get(options.textColumn());
            if (text == null || text.isBlank()) {
                blank.add(i + 1);
                continue;
            }
            String label = table.rows().get(i).get(options.labelColumn());
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException(options.input() + ": row " + (i + 1)
                        + " has no value in label column '" + options.labelColumn() + "'");
            }
            texts.add(text);
            labels.add(label.trim());
        }
        if (!blank.isEmpty()) {
            err.println(
                    "evaluate: skipped " + blank.size() + " row(s) with a blank '" + options.textColumn() + "' (rows "
                            + blank.subList(0, Math.min(10, blank.size())) + (blank.size() > 10 ? " ..." : "") + ")");
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(
                    options.input() + ": no row with a non-blank '" + options.textColumn() + "'");
        }
        Set<String> seen = new LinkedHashSet<>(labels);
        if (!seen.stream().anyMatch(options.positive()::contains)) {
            throw new IllegalArgumentException(options.input() + ": no label in column '" + options.labelColumn()
                    + "' equals a --positive value " + options.positive() + " (values seen: " + limited(seen) + ")");
        }
        if (options.positive().containsAll(seen)) {
            throw new IllegalArgumentException(options.input() + ": every label in column '" + options.labelColumn()
                    + "' is positive " + limited(seen) + "; the metrics need negatives too");
        }
        boolean[] positive = new boolean[texts.size()];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = options.positive().contains(labels.get(i));
        }
        return new Labelled(texts, positive, labels.toArray(String[]::new));
    }

    private static String limited(Set<String> values) {
        List<String> list = new ArrayList<>(values);
        return list.size() <= 20 ? list.toString() : list.subList(0, 20) + " and " + (list.size() - 20) + " more";
    }

    private static void writePlot(Path plot, String title, HeadEvaluation evaluation) {
        try {
            Path parent = plot.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(plot, EvaluationPlot.html(title, List.of(evaluation)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + plot + ": " + e.getMessage(), e);
        }
    }

    static Options parse(String[] args) {
        String model = null;
        String version = "latest";
        Path input = null;
        String textColumn = null;
        String labelColumn = null;
        Set<String> positive = new LinkedHashSet<>(List.of("1"));
        String policy = null;
        Map<String, Double> extra = new LinkedHashMap<>();
        Path plot = null;
        Path modelsDir = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--model" -> model = value(args, ++i, arg);
                case "--version" -> version = value(args, ++i, arg);
                case "--input" -> input = Path.of(value(args, ++i, arg));
                case "--text-column" -> textColumn = value(args, ++i, arg);
                case "--label-column" -> labelColumn = value(args, ++i, arg);
                case "--positive" -> positive = positiveLabels(value(args, ++i, arg));
                case "--policy" -> policy = value(args, ++i, arg);
                case "--threshold" -> putThreshold(extra, value(args, ++i, arg));
                case "--plot" -> plot = Path.of(value(args, ++i, arg));
                case "--models-dir" -> modelsDir = Path.of(value(args, ++i, arg));
                default ->
                    throw new IllegalArgumentException(
                            arg.startsWith("-") ? "unknown option " + arg : "unexpected argument '" + arg + "'");
            }
        }
        List<String> missing = new ArrayList<>();
        if (model == null) {
            missing.add("--model");
        }
        if (input == null) {
            missing.add("--input");
        }
        if (textColumn == null) {
            missing.add("--text-column");
        }
        if (labelColumn == null) {
            missing.add("--label-column");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing " + String.join(", ", missing));
        }
        return new Options(model, version, input, textColumn, labelColumn, positive, policy, extra, plot, modelsDir);
    }

    /** {@code --positive a,b}: the label values counted as positive (at least one). */
    private static Set<String> positiveLabels(String list) {
        Set<String> positive = new LinkedHashSet<>();
        for (String v : list.split(",")) {
            if (!v.isBlank()) {
                positive.add(v.trim());
            }
        }
        if (positive.isEmpty()) {
            throw new IllegalArgumentException("--positive needs at least one label value");
        }
        return positive;
    }

    /** {@code --threshold NAME=X}, X in [0, 1]. */
    private static void putThreshold(Map<String, Double> thresholds, String v) {
        String[] kv = v.split("=", 2);
        double t;
        try {
            t = kv.length == 2 ? Double.parseDouble(kv[1]) : Double.NaN;
        } catch (NumberFormatException e) {
            t = Double.NaN;
        }
        if (kv.length != 2 || kv[0].isBlank() || !(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("--threshold must be NAME=X with X in [0, 1], got '" + v + "'");
        }
        thresholds.put(kv[0], t);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
