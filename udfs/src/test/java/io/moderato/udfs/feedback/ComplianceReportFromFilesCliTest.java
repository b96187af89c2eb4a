package io.moderato.udfs.feedback;

import static io.moderato.udfs.feedback.ComplianceReportRendererTest.report;
import static io.moderato.udfs.feedback.FeedbackFixtures.DAY;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ComplianceReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComplianceReportFromFilesCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return run(new byte[0], args);
    }

    private int run(byte[] stdin, String... args) {
        return ComplianceReportFromFilesCli.run(
                args,
                new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static void writeAvro(Path file, List<ComplianceReport> reports) throws IOException {
        try (DataFileWriter<ComplianceReport> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(ComplianceReport.class))) {
            writer.create(ComplianceReport.getClassSchema(), file.toFile());
            for (ComplianceReport r : reports) {
                writer.append(r);
            }
        }
    }

    private static String jsonLines(List<ComplianceReport> reports) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SpecificDatumWriter<ComplianceReport> writer = new SpecificDatumWriter<>(ComplianceReport.class);
        for (ComplianceReport r : reports) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(ComplianceReport.getClassSchema(), line);
            writer.write(r, encoder);
            encoder.flush();
            bytes.write(line.toString(StandardCharsets.UTF_8).replace("\n", "").getBytes(StandardCharsets.UTF_8));
            bytes.write('\n');
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRenderAnAvroContainerFileToAMarkdownFile() throws IOException {
        // a real accumulator's output, as the FeedbackJob would write it
        ComplianceDay day = new ComplianceDay();
        var p = FeedbackFixtures.policy("ACTION", 0.95, 0.1, true);
        var d = FeedbackFixtures.decision("c-1", p, 0);
        day.addDecision(d, p);
        var l = FeedbackFixtures.label("c-1", "r-1", LabelAdjudicator.AUDIT, true, DAY + 60_000);
        day.addLabel(l, null, LabelAdjudicator.adjudicate(List.of(l)), d, p);
        Path avro = dir.resolve("part-0-0"); // file sinks do not always name files .avro
        writeAvro(avro, List.of(day.toReport("spam", DAY, DAY + 86_400_000L), report("hate", DAY, 42, DAY)));
        Path md = dir.resolve("out/report.md");

        int status = run("--out", md.toString(), avro.toString());

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String report = Files.readString(md);
        assertThat(report).contains("## Policy `spam`", "## Policy `hate`");
        // 850 ms reported as 835 ms: the centre of its histogram bin (resolution 3.7%)
        assertThat(report).contains("| 2025-06-15 | 1 | 1 | 0 | 835 ms / 835 ms / — | 0 | 0 / 1 / 0 / 0 | 1.000 (");
        assertThat(report).contains("| 2025-06-15 | 12,345 | 42 | 17 |");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("2 report(s) read");
        assertThat(out.size()).isZero();
    }

    @Test
    void shouldReadJsonLinesFoldersAndStandardInputAndFilterByPolicy() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("reports/2025-06-15"));
        Files.writeString(folder.resolve("spam.jsonl"), jsonLines(List.of(report("spam", DAY, 310, DAY))));
        writeAvro(folder.resolve("hate.avro"), List.of(report("hate", DAY, 42, DAY)));
        Files.writeString(folder.resolve(".part-1.inprogress"), "not a report");
        byte[] stdin =
                jsonLines(List.of(report("spam", DAY + 86_400_000L, 290, DAY))).getBytes(StandardCharsets.UTF_8);

        int status = run(
                stdin,
                "--policy",
                "spam",
                "--title",
                "Spam only",
                dir.resolve("reports").toString(),
                "-");

        String md = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(md).startsWith("# Spam only\n");
        assertThat(md).contains("| 2025-06-15 | 12,345 | 310 |", "| 2025-06-16 | 12,345 | 290 |");
        assertThat(md).doesNotContain("`hate`");
    }

    @Test
    void shouldFailWithTheFileAndLineOfABadRecord() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, jsonLines(List.of(report("spam", DAY, 1, DAY))) + "{\"policyId\": \"spam\"}\n");

        int status = run(bad.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.jsonl line 2");
    }

    @Test
    void shouldExplainItsUsageOnBadArguments() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("--colour", "x.avro")).isEqualTo(2);
        assertThat(run(dir.resolve("missing.avro").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no input given", "unknown flag '--colour' (see --help)", "no such file")
                .doesNotContain("Usage:");
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: compliance-report");
    }

    @Test
    void shouldSayWhichPolicyHasNoReportsInsteadOfPrintingAnEmptyReport() throws IOException {
        Path file = dir.resolve("spam.jsonl");
        Files.writeString(file, jsonLines(List.of(report("spam", DAY, 310, DAY))));

        int status = run("--policy", "nope", file.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("compliance-report: no reports for policy nope (policies read: spam)");
    }
}
