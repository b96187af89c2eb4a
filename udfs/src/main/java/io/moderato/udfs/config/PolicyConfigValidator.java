package io.moderato.udfs.config;

import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.ReviewQueue;
import io.moderato.udfs.fusion.RiskFuser;
import io.moderato.udfs.input.RecordBounds;
import io.moderato.udfs.model.Modality;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Checks a {@link PolicyConfig} against the rules every job relies on, and reports every violation
 * at once (not just the first), each naming the field and its value, e.g.
 * {@code reviewThreshold = 0.9 must be <= actionThreshold = 0.8}. Range checks are written so that
 * NaN fails them (a comparison with NaN is always false, so "x < 0 is bad" would let NaN through).
 *
 * <p>Rules: policyId non-blank; version ≥ 1; action, review and escalation thresholds in [0, 1];
 * reviewThreshold ≤ actionThreshold; fusionStrategy one of {@link RiskFuser#STRATEGIES}; every
 * fusion weight (non-blank name) and the bias finite, and for noisy_or / max every weight in
 * [0, 1]; both audit sample rates in [0, 1]; severity finite and ≥ 0; precisionObligation and
 * obligationConfidence in (0, 1); autoAction REMOVE | LIMIT; surfaces non-blank; review queues with
 * non-blank unique names, non-blank locales, minSeverity finite and ≥ 0, capacityPerMinute ≥ 1,
 * slaMillis &gt; 0; active and shadow models with a known modality ({@link Modality#WIRE_NAMES}) and
 * non-blank name and version, and at most one active model per modality. Sizes: at most
 * {@value #MAX_CONFIG_BYTES} bytes serialized, policyId at most {@value #MAX_POLICY_ID_CHARS} characters,
 * changeNote at most {@value #MAX_CHANGE_NOTE_CHARS}, model names 128, queue names 160 and model versions 64,
 * at most 5 active and 10 shadow models, 100 surfaces and queues and 64 fusion weights, every other
 * string at most {@value RecordBounds#DEFAULT_MAX_STRING_CHARS} characters and list or map at most
 * {@value RecordBounds#DEFAULT_MAX_ITEMS} entries — a config is broadcast to every task, kept in state,
 * echoed in its audit record and in every decision it makes, so an oversized one is refused, not carried.
 */
public final class PolicyConfigValidator {

    public static final List<String> AUTO_ACTIONS = List.of("REMOVE", "LIMIT");
    public static final int MAX_CONFIG_BYTES = 64 * 1024;
    public static final int MAX_POLICY_ID_CHARS = 128;
    public static final int MAX_CHANGE_NOTE_CHARS = 4096;
    /** Longest value quoted inside a violation, so that a violation stays one readable line. */
    static final int MAX_QUOTED_CHARS = 64;

    /** Names that end up in every decision (models, queues) are short; so are the lists a decision echoes. */
    private static final RecordBounds SIZES = RecordBounds.defaults()
            .with("policyId", MAX_POLICY_ID_CHARS, "policy ids are keys")
            .with("changeNote", MAX_CHANGE_NOTE_CHARS, "a note, not a document")
            .with("surfaces", 100, "surfaces per policy")
            .with("surfaces[]", 64, "surface names")
            .with("fusionWeights", 64, "fusion inputs per policy")
            .with("reviewQueues", 100, "review queues per policy")
            .with("reviewQueues[].name", MAX_POLICY_ID_CHARS + 32, "queue names")
            .with("activeModels", 5, "one active model per modality")
            .with("activeModels[].name", 128, "model names")
            .with("activeModels[].version", 64, "model versions")
            .with("shadowModels", 10, "shadow models per policy")
            .with("shadowModels[].name", 128, "model names")
            .with("shadowModels[].version", 64, "model versions");

    private PolicyConfigValidator() {}

    /** Empty when valid. Each violation names the field and value, e.g. "reviewThreshold = 0.9 must be <= actionThreshold = 0.8". */
    public static List<String> violations(PolicyConfig c) {
        List<String> v = new ArrayList<>();
        if (c == null) {
            v.add("config = null must be a PolicyConfig");
            return v;
        }
        v.addAll(SIZES.problems(c, 10));
        long bytes = serializedSize(c);
        if (bytes > MAX_CONFIG_BYTES) {
            v.add("config is " + bytes + " bytes serialized, more than " + MAX_CONFIG_BYTES);
        }
        nonBlank(v, "policyId", c.getPolicyId());
        if (!(c.getVersion() >= 1)) {
            v.add("version = " + c.getVersion() + " must be >= 1");
        }

        unit(v, "actionThreshold", c.getActionThreshold());
        unit(v, "reviewThreshold", c.getReviewThreshold());
        unit(v, "escalationThreshold", c.getEscalationThreshold());
        if (c.getReviewThreshold() > c.getActionThreshold()) {
            v.add("reviewThreshold = " + c.getReviewThreshold() + " must be <= actionThreshold = "
                    + c.getActionThreshold());
        }
        fusion(v, c);

        unit(v, "auditSampleRateAllow", c.getAuditSampleRateAllow());
        unit(v, "auditSampleRateAction", c.getAuditSampleRateAction());
        if (!(Double.isFinite(c.getSeverity()) && c.getSeverity() >= 0.0)) {
            v.add("severity = " + c.getSeverity() + " must be finite and >= 0");
        }
        openUnit(v, "precisionObligation", c.getPrecisionObligation());
        openUnit(v, "obligationConfidence", c.getObligationConfidence());
        if (c.getAutoAction() == null || !AUTO_ACTIONS.contains(c.getAutoAction())) {
            v.add("autoAction = " + quote(c.getAutoAction()) + " must be one of " + AUTO_ACTIONS);
        }

        if (c.getSurfaces() == null) {
            v.add("surfaces = null must be a list");
        } else {
            for (int i = 0; i < c.getSurfaces().size(); i++) {
                nonBlank(v, "surfaces[" + i + "]", c.getSurfaces().get(i));
            }
        }
        queues(v, c.getReviewQueues());
        models(v, "activeModels", c.getActiveModels(), true);
        models(v, "shadowModels", c.getShadowModels(), false);
        return v;
    }

    /** The fusion strategy, its weights (probabilities for noisy-or and max) and its bias. */
    private static void fusion(List<String> v, PolicyConfig c) {
        String strategy = c.getFusionStrategy();
        boolean knownStrategy = strategy != null && RiskFuser.STRATEGIES.contains(strategy);
        if (!knownStrategy) {
            v.add("fusionStrategy = " + quote(strategy) + " must be one of " + RiskFuser.STRATEGIES);
        }
        boolean probabilityWeights = RiskFuser.NOISY_OR.equals(strategy) || RiskFuser.MAX.equals(strategy);
        if (c.getFusionWeights() == null) {
            v.add("fusionWeights = null must be a map");
        } else {
            // sorted so that the violations come out in a stable order
            for (Map.Entry<String, Double> e :
                    sortedWithBlankForNull(c.getFusionWeights()).entrySet()) {
                String field = "fusionWeights[" + e.getKey() + "]";
                Double w = e.getValue();
                if (e.getKey().isBlank()) {
                    v.add("fusionWeights key = " + quote(e.getKey()) + " must be a non-blank input name");
                }
                if (w == null || !Double.isFinite(w)) {
                    v.add(field + " = " + w + " must be finite");
                } else if (probabilityWeights && !(w >= 0.0 && w <= 1.0)) {
                    v.add(field + " = " + w + " must be in [0, 1] for fusionStrategy " + strategy);
                }
            }
        }
        if (!Double.isFinite(c.getFusionBias())) {
            v.add("fusionBias = " + c.getFusionBias() + " must be finite");
        }
    }

    /** True when {@link #violations} is empty. */
    public static boolean isValid(PolicyConfig c) {
        return violations(c).isEmpty();
    }

    private static void queues(List<String> v, List<ReviewQueue> queues) {
        if (queues == null) {
            v.add("reviewQueues = null must be a list");
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < queues.size(); i++) {
            String at = "reviewQueues[" + i + "]";
            ReviewQueue q = queues.get(i);
            if (q == null) {
                v.add(at + " = null must be a ReviewQueue");
                continue;
            }
            if (nonBlank(v, at + ".name", q.getName()) && !names.add(q.getName())) {
                v.add(at + ".name = " + quote(q.getName()) + " must be unique (used by an earlier queue)");
            }
            if (q.getLocales() == null) {
                v.add(at + ".locales = null must be a list");
            } else {
                for (int j = 0; j < q.getLocales().size(); j++) {
                    nonBlank(v, at + ".locales[" + j + "]", q.getLocales().get(j));
                }
            }
            if (!(Double.isFinite(q.getMinSeverity()) && q.getMinSeverity() >= 0.0)) {
                v.add(at + ".minSeverity = " + q.getMinSeverity() + " must be finite and >= 0");
            }
            if (q.getCapacityPerMinute() < 1) {
                v.add(at + ".capacityPerMinute = " + q.getCapacityPerMinute() + " must be >= 1");
            }
            if (q.getSlaMillis() <= 0) {
                v.add(at + ".slaMillis = " + q.getSlaMillis() + " must be > 0");
            }
        }
    }

    private static void models(List<String> v, String field, List<ModelVersion> models, boolean onePerModality) {
        if (models == null) {
            v.add(field + " = null must be a list");
            return;
        }
        Set<String> modalities = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String at = field + "[" + i + "]";
            ModelVersion m = models.get(i);
            if (m == null) {
                v.add(at + " = null must be a ModelVersion");
                continue;
            }
            if (!Modality.isKnownWireName(m.getModality())) {
                v.add(at + ".modality = " + quote(m.getModality()) + " must be one of " + Modality.WIRE_NAMES);
            } else if (onePerModality && !modalities.add(m.getModality())) {
                v.add(at + ".modality = " + quote(m.getModality())
                        + " must be unique (at most one active model per modality)");
            }
            nonBlank(v, at + ".name", m.getName());
            nonBlank(v, at + ".version", m.getVersion());
        }
    }

    private static boolean nonBlank(List<String> v, String field, String value) {
        if (value == null || value.isBlank()) {
            v.add(field + " = " + quote(value) + " must be non-blank");
            return false;
        }
        return true;
    }

    /** In [0, 1]; written as a positive check so that NaN fails. */
    private static void unit(List<String> v, String field, double x) {
        if (!(x >= 0.0 && x <= 1.0)) {
            v.add(field + " = " + x + " must be in [0, 1]");
        }
    }

    /** In the open interval (0, 1); NaN fails. */
    private static void openUnit(List<String> v, String field, double x) {
        if (!(x > 0.0 && x < 1.0)) {
            v.add(field + " = " + x + " must be in (0, 1)");
        }
    }

    private static Map<String, Double> sortedWithBlankForNull(Map<String, Double> m) {
        Map<String, Double> copy = new TreeMap<>();
        m.forEach((k, w) -> copy.put(k == null ? "" : k, w));
        return copy;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= MAX_QUOTED_CHARS
                ? "'" + s + "'"
                : "'" + s.substring(0, MAX_QUOTED_CHARS) + "…' (" + s.length() + " characters)";
    }

    /** Bytes of the config's Avro binary encoding (what state, the broadcast and the audit record carry). */
    static long serializedSize(PolicyConfig c) {
        long[] count = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(counter, null);
            new SpecificDatumWriter<>(PolicyConfig.class).write(c, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // a config that cannot even be encoded (a null in a required field) is reported by the other rules
            return 0;
        }
        return count[0];
    }
}
