package io.moderato.udfs.model;

import ai.onnxruntime.OrtEnvironment;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads models by name and version from a {@link ModelSource} and shares one ONNX Runtime session
 * per model version and encoding among all callers. Uses the JVM's single {@link OrtEnvironment}.
 * A model that fails to load is never cached, so a later call retries and a broken version can
 * never replace a working one in callers that hold the working one. Thread-safe.
 */
public final class ModelRegistry implements AutoCloseable {

    public static final String MANIFEST_FILE = "manifest.json";

    private final ModelSource source;
    private final ScoringOptions options;
    private final OrtEnvironment env;
    private final Map<Key, OnnxModel> models = new ConcurrentHashMap<>();
    private final Map<String, ModelManifest> manifests = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Key(String name, String version, InputEncoding encoding) {}

    private ModelRegistry(ModelSource source, ScoringOptions options) {
        this.source = Objects.requireNonNull(source, "source");
        this.options = Objects.requireNonNull(options, "options");
        this.env = OrtEnvironment.getEnvironment();
    }

    public static ModelRegistry open(ModelSource source) {
        return new ModelRegistry(source, ScoringOptions.DEFAULTS);
    }

    public static ModelRegistry open(ModelSource source, ScoringOptions options) {
        return new ModelRegistry(source, options);
    }

    /** The manifest of {@code name:version}; fails naming the file (and the versions that exist) when absent. */
    public ModelManifest manifest(String name, String version) {
        checkOpen();
        return manifests.computeIfAbsent(name + ":" + version, k -> readManifest(name, version));
    }

    /** The model in its manifest's preferred encoding, loaded on first use and then shared. */
    public OnnxModel model(String name, String version) {
        return model(name, version, manifest(name, version).preferredEncoding());
    }

    /** The model with an explicit input encoding (the manifest must name a graph for it). */
    public OnnxModel model(String name, String version, InputEncoding encoding) {
        checkOpen();
        return models.computeIfAbsent(new Key(name, version, encoding), this::load);
    }

    public TextScorer textScorer(String name, String version) {
        return new TextScorer(model(name, version));
    }

    public EmbeddingScorer embeddingScorer(String name, String version) {
        return new EmbeddingScorer(model(name, version));
    }

    public List<String> versions(String name) {
        return source.versions(name);
    }

    /** Closes and forgets every session of {@code name:version}; callers must have stopped using them. */
    public void unload(String name, String version) {
        List<OnnxModel> removed = new ArrayList<>();
        models.entrySet().removeIf(e -> {
            boolean match =
                    e.getKey().name().equals(name) && e.getKey().version().equals(version);
            if (match) {
                removed.add(e.getValue());
            }
            return match;
        });
        manifests.remove(name + ":" + version);
        removed.forEach(OnnxModel::close);
    }

    private ModelManifest readManifest(String name, String version) {
        try (InputStream in = source.open(name, version, MANIFEST_FILE)) {
            ModelManifest manifest = ModelManifest.read(in, source.describe(name, version, MANIFEST_FILE));
            if (!manifest.name().equals(name) || !manifest.version().equals(version)) {
                throw new ModelLoadException("Manifest " + source.describe(name, version, MANIFEST_FILE) + " describes "
                        + manifest.id() + ", not " + name + ":" + version);
            }
            return manifest;
        } catch (FileNotFoundException e) {
            List<String> known = source.versions(name);
            throw new ModelLoadException(
                    "Unknown model " + name + ":" + version + ": no manifest at "
                            + source.describe(name, version, MANIFEST_FILE)
                            + (known.isEmpty()
                                    ? " (no versions of '" + name + "' found)"
                                    : " (available versions: " + known + ")"),
                    e);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(
                    "Invalid manifest " + source.describe(name, version, MANIFEST_FILE) + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read " + source.describe(name, version, MANIFEST_FILE) + ": " + e, e);
        }
    }

    private OnnxModel load(Key key) {
        ModelManifest manifest = manifest(key.name(), key.version());
        String file = manifest.graphs().get(key.encoding());
        if (file == null) {
            throw new ModelLoadException("Model " + manifest.id() + " has no " + key.encoding() + " graph; manifest "
                    + source.describe(key.name(), key.version(), MANIFEST_FILE) + " lists " + manifest.graphs());
        }
        String location = source.describe(key.name(), key.version(), file);
        byte[] bytes;
        try (InputStream in = source.open(key.name(), key.version(), file)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new ModelLoadException("Model " + manifest.id() + ": graph file " + location + " is missing", e);
        } catch (IOException e) {
            throw new ModelLoadException("Model " + manifest.id() + ": cannot read " + location + ": " + e, e);
        }
        return OnnxModel.load(env, manifest, key.encoding(), bytes, location, options);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model registry is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        models.values().forEach(OnnxModel::close);
        models.clear();
        manifests.clear();
    }
}
