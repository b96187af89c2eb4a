package io.moderato.jobs.detection;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.jobs.internal.PackedFeatures;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores batches of content events with the models the policy configs name, one ONNX call per
 * (model, modality) per batch. A modality an event lacks is skipped, never scored as zero. Text
 * models whose manifests prescribe the same featurizer settings (text-spam 2.x and text-abuse do)
 * share one featurization of each text per batch: featurizing, not ONNX, is the cost of text scoring.
 * Models hot-swap through {@link #use}: a model version that fails to load never replaces the
 * working version of the same slot (modality + model name + shadow). Not thread-safe: one per subtask.
 */
public final class ContentScorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContentScorer.class);

    /** Which model scores which modality, and whether it is only a shadow. */
    public record Slot(String modality, String model, boolean shadow) {}

    private final ModelRegistry registry;
    /** Slot → the version in use (loaded successfully). */
    private static final Comparator<Slot> SLOT_ORDER =
            Comparator.comparing(Slot::modality).thenComparing(Slot::model).thenComparing(Slot::shadow);

    private final Map<Slot, OnnxModel> active = new TreeMap<>(SLOT_ORDER);
    private final Map<OnnxModel, TextFeaturizer> featurizers = new java.util.IdentityHashMap<>();
    private long invalidEmbeddings;
    private boolean captureFeatures;

    public ContentScorer(ModelRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The slots and versions the configs ask for: active models of every policy, then shadow models. */
    public static Map<Slot, String> wanted(Collection<PolicyConfig> configs) {
        Map<Slot, String> wanted = new LinkedHashMap<>();
        for (PolicyConfig config : configs) {
            if (!config.getEnabled()) {
                continue;
            }
            for (ModelVersion m : config.getActiveModels()) {
                wanted.put(new Slot(m.getModality(), m.getName(), false), m.getVersion());
            }
        }
        for (PolicyConfig config : configs) {
            if (!config.getEnabled()) {
                continue;
            }
            for (ModelVersion m : config.getShadowModels()) {
                wanted.putIfAbsent(new Slot(m.getModality(), m.getName(), true), m.getVersion());
            }
        }
        return wanted;
    }

    /**
     * Switches to the wanted slots. Returns the problems (one line per model that failed to load);
     * a failed slot keeps its previous version, if it had one.
     */
    public List<String> use(Map<Slot, String> wanted) {
        List<String> problems = new ArrayList<>();
        Map<Slot, OnnxModel> next = new TreeMap<>(SLOT_ORDER);
        for (Map.Entry<Slot, String> entry : wanted.entrySet()) {
            Slot slot = entry.getKey();
            OnnxModel current = active.get(slot);
            if (current != null && current.manifest().version().equals(entry.getValue())) {
                next.put(slot, current);
                continue;
            }
            try {
                OnnxModel model = registry.model(slot.model(), entry.getValue());
                checkModality(slot, model);
                next.put(slot, model);
                LOG.info("Scoring {} with {}{}", slot.modality(), model.manifest().id(), slot.shadow() ? " (shadow)" : "");
            } catch (RuntimeException e) {
                String problem = "model " + slot.model() + ":" + entry.getValue() + " for " + slot.modality()
                        + " failed to load" + (current == null ? "" : ", keeping " + current.manifest().id()) + ": " + e.getMessage();
                LOG.error(problem, e);
                problems.add(problem);
                if (current != null) {
                    next.put(slot, current);
                }
            }
        }
        for (OnnxModel old : active.values()) {
            if (!next.containsValue(old)) {
                // sessions of a replaced version are closed once no slot uses them any more
                registry.unload(old.manifest().name(), old.manifest().version());
            }
        }
        active.clear();
        active.putAll(next);
        featurizers.keySet().retainAll(next.values());
        return problems;
    }

    private static void checkModality(Slot slot, OnnxModel model) {
        Modality expected = switch (slot.modality()) {
            case "text", "transcript" -> Modality.TEXT;
            case "image" -> Modality.IMAGE;
            case "audio" -> Modality.AUDIO;
            case "video" -> Modality.VIDEO;
            default -> throw new IllegalArgumentException("unknown modality '" + slot.modality() + "'");
        };
        if (model.manifest().modality() != expected) {
            throw new IllegalArgumentException(model.manifest().id() + " is a " + model.manifest().modality()
                    + " model and cannot score modality " + slot.modality());
        }
    }

    /** The model versions in use, e.g. for decisions to record. */
    public Map<Slot, String> inUse() {
        Map<Slot, String> versions = new LinkedHashMap<>();
        active.forEach((slot, model) -> versions.put(slot, model.manifest().version()));
        return versions;
    }

    /** Embeddings skipped so far because their dimension or values did not fit the model. */
    public long invalidEmbeddings() {
        return invalidEmbeddings;
    }

    /** One event's scores, and the inputs of its active (non-shadow) models when capture is on. */
    public record Scored(List<ModelScore> scores, List<PackedFeatures> features) {}

    /** Scores every present modality of every event; result i belongs to event i. */
    public List<Scored> score(List<ContentEvent> events, boolean captureFeatures) {
        List<Scored> scores = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            scores.add(new Scored(new ArrayList<>(), new ArrayList<>()));
        }
        this.captureFeatures = captureFeatures;
        Map<TextFeatures.Key, TextFeatures> featurized = new java.util.HashMap<>();
        for (Map.Entry<Slot, OnnxModel> entry : active.entrySet()) {
            Slot slot = entry.getKey();
            OnnxModel model = entry.getValue();
            switch (slot.modality()) {
                case "text" -> scoreTexts(slot, model, events, ContentEvent::getText, scores, featurized);
                case "transcript" -> scoreTexts(slot, model, events,
                        e -> e.getTranscript() == null ? null : e.getTranscript().getText(), scores, featurized);
                case "image" -> scoreEmbeddings(slot, model, events, ContentEvent::getImageEmbedding, scores);
                case "audio" -> scoreEmbeddings(slot, model, events, ContentEvent::getAudioEmbedding, scores);
                case "video" -> scoreEmbeddings(slot, model, events, ContentEvent::getVideoEmbedding, scores);
                default -> { }
            }
        }
        return scores;
    }

    /** One batch's featurized texts of one modality under one featurizer setting: rows (event indices) and vectors. */
    private record TextFeatures(List<Integer> rows, List<SparseVector> vectors) {
        record Key(String modality, FeaturizerSettings settings) {}
    }

    private void scoreTexts(Slot slot, OnnxModel model, List<ContentEvent> events,
                            Function<ContentEvent, String> text, List<Scored> out,
                            Map<TextFeatures.Key, TextFeatures> featurized) {
        TextFeatures features = featurized.computeIfAbsent(
                new TextFeatures.Key(slot.modality(), model.manifest().featurizer()), key -> {
                    TextFeaturizer featurizer = featurizers.computeIfAbsent(model, m -> new TextFeaturizer(m.manifest().featurizer()));
                    List<Integer> rows = new ArrayList<>();
                    List<SparseVector> vectors = new ArrayList<>();
                    for (int i = 0; i < events.size(); i++) {
                        String t = text.apply(events.get(i));
                        if (t != null && !t.isBlank()) {
                            rows.add(i);
                            vectors.add(featurizer.featurize(t));
                        }
                    }
                    return new TextFeatures(rows, vectors);
                });
        List<Integer> rows = features.rows();
        List<SparseVector> vectors = features.vectors();
        if (rows.isEmpty()) {
            return;
        }
        collect(slot, model, model.score(vectors), rows, out);
        if (captureFeatures && !slot.shadow()) {
            for (int r = 0; r < rows.size(); r++) {
                SparseVector v = vectors.get(r);
                out.get(rows.get(r)).features().add(FeaturePacking.pack(slot.modality(), versionOf(slot, model),
                        v.dimensions(), v.indices(), v.values()));
            }
        }
    }

    private void scoreEmbeddings(Slot slot, OnnxModel model, List<ContentEvent> events,
                                 Function<ContentEvent, Embedding> embedding, List<Scored> out) {
        List<Integer> rows = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Embedding e = embedding.apply(events.get(i));
            if (e == null || e.getVector() == null || e.getVector().isEmpty()) {
                continue;
            }
            float[] vector = toArray(e.getVector());
            if (vector.length != model.dimensions() || !allFinite(vector)) {
                invalidEmbeddings++;
                LOG.warn("Skipping {} embedding of content {}: dimension {} (model {} expects {}) or non-finite values",
                        slot.modality(), events.get(i).getContentId(), vector.length, model.manifest().id(), model.dimensions());
                continue;
            }
            rows.add(i);
            vectors.add(vector);
        }
        if (rows.isEmpty()) {
            return;
        }
        collect(slot, model, model.scoreDense(vectors), rows, out);
        if (captureFeatures && !slot.shadow()) {
            for (int r = 0; r < rows.size(); r++) {
                // a dense vector: values only, indices empty (see FeatureVector)
                out.get(rows.get(r)).features().add(FeaturePacking.pack(slot.modality(), versionOf(slot, model),
                        model.dimensions(), new int[0], vectors.get(r)));
            }
        }
    }

    private static ModelVersion versionOf(Slot slot, OnnxModel model) {
        return new ModelVersion(slot.modality(), model.manifest().name(), model.manifest().version());
    }

    private static void collect(Slot slot, OnnxModel model, ScoreBatch batch, List<Integer> rows, List<Scored> out) {
        List<String> policies = batch.policies();
        for (int r = 0; r < rows.size(); r++) {
            List<ModelScore> target = out.get(rows.get(r)).scores();
            for (int p = 0; p < policies.size(); p++) {
                target.add(new ModelScore(slot.modality(), model.manifest().name(), model.manifest().version(),
                        policies.get(p), (double) batch.probability(r, p), slot.shadow()));
            }
        }
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            Float v = values.get(i);
            out[i] = v == null ? Float.NaN : v;
        }
        return out;
    }

    private static boolean allFinite(float[] vector) {
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        active.clear();
    }
}
