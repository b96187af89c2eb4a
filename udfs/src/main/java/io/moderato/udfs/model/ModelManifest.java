package io.moderato.udfs.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moderato.udfs.text.FeaturizerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything needed to serve, monitor and audit one model version ({@code manifest.json} beside
 * the graph files): identity, modality, input encoding and size, output column → policy mapping,
 * featurizer settings (text), calibration, reference score histograms for drift, default
 * thresholds, training-data provenance and validation metrics. The constructor validates it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
        String name,
        String version,
        Modality modality,
        int inputDimensions,
        Map<InputEncoding, String> graphs,
        InputEncoding preferredEncoding,
        List<String> policies,
        FeaturizerSettings featurizer,
        Map<String, Calibration> calibration,
        Map<String, ReferenceHistogram> referenceHistograms,
        Map<String, Double> defaultThresholds,
        Provenance trainingData,
        Map<String, Double> validationMetrics,
        String notes) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public ModelManifest {
        requireText(name, "name");
        requireText(version, "version");
        String id = name + " " + version;
        if (modality == null) {
            throw invalid(id, "modality", "is missing (one of TEXT, IMAGE, AUDIO, VIDEO)");
        }
        if (inputDimensions <= 0) {
            throw invalid(id, "inputDimensions", "must be positive, got " + inputDimensions);
        }
        if (graphs == null || graphs.isEmpty()) {
            throw invalid(id, "graphs", "must name at least one graph file per input encoding");
        }
        graphs = new EnumMap<>(graphs);
        if (preferredEncoding == null || !graphs.containsKey(preferredEncoding)) {
            throw invalid(id, "preferredEncoding", preferredEncoding + " has no entry in graphs " + graphs.keySet());
        }
        if (policies == null || policies.isEmpty()) {
            throw invalid(id, "policies", "must list the policy of each output column");
        }
        if (new HashSet<>(policies).size() != policies.size()
                || policies.stream().anyMatch(p -> p == null || p.isBlank())) {
            throw invalid(id, "policies", "must be distinct, non-blank policy ids, got " + policies);
        }
        policies = List.copyOf(policies);
        if (modality == Modality.TEXT) {
            if (featurizer == null) {
                throw invalid(id, "featurizer", "is required for a TEXT model");
            }
            if (featurizer.dimensions() != inputDimensions) {
                throw invalid(
                        id,
                        "featurizer.dimensions",
                        featurizer.dimensions() + " differs from inputDimensions " + inputDimensions);
            }
        } else if (featurizer != null) {
            throw invalid(id, "featurizer", "is only allowed for TEXT models, this one is " + modality);
        }
        calibration = sortedCopy(calibration);
        referenceHistograms = sortedCopy(referenceHistograms);
        defaultThresholds = sortedCopy(defaultThresholds);
        validationMetrics = sortedCopy(validationMetrics);
        for (String policy : calibration.keySet()) {
            if (!policies.contains(policy)) {
                throw invalid(id, "calibration." + policy, "names a policy the model does not output " + policies);
            }
        }
        for (String policy : referenceHistograms.keySet()) {
            if (!policies.contains(policy)) {
                throw invalid(
                        id, "referenceHistograms." + policy, "names a policy the model does not output " + policies);
            }
        }
    }

    /** The calibration of {@code policy}, identity when none is configured. */
    public Calibration calibrationFor(String policy) {
        return calibration.getOrDefault(policy, Calibration.IDENTITY);
    }

    /** Canonical id {@code name:version}. */
    public String id() {
        return name + ":" + version;
    }

    public static ModelManifest read(InputStream in, String description) {
        try {
            return JSON.readValue(in, ModelManifest.class);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read model manifest " + description + ": " + rootMessage(e), e);
        }
    }

    public static ModelManifest parse(String json) {
        try {
            return JSON.readValue(json, ModelManifest.class);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException("Cannot parse model manifest: " + rootMessage(e), e);
        }
    }

    public void writeTo(OutputStream out) throws IOException {
        JSON.writeValue(out, this);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest " + id() + " cannot be written as JSON", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getMessage() : e.getMessage() + " (" + t.getMessage() + ")";
    }

    private static <V> Map<String, V> sortedCopy(Map<String, V> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("model manifest field '" + field + "' is missing or blank");
        }
    }

    private static IllegalArgumentException invalid(String id, String field, String problem) {
        return new IllegalArgumentException("model manifest " + id + ": field '" + field + "' " + problem);
    }
}
