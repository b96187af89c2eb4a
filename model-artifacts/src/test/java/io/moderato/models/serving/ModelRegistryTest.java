package io.moderato.models.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelLoadException;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving path on the real committed models: load-time errors that name the file and the
 * mismatch, batch-versus-single equality and concurrent callers.
 */
class ModelRegistryTest {

    private static final String MODEL = "text-spam";
    private static final String VERSION = "1.0.0";
    private static final List<String> FILES = List.of("manifest.json", "model.dense.onnx", "model.sparse.onnx");

    private static ModelRegistry bundled;
    private static List<String> texts;

    @TempDir
    Path tmp;

    @BeforeAll
    static void openBundled() throws IOException {
        bundled = ModelRegistry.open(ModelSource.classpath("models"));
        texts = new ArrayList<>();
        try (InputStream in =
                ModelRegistryTest.class.getClassLoader().getResourceAsStream("parity/text-spam-1.0.0.jsonl")) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    texts.add(json.readTree(line).get("text").asText());
                }
            }
        }
    }

    @AfterAll
    static void close() {
        bundled.close();
    }

    /** A copy of the bundled model version under {@code tmp}, to break on purpose. */
    private Path copyOfBundled() throws IOException {
        Path dir = tmp.resolve("models").resolve(MODEL).resolve(VERSION);
        Files.createDirectories(dir);
        for (String file : FILES) {
            try (InputStream in =
                    getClass().getClassLoader().getResourceAsStream("models/" + MODEL + "/" + VERSION + "/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        return dir;
    }

    private ModelRegistry registryOver(Path versionDir) {
        return ModelRegistry.open(ModelSource.directory(versionDir.getParent().getParent()));
    }

    @Test
    void shouldNameTheAvailableVersionsForAnUnknownVersion() throws IOException {
        try (ModelRegistry registry = registryOver(copyOfBundled())) {
            assertThatThrownBy(() -> registry.model(MODEL, "9.9.9"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("Unknown model text-spam:9.9.9")
                    .hasMessageContaining("available versions: [1.0.0]");
            assertThatThrownBy(() -> registry.model("no-such-model", "1"))
                    .hasMessageContaining("no versions of 'no-such-model' found");
        }
    }

    @Test
    void shouldNameAMissingGraphFile() throws IOException {
        Path dir = copyOfBundled();
        Files.delete(dir.resolve("model.sparse.onnx"));
        try (ModelRegistry registry = registryOver(dir)) {
            assertThatThrownBy(() -> registry.model(MODEL, VERSION))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir.resolve("model.sparse.onnx").toString())
                    .hasMessageContaining("missing");
            // the other encoding is still usable
            assertThat(registry.model(MODEL, VERSION, InputEncoding.DENSE).policies())
                    .containsExactly("spam");
        }
    }

    @Test
    void shouldNameACorruptGraphFile() throws IOException {
        Path dir = copyOfBundled();
        byte[] garbage = new byte[4096];
        new SplittableRandom(5).nextBytes(garbage);
        Files.write(dir.resolve("model.sparse.onnx"), garbage);
        try (ModelRegistry registry = registryOver(dir)) {
            assertThatThrownBy(() -> registry.model(MODEL, VERSION))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir.resolve("model.sparse.onnx").toString())
                    .hasMessageContaining("not a loadable ONNX graph");
        }
    }

    @Test
    void shouldNameACorruptManifest() throws IOException {
        Path dir = copyOfBundled();
        Files.writeString(dir.resolve("manifest.json"), "{ \"name\": \"text-spam\", ");
        try (ModelRegistry registry = registryOver(dir)) {
            assertThatThrownBy(() -> registry.model(MODEL, VERSION))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir.resolve("manifest.json").toString());
        }
    }

    @Test
    void shouldRejectAGraphWhoseInputShapeDiffersFromTheManifest() throws IOException {
        Path dir = copyOfBundled();
        String manifest = Files.readString(dir.resolve("manifest.json"));
        // the manifest claims 4096 dimensions (featurizer too), the dense graph takes 65536
        Files.writeString(dir.resolve("manifest.json"), manifest.replace("65536", "4096"));
        try (ModelRegistry registry = registryOver(dir)) {
            assertThatThrownBy(() -> registry.model(MODEL, VERSION, InputEncoding.DENSE))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model.dense.onnx")
                    .hasMessageContaining("'input' has shape [-1, 65536]")
                    .hasMessageContaining("[batch, 4096]");
        }
    }

    @Test
    void shouldRejectAGraphWithFewerOutputsThanTheManifestHasPolicies() throws IOException {
        Path dir = copyOfBundled();
        String manifest = Files.readString(dir.resolve("manifest.json"));
        Files.writeString(
                dir.resolve("manifest.json"),
                manifest.replace("\"policies\" : [ \"spam\" ]", "\"policies\" : [ \"spam\", \"scam\" ]"));
        assertThat(Files.readString(dir.resolve("manifest.json"))).contains("\"scam\"");
        try (ModelRegistry registry = registryOver(dir)) {
            assertThatThrownBy(() -> registry.model(MODEL, VERSION))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model.sparse.onnx");
        }
    }

    @Test
    void shouldRejectAManifestThatDescribesAnotherVersion() throws IOException {
        Path dir = copyOfBundled();
        Path other = dir.resolveSibling("2.0.0");
        Files.move(dir, other);
        try (ModelRegistry registry = registryOver(other)) {
            assertThatThrownBy(() -> registry.model(MODEL, "2.0.0"))
                    .hasMessageContaining("describes text-spam:1.0.0, not text-spam:2.0.0");
        }
    }

    @Test
    void shouldShareOneSessionPerModelVersionAndEncoding() {
        assertThat(bundled.model(MODEL, VERSION)).isSameAs(bundled.model(MODEL, VERSION));
        assertThat(bundled.model(MODEL, VERSION, InputEncoding.DENSE)).isNotSameAs(bundled.model(MODEL, VERSION));
        ModelManifest manifest = bundled.manifest(MODEL, VERSION);
        assertThat(bundled.model(MODEL, VERSION).encoding()).isEqualTo(manifest.preferredEncoding());
    }

    @Test
    void shouldGiveIdenticalScoresInABatchAndOneByOne() {
        for (InputEncoding encoding : InputEncoding.values()) {
            TextScorer scorer = new TextScorer(bundled.model(MODEL, VERSION, encoding));
            List<String> batch = texts.subList(0, 64);
            ScoreBatch together = scorer.scoreTexts(batch);
            for (int i = 0; i < batch.size(); i++) {
                float alone = scorer.scoreTexts(List.of(batch.get(i))).probability(0, 0);
                assertThat(together.probability(i, 0))
                        .as("%s item %d", encoding, i)
                        .isEqualTo(alone);
            }
        }
    }

    @Test
    void shouldGiveEightConcurrentCallersTheSameScoresAsOneCaller() throws Exception {
        TextScorer scorer = bundled.textScorer(MODEL, VERSION);
        List<String> sample = texts.subList(0, 128);
        float[] expected = scores(scorer, sample);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Callable<float[]> caller = () -> {
                    float[] last = null;
                    for (int round = 0; round < 10; round++) {
                        last = scores(scorer, sample);
                    }
                    return last;
                };
                results.add(pool.submit(caller));
            }
            for (Future<float[]> result : results) {
                assertThat(result.get()).containsExactly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Scores in batches of 16, one probability per text. */
    private static float[] scores(TextScorer scorer, List<String> sample) {
        float[] out = new float[sample.size()];
        for (int start = 0; start < sample.size(); start += 16) {
            ScoreBatch batch = scorer.scoreTexts(sample.subList(start, Math.min(sample.size(), start + 16)));
            for (int i = 0; i < batch.size(); i++) {
                out[start + i] = batch.probability(i, 0);
            }
        }
        return out;
    }

    @Test
    void shouldFailAfterCloseAndReloadAfterUnload() throws IOException {
        try (ModelRegistry registry = registryOver(copyOfBundled())) {
            OnnxModel first = registry.model(MODEL, VERSION);
            registry.unload(MODEL, VERSION);
            assertThat(registry.model(MODEL, VERSION)).isNotSameAs(first);
            registry.close();
            assertThatThrownBy(() -> registry.model(MODEL, VERSION)).hasMessageContaining("closed");
        }
    }
}
