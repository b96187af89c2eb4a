package io.moderato.udfs.model;

import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.text.FeaturizerSettings;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores batches of content events with the models the policy configs name, one ONNX call per
 * (model, modality) per batch. A modality an event lacks is skipped, never scored as zero; a
 * modality it carries that a wanted model cannot score (no version of the model is loaded, the
 * embedding has the wrong dimension or non-finite values) comes back as a {@link Problem},
 * so that the decider fails safe instead of silently leaving the policy out. Text is scored through
 * each model's {@link TextScorer}; text models whose manifests prescribe the same featurizer settings
 * (text-spam 2.x and text-abuse do) share one featurization of each text per batch: featurizing, not
 * ONNX, is the cost of text scoring. Models hot-swap through {@link #use}: a model version that fails
 * to load never replaces the working version of the same slot (modality + model name + shadow).
 *
 * <p>This is the DetectionJob's scorer (its scoring operator turns the results into records) and the
 * one the detection benchmark's pure scoring bound runs, so the two measure the same code. Plain
 * Java, not thread-safe: one per subtask or thread.
 */
public final class ContentScorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContentScorer.class);

    /** Which model scores which modality, and whether it is only a shadow. */
    public record Slot(String modality, String model, boolean shadow) {}

    private static final Comparator<Slot> SLOT_ORDER =
            Comparator.comparing(Slot::modality).thenComparing(Slot::model).thenComparing(Slot::shadow);

    /**
     * Most model-input values (non-zeros of sparse vectors, dense values) captured per event: about
     * 32 k values are under 300 kB in a RiskDecision, far below the broker's 1 MiB record limit
     * whatever the item (a text longer than this has no retraining use as one example anyway).
     */
    public static final int MAX_CAPTURED_VALUES = 32_768;
    /** Longest scoring-problem reason: every decision of an item with a problem carries it. */
    public static final int MAX_PROBLEM_CHARS = 300;

    private final ModelRegistry registry;
    /** Slot → the version in use (loaded successfully). */
    private final Map<Slot, OnnxModel> active = new TreeMap<>(SLOT_ORDER);
    /** Wanted slots without any loaded version, and why. */
    private final Map<Slot, String> missing = new TreeMap<>(SLOT_ORDER);

    private final Map<OnnxModel, TextScorer> textScorers = new IdentityHashMap<>();
    private long invalidEmbeddings;

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
        Map<Slot, String> nextMissing = new TreeMap<>(SLOT_ORDER);
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
                LOG.info(
                        "Scoring {} with {}{}",
                        slot.modality(),
                        model.manifest().id(),
                        slot.shadow() ? " (shadow)" : "");
            } catch (RuntimeException e) {
                String problem =
                        "model " + slot.model() + ":" + entry.getValue() + " for " + slot.modality() + " failed to load"
                                + (current == null
                                        ? ""
                                        : ", keeping " + current.manifest().id()) + ": " + e.getMessage();
                LOG.error(problem, e);
                problems.add(problem);
                if (current != null) {
                    next.put(slot, current);
                } else {
                    String reason = "model " + slot.model() + ":" + entry.getValue() + " is not loaded ("
                            + e.getMessage() + ")";
                    nextMissing.put(
                            slot,
                            reason.length() <= MAX_PROBLEM_CHARS
                                    ? reason
                                    : reason.substring(0, MAX_PROBLEM_CHARS - 1) + "…");
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
        missing.clear();
        missing.putAll(nextMissing);
        textScorers.keySet().retainAll(next.values());
        return problems;
    }

    /** Wanted slots for which no version of the model is loaded (their modality cannot be scored). */
    public int missingModels() {
        return missing.size();
    }

    /** Throws when {@code model} cannot score {@code modality} (e.g. an image model named for text). */
    public static void checkModality(String modality, OnnxModel model) {
        checkModality(new Slot(modality, model.manifest().name(), false), model);
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
            throw new IllegalArgumentException(model.manifest().id() + " is a "
                    + model.manifest().modality() + " model and cannot score modality " + slot.modality());
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

    /** One model's calibrated probability that the item violates {@code policy} (one output column). */
    public record Score(String modality, String model, String version, String policy, double score, boolean shadow) {}

    /** A modality the item carries that {@code model} could not score, and why. */
    public record Problem(String modality, String model, String reason) {}

    /**
     * The input one active model scored, as it scored it: a sparse vector (indices and values) for
     * text, a dense one (values only, {@code indices} empty) for an embedding. The arrays are the
     * scorer's own and must not be changed.
     */
    public record CapturedInput(String modality, ModelVersion model, int dimensions, int[] indices, float[] values) {}

    /**
     * One event's scores; the inputs of its active (non-shadow) models when capture is on (empty, with
     * {@code featuresOmitted}, when they exceed {@link #MAX_CAPTURED_VALUES}); and the modalities it
     * carries that a wanted model could not score.
     */
    public record Scored(
            List<Score> scores, List<CapturedInput> features, List<Problem> problems, boolean featuresOmitted) {}

    /** Scores every present modality of every event; result i belongs to event i. */
    public List<Scored> score(List<ContentEvent> events, boolean captureFeatures) {
        List<Scored> scores = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            scores.add(new Scored(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), false));
        }
        Map<TextFeatures.Key, TextFeatures> featurized = new HashMap<>();
        for (Map.Entry<Slot, OnnxModel> entry : active.entrySet()) {
            Slot slot = entry.getKey();
            OnnxModel model = entry.getValue();
            if (isText(slot.modality())) {
                scoreTexts(slot, model, events, textOf(slot.modality()), scores, captureFeatures, featurized);
            } else {
                scoreEmbeddings(slot, model, events, embeddingOf(slot.modality()), scores, captureFeatures);
            }
        }
        for (Map.Entry<Slot, String> entry : missing.entrySet()) {
            Slot slot = entry.getKey();
            if (slot.shadow()) {
                continue; // a shadow model decides nothing: nothing to fail safe on
            }
            for (int i = 0; i < events.size(); i++) {
                if (carries(events.get(i), slot.modality())) {
                    scores.get(i).problems().add(new Problem(slot.modality(), slot.model(), entry.getValue()));
                }
            }
        }
        for (int i = 0; i < scores.size(); i++) {
            Scored s = scores.get(i);
            if (capturedValues(s.features()) > MAX_CAPTURED_VALUES) {
                scores.set(i, new Scored(s.scores(), new ArrayList<>(), s.problems(), true));
            }
        }
        return scores;
    }

    private static boolean isText(String modality) {
        return "text".equals(modality) || "transcript".equals(modality);
    }

    private static Function<ContentEvent, String> textOf(String modality) {
        return "text".equals(modality)
                ? ContentEvent::getText
                : e -> e.getTranscript() == null ? null : e.getTranscript().getText();
    }

    private static Function<ContentEvent, Embedding> embeddingOf(String modality) {
        return switch (modality) {
            case "image" -> ContentEvent::getImageEmbedding;
            case "audio" -> ContentEvent::getAudioEmbedding;
            case "video" -> ContentEvent::getVideoEmbedding;
            default -> e -> null;
        };
    }

    /** True when the event has something to score for {@code modality}. */
    public static boolean carries(ContentEvent event, String modality) {
        if (isText(modality)) {
            String t = textOf(modality).apply(event);
            return t != null && !t.isBlank();
        }
        Embedding e = embeddingOf(modality).apply(event);
        return e != null && e.getVector() != null && !e.getVector().isEmpty();
    }

    private static long capturedValues(List<CapturedInput> features) {
        long values = 0;
        for (CapturedInput f : features) {
            values += f.values().length;
        }
        return values;
    }

    /** One batch's featurized texts of one modality under one featurizer setting: rows (event indices) and vectors. */
    private record TextFeatures(List<Integer> rows, List<SparseVector> vectors) {
        record Key(String modality, FeaturizerSettings settings) {}
    }

    private void scoreTexts(
            Slot slot,
            OnnxModel model,
            List<ContentEvent> events,
            Function<ContentEvent, String> text,
            List<Scored> out,
            boolean captureFeatures,
            Map<TextFeatures.Key, TextFeatures> featurized) {
        TextFeatures features = featurized.computeIfAbsent(
                new TextFeatures.Key(slot.modality(), model.manifest().featurizer()),
                key -> featurize(textScorers.computeIfAbsent(model, TextScorer::new), events, text));
        List<Integer> rows = features.rows();
        List<SparseVector> vectors = features.vectors();
        if (rows.isEmpty()) {
            return;
        }
        collect(slot, model, model.score(vectors), rows, out);
        if (captureFeatures && !slot.shadow()) {
            for (int r = 0; r < rows.size(); r++) {
                SparseVector v = vectors.get(r);
                out.get(rows.get(r))
                        .features()
                        .add(new CapturedInput(
                                slot.modality(), versionOf(slot, model), v.dimensions(), v.indices(), v.values()));
            }
        }
    }

    private static TextFeatures featurize(
            TextScorer scorer, List<ContentEvent> events, Function<ContentEvent, String> text) {
        List<Integer> rows = new ArrayList<>();
        List<SparseVector> vectors = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String t = text.apply(events.get(i));
            if (t != null && !t.isBlank()) {
                rows.add(i);
                vectors.add(scorer.featurize(t));
            }
        }
        return new TextFeatures(rows, vectors);
    }

    private void scoreEmbeddings(
            Slot slot,
            OnnxModel model,
            List<ContentEvent> events,
            Function<ContentEvent, Embedding> embedding,
            List<Scored> out,
            boolean captureFeatures) {
        List<Integer> rows = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Embedding e = embedding.apply(events.get(i));
            if (e == null || e.getVector() == null || e.getVector().isEmpty()) {
                continue;
            }
            float[] vector = toArray(e.getVector());
            String invalid = vector.length != model.dimensions()
                    ? slot.modality() + " embedding has " + vector.length + " dimensions, model "
                            + model.manifest().id() + " expects " + model.dimensions()
                    : allFinite(vector) ? null : slot.modality() + " embedding has NaN or infinite values";
            if (invalid != null) {
                if (!slot.shadow()) {
                    invalidEmbeddings++;
                    out.get(i).problems().add(new Problem(slot.modality(), slot.model(), invalid));
                    LOG.warn("Not scoring content {}: {}", events.get(i).getContentId(), invalid);
                }
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
                out.get(rows.get(r))
                        .features()
                        .add(new CapturedInput(
                                slot.modality(),
                                versionOf(slot, model),
                                model.dimensions(),
                                new int[0],
                                vectors.get(r)));
            }
        }
    }

    private static ModelVersion versionOf(Slot slot, OnnxModel model) {
        return new ModelVersion(
                slot.modality(), model.manifest().name(), model.manifest().version());
    }

    private static void collect(Slot slot, OnnxModel model, ScoreBatch batch, List<Integer> rows, List<Scored> out) {
        List<String> policies = batch.policies();
        for (int r = 0; r < rows.size(); r++) {
            List<Score> target = out.get(rows.get(r)).scores();
            for (int p = 0; p < policies.size(); p++) {
                target.add(new Score(
                        slot.modality(),
                        model.manifest().name(),
                        model.manifest().version(),
                        policies.get(p),
                        (double) batch.probability(r, p),
                        slot.shadow()));
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
