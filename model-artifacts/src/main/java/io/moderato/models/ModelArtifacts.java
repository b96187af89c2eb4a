package io.moderato.models;

import io.moderato.models.onnx.LinearHeadOnnxExporter;
import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes one model version in the layout the udfs {@code ModelRegistry} reads:
 * {@code <root>/<name>/<version>/manifest.json}, the graph file of each encoding the manifest names,
 * and {@code MODEL_CARD.md}. Nothing written depends on the clock, so re-training with the same
 * inputs and seed rewrites identical files.
 */
public final class ModelArtifacts {

    public static final String MANIFEST = "manifest.json";
    public static final String MODEL_CARD = "MODEL_CARD.md";
    public static final Map<InputEncoding, String> GRAPH_FILES = Map.of(
            InputEncoding.DENSE, "model.dense.onnx",
            InputEncoding.SPARSE, "model.sparse.onnx");

    private ModelArtifacts() {}

    /** Writes the version folder and returns it. The manifest's {@code graphs} decide which graphs are written. */
    public static Path write(Path root, ModelManifest manifest, LinearHeadOnnxExporter head, String modelCard)
            throws IOException {
        if (head.dimensions() != manifest.inputDimensions()
                || head.outputs() != manifest.policies().size()) {
            throw new IllegalArgumentException("head is " + head.dimensions() + "x" + head.outputs() + " but manifest "
                    + manifest.id() + " says " + manifest.inputDimensions() + "x"
                    + manifest.policies().size());
        }
        Path dir = root.resolve(manifest.name()).resolve(manifest.version());
        Files.createDirectories(dir);
        for (Map.Entry<InputEncoding, String> graph : manifest.graphs().entrySet()) {
            Files.write(dir.resolve(graph.getValue()), graphBytes(manifest, head, graph.getKey()));
        }
        Files.writeString(dir.resolve(MANIFEST), manifest.toJson() + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MODEL_CARD), modelCard, StandardCharsets.UTF_8);
        return dir;
    }

    /** The ONNX graph of {@code encoding} exactly as {@link #write} stores it. */
    public static byte[] graphBytes(ModelManifest manifest, LinearHeadOnnxExporter head, InputEncoding encoding) {
        long onnxVersion = onnxModelVersion(manifest.version());
        String doc = manifest.name() + " " + manifest.version() + ": sigmoid(x·W + b), one column per policy "
                + manifest.policies() + "; see " + MODEL_CARD;
        return switch (encoding) {
            case DENSE -> head.denseBytes(manifest.name(), onnxVersion, doc);
            case SPARSE -> head.sparseBytes(manifest.name(), onnxVersion, doc);
        };
    }

    /** ONNX's model_version is an integer: the major version of a semantic version string, else 1. */
    static long onnxModelVersion(String version) {
        String major = version.split("[.\\-+]", 2)[0];
        try {
            return Math.max(1, Long.parseLong(major));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Human-readable size of a file for progress output. */
    public static String size(Path file) throws IOException {
        long bytes = Files.size(file);
        return bytes >= 1 << 20
                ? String.format("%.1f MiB", bytes / 1048576.0)
                : bytes >= 1 << 10 ? String.format("%.1f KiB", bytes / 1024.0) : bytes + " B";
    }
}
