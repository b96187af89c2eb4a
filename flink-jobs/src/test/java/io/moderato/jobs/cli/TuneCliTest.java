package io.moderato.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.config.PolicyDefaults;
import io.moderato.udfs.feedback.LabelAdjudicator;
import io.moderato.udfs.feedback.TrainingExamples;
import io.moderato.udfs.io.TrainingExampleFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moderato tune} on Avro files of training examples built as the FeedbackJob builds them. */
class TuneCliTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return TuneCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Spam decisions (review 0.5, action 0.9) over 6 hours, labelled from a seeded truth that follows the score. */
    private Path examples(int n) throws Exception {
        Random rnd = new Random(5);
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double score = rnd.nextDouble();
            RiskDecision d = FeedbackFixtures.spamDecision(
                    "c" + i, FeedbackFixtures.T0 + i * 6 * FeedbackFixtures.HOUR / n, "comment", score);
            PolicyDecision p = d.getPolicies().get(0);
            boolean violating = rnd.nextDouble() < score * score;
            ReviewLabel label = FeedbackFixtures.label(
                    "c" + i,
                    violating,
                    "r1",
                    p.getBand().equals("REVIEW") ? "REVIEW" : "AUDIT",
                    d.getEventTimeMillis() + FeedbackFixtures.MINUTE);
            examples.add(TrainingExamples.of(d, p, LabelAdjudicator.adjudicate(List.of(label))));
        }
        Path file = tmp.resolve("part-0-0.avro");
        TrainingExampleFiles.write(file, examples);
        return file;
    }

    private Path defaults() throws Exception {
        Path file = tmp.resolve("defaults.json");
        Files.writeString(file, PolicyDefaults.toJson(List.of(DetectionFixtures.spamPolicy(1, 0.5, 0.9))));
        return file;
    }

    @Test
    void shouldRecommendAThresholdAndWriteTheHtmlReportBesideTheAnswer() throws Exception {
        Path html = tmp.resolve("spam.html");

        int code = run(
                "--policy",
                "spam",
                "--target-precision",
                "0.8",
                "--examples",
                examples(4000).toString(),
                "--defaults",
                defaults().toString(),
                "--out",
                html.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("policy spam: target precision >= 0.800")
                .contains("4000 labelled examples")
                .contains("recommended action threshold:")
                .contains("at the threshold in force")
                .contains("(0.900): precision")
                .contains("per day");
        assertThat(Files.readString(html))
                .contains("<svg id=\"pr-curve\"")
                .contains("id=\"recommended\"")
                .contains("id=\"current\"");
    }

    @Test
    void shouldWithholdTheRecommendationWhenTheLabelsCannotSupportIt() throws Exception {
        int code = run(
                "--policy",
                "spam",
                "--target-precision",
                "0.999",
                "--examples",
                examples(60).toString(),
                "--defaults",
                defaults().toString(),
                "--out",
                tmp.resolve("r.html").toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("no threshold recommended: insufficient labels")
                .contains("precision >= 0.999");
    }

    @Test
    void shouldNameWhatIsWrongWithTheArguments() throws Exception {
        assertThat(run(
                        "--policy",
                        "spam",
                        "--target-precision",
                        "1.5",
                        "--examples",
                        examples(10).toString(),
                        "--defaults",
                        defaults().toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("minimumPrecision must be in (0, 1]");
        assertThat(run(
                        "--policy",
                        "nope",
                        "--target-precision",
                        "0.9",
                        "--examples",
                        examples(10).toString(),
                        "--defaults",
                        defaults().toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no policy 'nope' in force");
        assertThat(run("--policy", "spam", "--target-precision", "0.9")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("give either --examples PATH or --bootstrap HOSTS");
        assertThat(run("--bogus", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown flag '--bogus'");
    }
}
