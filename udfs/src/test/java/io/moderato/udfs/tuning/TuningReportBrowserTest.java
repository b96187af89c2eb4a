package io.moderato.udfs.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The tuning report as a person sees it: headless Chromium (Debian package {@code chromium}; {@code .ci/run}
 * installs it) renders the self-contained HTML to a screenshot, kept at
 * {@code udfs/target/tuning-report.png}, and the test counts the pixels of the PR curve and of the
 * markers of the threshold in force and the recommended one — an SVG that failed to render has none.
 */
class TuningReportBrowserTest {

    private static final Path OUT = Path.of("target");

    @Test
    void shouldRenderThePrCurveWithBothThresholdsMarkedInChromium() throws Exception {
        ThresholdTuning.Result result = ThresholdTuning.recommend(
                TuningExamples.draw(60_000, 0.5, 0.9, 24, 11),
                new ThresholdTuning.Request("spam", 0.9, 0.95, 0.5, 0.9));
        assertThat(result.recommended()).isPresent();
        Files.createDirectories(OUT);
        Path html = OUT.resolve("tuning-report.html").toAbsolutePath();
        Files.writeString(html, TuningReport.html(result, "seeded test examples"), StandardCharsets.UTF_8);
        Path png = OUT.resolve("tuning-report.png").toAbsolutePath();
        Files.deleteIfExists(png);

        screenshot(html, png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(pixels(image, TuningReport.CURVE_COLOUR))
                .as("pixels of the PR and volume curves")
                .isGreaterThan(600);
        assertThat(pixels(image, TuningReport.CURRENT_COLOUR))
                .as("pixels of the threshold in force")
                .isGreaterThan(80);
        assertThat(pixels(image, TuningReport.RECOMMENDED_COLOUR))
                .as("pixels of the recommended threshold")
                .isGreaterThan(80);
    }

    static void screenshot(Path html, Path png) throws Exception {
        String chromium = System.getenv().getOrDefault("MODERATO_CHROMIUM", "/usr/bin/chromium");
        assertThat(new File(chromium).canExecute())
                .as("headless Chromium at %s (apt-get install chromium; .ci/run installs it)", chromium)
                .isTrue();
        Path profile = Files.createTempDirectory(OUT.toAbsolutePath(), "chromium-profile");
        List<String> command = new ArrayList<>(List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--window-size=1280,1100",
                "--screenshot=" + png,
                html.toUri().toString()));
        Path log = OUT.resolve("chromium.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done = process.waitFor(90, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        assertThat(done).as("chromium finished within 90 s").isTrue();
        assertThat(png)
                .as("screenshot written; chromium said:%n%s", Files.readString(log))
                .exists();
    }

    /** Pixels within a small distance of {@code hex} (anti-aliasing blends edges, not the strokes' cores). */
    static long pixels(BufferedImage image, String hex) {
        int target = Integer.parseInt(hex.substring(1), 16);
        int tr = target >> 16 & 0xff;
        int tg = target >> 8 & 0xff;
        int tb = target & 0xff;
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int dr = (rgb >> 16 & 0xff) - tr;
                int dg = (rgb >> 8 & 0xff) - tg;
                int db = (rgb & 0xff) - tb;
                if (dr * dr + dg * dg + db * db < 30 * 30) {
                    n++;
                }
            }
        }
        return n;
    }
}
