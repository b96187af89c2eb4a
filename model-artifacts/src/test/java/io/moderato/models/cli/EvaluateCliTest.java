package io.moderato.models.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation CLI end to end on small labelled files, with the bundled models. */
class EvaluateCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return EvaluateCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path csv() throws Exception {
        Path file = dir.resolve("comments.csv");
        Files.writeString(file, """
                id,body,kind
                1,"Check out my channel, free gift cards!!! subscribe",spam
                2,"great song, brings back memories",ham
                3,"win a free iphone now, click http://x.example",spam
                4,"I love the chorus of this one",ham
                5,"",ham
                6,"subscribe to my channel for daily videos please",spam
                7,"this video is ten years old and still amazing",ham
                """, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldPrintTheCardMetricsAndWriteAPlot() throws Exception {
        Path plot = dir.resolve("plot.html");
        int code = run(
                "--model",
                "text-spam",
                "--version",
                "1.0.0",
                "--input",
                csv().toString(),
                "--text-column",
                "body",
                "--label-column",
                "kind",
                "--positive",
                "spam",
                "--plot",
                plot.toString(),
                "--threshold",
                "strict=0.99");
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdout)
                .startsWith("# text-spam:1.0.0 on comments.csv")
                .contains("positive: `kind` ∈ {spam}; 6 items, 3 positive")
                .contains("| ROC-AUC | ")
                .contains("| average precision | ")
                .contains("ECE (10 equal-width bins)")
                .contains("| review 0.50 | positive (flagged) |")
                .contains("| action 0.90 |")
                .contains("| strict 0.99 |")
                .contains("Recall at fixed precision")
                .contains("| `ham` |")
                .contains("| `spam` |");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("skipped 1 row(s) with a blank 'body' (rows [5])");
        assertThat(Files.readString(plot)).contains("<svg").contains("text-spam:1.0.0 on comments.csv");
    }

    /**
     * The same labelled tweets (the committed text-abuse parity sample) written as CSV, TSV and JSON Lines give the
     * same report: the file format changes no figure.
     */
    @Test
    void shouldReportTheSameFiguresForTheSameRowsAsCsvTsvAndJsonLines() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(
                Path.of("src/test/resources/parity/text-abuse-1.0.0.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode row = json.readTree(line);
            // tabs and line breaks become spaces in every format alike, so TSV rows stay one line each
            rows.add(new String[] {
                row.get("id").asText(),
                row.get("text").asText().replaceAll("[\\t\\r\\n]", " "),
                row.get("label").asText()
            });
        }
        StringBuilder csv = new StringBuilder("id,tweet,class\n");
        StringBuilder tsv = new StringBuilder("id\ttweet\tclass\n");
        StringBuilder jsonl = new StringBuilder();
        for (String[] r : rows) {
            String quoted = "\"" + r[1].replace("\"", "\"\"") + "\"";
            csv.append(r[0]).append(',').append(quoted).append(',').append(r[2]).append('\n');
            tsv.append(r[0])
                    .append('\t')
                    .append(quoted)
                    .append('\t')
                    .append(r[2])
                    .append('\n');
            ObjectNode o =
                    json.createObjectNode().put("id", r[0]).put("tweet", r[1]).put("class", r[2]);
            jsonl.append(json.writeValueAsString(o)).append('\n');
        }
        List<String> reports = new ArrayList<>();
        for (String[] file : List.of(
                new String[] {"tweets.csv", csv.toString()},
                new String[] {"tweets.tsv", tsv.toString()},
                new String[] {"tweets.jsonl", jsonl.toString()})) {
            Path input = dir.resolve(file[0]);
            Files.writeString(input, file[1], StandardCharsets.UTF_8);
            out.reset();
            int code = run(
                    "--model",
                    "text-abuse",
                    "--policy",
                    "hate_speech",
                    "--input",
                    input.toString(),
                    "--text-column",
                    "tweet",
                    "--label-column",
                    "class",
                    "--positive",
                    "hate speech",
                    "--plot",
                    dir.resolve(file[0] + ".html").toString());
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(report)
                    .contains(file[0])
                    .contains(rows.size() + " items")
                    .contains("| ROC-AUC | ");
            reports.add(report.replace(file[0], "tweets.*"));
        }
        assertThat(reports.get(1)).isEqualTo(reports.get(0));
        assertThat(reports.get(2)).isEqualTo(reports.get(0));
    }

    @Test
    void shouldAnswerHelpAndRejectBadUsageWithExitCode2() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: evaluate.sh");
        assertThat(run("--model", "text-spam", "--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --bogus");
        assertThat(run("--model", "text-spam")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing --input, --text-column, --label-column");
        assertThat(run(
                        "--model",
                        "x",
                        "--input",
                        "a.csv",
                        "--text-column",
                        "t",
                        "--label-column",
                        "l",
                        "--threshold",
                        "r=2"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--threshold must be NAME=X with X in [0, 1], got 'r=2'");
    }

    @Test
    void shouldNameTheMissingColumnOrLabelAsAnInputError() throws Exception {
        Path file = csv();
        assertThat(run(
                        "--model",
                        "text-spam",
                        "--input",
                        file.toString(),
                        "--text-column",
                        "text",
                        "--label-column",
                        "kind"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no column 'text' (columns: [id, body, kind])");
        assertThat(run(
                        "--model",
                        "text-spam",
                        "--input",
                        file.toString(),
                        "--text-column",
                        "body",
                        "--label-column",
                        "kind",
                        "--positive",
                        "1"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no label in column 'kind' equals a --positive value [1]");
    }

    @Test
    void shouldAskWhichPolicyOfAMultiHeadModelAndNameAnUnknownModel() throws Exception {
        Path file = csv();
        assertThat(run(
                        "--model",
                        "text-abuse",
                        "--input",
                        file.toString(),
                        "--text-column",
                        "body",
                        "--label-column",
                        "kind"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("scores [hate_speech, harassment]: choose one with --policy");
        assertThat(run(
                        "--model",
                        "text-nope",
                        "--input",
                        file.toString(),
                        "--text-column",
                        "body",
                        "--label-column",
                        "kind"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no versions of model 'text-nope' found");
    }
}
