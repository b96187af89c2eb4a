package io.moderato.models.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.models.ModelArtifacts;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.udfs.model.Calibration;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.Provenance;
import io.moderato.udfs.model.ReferenceHistogram;
import io.moderato.udfs.model.TextScorer;
import io.moderato.udfs.text.FeaturizerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The release steps the short-text trainers share: build the manifest (SPARSE graph only — it is what serving
 * prefers, and a dense graph of 2^18 inputs would only add megabytes to the repository), stage the version folder,
 * load it back through the udfs {@link ModelRegistry} (the serving path) so that metrics and reference histograms
 * are computed on what the engine will actually return, check those scores against the trainer's own, and write
 * the parity sample the CI test re-checks.
 */
public final class TextModelRelease {

    /** Largest |serving − trainer| allowed for a calibrated probability. */
    public static final double PARITY_TOLERANCE = 1e-5;

    public static final int HISTOGRAM_BINS = 20;

    private TextModelRelease() {}

    /** Everything about a model version but its validation figures. */
    public record Spec(
            String name,
            String version,
            List<String> policies,
            FeaturizerSettings featurizer,
            Calibration[] calibrations,
            Map<String, Double> thresholds,
            Provenance provenance,
            String notes) {}

    /** What a training run produces before anything is written. */
    public record Trained(
            ModelManifest manifest, String modelCard, LinearHeadOnnxExporter head, List<ParityRow> parity) {}

    /** Writes the version folder (graph, manifest, card) and the parity sample; returns the version folder. */
    public static Path write(Trained trained, Path outputRoot, Path parityDir, Consumer<String> log)
            throws IOException {
        Path dir = ModelArtifacts.write(outputRoot, trained.manifest(), trained.head(), trained.modelCard());
        Path parity = writeParity(
                parityDir, trained.manifest().name(), trained.manifest().version(), trained.parity());
        log.accept("wrote " + dir.toAbsolutePath() + " and " + parity.toAbsolutePath() + " ("
                + trained.parity().size() + " texts)");
        return dir;
    }

    /** One committed parity text: the text, its label(s) and the trainer's calibrated probability per policy. */
    public record ParityRow(String id, String label, String text, Map<String, Double> expected) {}

    public static ModelManifest manifest(
            Spec spec, Map<String, ReferenceHistogram> histograms, Map<String, Double> metrics) {
        Map<String, Calibration> calibration = new LinkedHashMap<>();
        for (int p = 0; p < spec.policies().size(); p++) {
            calibration.put(spec.policies().get(p), spec.calibrations()[p]);
        }
        Map<InputEncoding, String> graphs = new EnumMap<>(InputEncoding.class);
        graphs.put(InputEncoding.SPARSE, ModelArtifacts.GRAPH_FILES.get(InputEncoding.SPARSE));
        return new ModelManifest(
                spec.name(),
                spec.version(),
                Modality.TEXT,
                spec.featurizer().dimensions(),
                graphs,
                InputEncoding.SPARSE,
                spec.policies(),
                spec.featurizer(),
                calibration,
                histograms,
                spec.thresholds(),
                spec.provenance(),
                metrics,
                spec.notes());
    }

    /** A staged model version, loaded through the udfs registry; closing it deletes the staging folder. */
    public static final class Staged implements AutoCloseable {
        private final Path root;
        private final ModelRegistry registry;
        private final TextScorer scorer;

        private Staged(Path root, ModelRegistry registry, TextScorer scorer) {
            this.root = root;
            this.registry = registry;
            this.scorer = scorer;
        }

        public TextScorer scorer() {
            return scorer;
        }

        @Override
        public void close() {
            registry.close();
            deleteRecursively(root);
        }
    }

    /** Writes the graphs with a provisional manifest (no figures yet) to a temporary folder and loads them. */
    public static Staged stage(Spec spec, LinearHeadOnnxExporter head) throws IOException {
        Path root = Files.createTempDirectory("moderato-" + spec.name() + "-staging");
        ModelManifest provisional = manifest(spec, Map.of(), Map.of());
        ModelArtifacts.write(root, provisional, head, "staging\n");
        ModelRegistry registry = ModelRegistry.open(ModelSource.directory(root));
        return new Staged(root, registry, registry.textScorer(spec.name(), spec.version()));
    }

    /**
     * Scores {@code texts} through the staged serving path and fails when any probability differs from the
     * trainer's calibrated one by more than {@value #PARITY_TOLERANCE}. Returns the serving scores per policy.
     */
    public static Map<String, double[]> checkParity(
            TextScorer scorer, List<String> texts, double[][] expected, String what, Consumer<String> log) {
        Map<String, double[]> served = ModelEvaluation.score(scorer, texts, m -> {});
        List<String> policies = scorer.model().policies();
        for (int p = 0; p < policies.size(); p++) {
            double[] s = served.get(policies.get(p));
            double max = 0;
            for (int i = 0; i < s.length; i++) {
                max = Math.max(max, Math.abs(s[i] - expected[p][i]));
            }
            log.accept(String.format(
                    java.util.Locale.ROOT,
                    "serving check %s on %s: max |ORT − trainer| = %.2e over %d texts",
                    policies.get(p),
                    what,
                    max,
                    s.length));
            if (!(max <= PARITY_TOLERANCE)) {
                throw new IllegalStateException(
                        "serving path differs from the trainer by " + max + " for " + policies.get(p) + " on " + what);
            }
        }
        return served;
    }

    /** Reference histograms of the served validation scores, the baseline of score-drift detection. */
    public static Map<String, ReferenceHistogram> histograms(Map<String, double[]> served) {
        Map<String, ReferenceHistogram> out = new TreeMap<>();
        served.forEach((policy, scores) -> out.put(policy, ReferenceHistogram.of(scores, HISTOGRAM_BINS)));
        return out;
    }

    public static Path writeParity(Path dir, String name, String version, List<ParityRow> rows) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + "-" + version + ".jsonl");
        ObjectMapper json = new ObjectMapper();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (ParityRow row : rows) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", row.id());
                line.put("label", row.label());
                line.put("text", row.text());
                line.put("expected", new TreeMap<>(row.expected()));
                out.write(json.writeValueAsString(line));
                out.write('\n');
            }
        }
        return file;
    }

    /** "sha256:<hex>" of a file, so a manifest pins exactly which committed data trained it. */
    public static String sha256(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return "sha256:" + HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
