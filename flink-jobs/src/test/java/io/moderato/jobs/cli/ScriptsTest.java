package io.moderato.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every script under {@code scripts/} answers {@code --help} with its usage (exit 0) and rejects an unknown
 * flag with one line naming it (exit 2) — both before anything is built, so each answers in seconds.
 */
class ScriptsTest {

    private static final Path SCRIPTS = Path.of("../scripts").toAbsolutePath().normalize();
    /** Not run by hand: sourced by the others. */
    private static final Set<String> LIBRARIES = Set.of("lib.sh");

    private record Result(int code, String out, String err) {}

    private static Result run(Path script, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done)
                .as("%s %s answered within 20 s (nothing may be built first)", script.getFileName(), args)
                .isTrue();
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> everyScriptShouldAnswerHelpAndRejectAnUnknownFlagInOneLine() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            scripts = files.filter(Files::isRegularFile)
                    .filter(p -> !LIBRARIES.contains(p.getFileName().toString()))
                    .sorted()
                    .toList();
        }
        assertThat(scripts)
                .extracting(p -> p.getFileName().toString())
                .contains("moderato", "score.sh", "publish-policy.sh");
        return scripts.stream()
                .map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> {
                    Result help = run(script, "--help");
                    assertThat(help.code())
                            .as("--help exit code; stderr: %s", help.err())
                            .isZero();
                    assertThat(help.out()).as("--help prints the usage").contains("scripts/" + script.getFileName());

                    Result unknown = run(script, "--no-such-flag");
                    assertThat(unknown.code()).as("unknown flag exit code").isEqualTo(2);
                    assertThat(unknown.out()).isEmpty();
                    assertThat(unknown.err().strip())
                            .as("one line naming the flag")
                            .doesNotContain("\n")
                            .contains("'--no-such-flag'");
                }));
    }
}
