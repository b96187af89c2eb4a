package io.moderato.udfs.feedback;

import io.moderato.schemas.ComplianceReport;
import io.moderato.udfs.io.AvroContainerFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Command line: reads {@link ComplianceReport} records from files and prints the Markdown
 * transparency report of {@link ComplianceReportRenderer} (or writes it with {@code --out}). No
 * Kafka: inputs are Avro container files (as a file sink writes them; recognised by their magic
 * bytes, whatever their name), JSON-lines files in Avro's JSON encoding (one record per line), folders
 * of those (read recursively, hidden and {@code _}-prefixed files skipped), or {@code -} for JSON lines
 * on standard input.
 *
 * <p>Exit status: 0 on success, 1 when an input cannot be read, 2 on a usage error.
 */
public final class ComplianceReportFromFilesCli {

    static final String USAGE = String.join(
            "\n",
            "Usage: compliance-report [--out FILE.md] [--policy ID]... [--title TEXT] INPUT...",
            "",
            "Renders ComplianceReport records (topic compliance.reports) as a Markdown transparency report:",
            "one table per policy, one row per UTC day, with an explanation of each column.",
            "",
            "INPUT   an Avro container file, a JSON-lines file in Avro JSON encoding (one ComplianceReport",
            "        per line), a folder of such files (read recursively), or - for JSON lines on stdin",
            "--out   write the Markdown to this file instead of standard output",
            "--policy  only these policies (repeatable)",
            "--title   the report's title",
            "");

    private ComplianceReportFromFilesCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs the command; returns the exit status instead of exiting. */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        Path outFile = null;
        String title = null;
        Set<String> policies = new LinkedHashSet<>();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--out", "--policy", "--title" -> {
                    if (i + 1 >= args.length) {
                        err.println("compliance-report: flag '" + a + "' needs a value (see --help)");
                        return 2;
                    }
                    String value = args[++i];
                    switch (a) {
                        case "--out" -> outFile = Path.of(value);
                        case "--policy" -> policies.add(value);
                        default -> title = value;
                    }
                }
                default -> {
                    if (a.startsWith("--")) {
                        err.println("compliance-report: unknown flag '" + a + "' (see --help)");
                        return 2;
                    }
                    inputs.add(a);
                }
            }
        }
        if (inputs.isEmpty()) {
            err.println(
                    "compliance-report: no input given: name report files or folders, or '-' for standard input (see --help)");
            return 2;
        }

        List<ComplianceReport> reports;
        try {
            reports = readInputs(inputs, stdin);
        } catch (IOException | RuntimeException e) {
            err.println("compliance-report: " + e.getMessage());
            return 1;
        }
        return emit(reports, policies, title, outFile, "compliance-report", "read", out, err);
    }

    /** Reads every input in order: '-' is standard input, a folder is read file by file. */
    private static List<ComplianceReport> readInputs(List<String> inputs, InputStream stdin) throws IOException {
        List<ComplianceReport> reports = new ArrayList<>();
        for (String input : inputs) {
            if (input.equals("-")) {
                reports.addAll(readJsonLines(stdin, "standard input"));
            } else {
                Path path = Path.of(input);
                if (!Files.exists(path)) {
                    throw new IOException("no such file or folder: " + path);
                }
                for (Path file : files(path)) {
                    reports.addAll(read(file));
                }
            }
        }
        return reports;
    }

    /**
     * Keeps the reports of {@code policies} (all when empty), renders them as Markdown and prints it,
     * or writes it to {@code outFile} and says so on {@code err}. Returns the exit code; {@code cli}
     * prefixes messages, {@code source} says where the reports came from.
     */
    public static int emit(
            List<ComplianceReport> reports,
            Set<String> policies,
            String title,
            Path outFile,
            String cli,
            String source,
            PrintStream out,
            PrintStream err) {
        List<ComplianceReport> kept = new ArrayList<>(reports);
        if (!policies.isEmpty()) {
            Set<String> present = new java.util.TreeSet<>();
            reports.forEach(r -> present.add(r.getPolicyId()));
            List<String> absent =
                    policies.stream().filter(p -> !present.contains(p)).toList();
            if (!absent.isEmpty()) {
                err.println(cli + ": no reports for policy " + String.join(", ", absent) + " (policies " + source + ": "
                        + (present.isEmpty() ? "none" : String.join(", ", present)) + ")");
                return 1;
            }
            kept.removeIf(r -> !policies.contains(r.getPolicyId()));
        }
        String markdown =
                title == null ? ComplianceReportRenderer.render(kept) : ComplianceReportRenderer.render(kept, title);
        if (outFile == null) {
            out.print(markdown);
            out.flush();
            return 0;
        }
        try {
            if (outFile.toAbsolutePath().getParent() != null) {
                Files.createDirectories(outFile.toAbsolutePath().getParent());
            }
            Files.writeString(outFile, markdown, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println(cli + ": cannot write " + outFile + ": " + e.getMessage());
            return 1;
        }
        err.println(cli + ": " + kept.size() + " report(s) " + source + ", wrote " + outFile);
        return 0;
    }

    /** Every ComplianceReport in one Avro container file or JSON-lines file. */
    public static List<ComplianceReport> read(Path file) throws IOException {
        if (AvroContainerFiles.isContainer(file)) {
            return AvroContainerFiles.read(file, ComplianceReport.class);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readJsonLines(in, file.toString());
        }
    }

    static List<ComplianceReport> readJsonLines(InputStream in, String what) throws IOException {
        DatumReader<ComplianceReport> reader = reader();
        List<ComplianceReport> out = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int number = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(reader.read(null, DecoderFactory.get().jsonDecoder(ComplianceReport.getClassSchema(), line)));
            } catch (IOException | AvroRuntimeException e) {
                throw new IOException(
                        what + " line " + number + " is not a ComplianceReport in Avro JSON encoding: "
                                + e.getMessage(),
                        e);
            }
        }
        return out;
    }

    private static DatumReader<ComplianceReport> reader() {
        return new SpecificDatumReader<>(ComplianceReport.class);
    }

    /** The file itself, or every visible regular file under a folder, sorted by path. */
    static List<Path> files(Path path) throws IOException {
        return AvroContainerFiles.visibleFiles(path);
    }
}
