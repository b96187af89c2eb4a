package io.moderato.udfs.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moderato.schemas.PolicyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Reads and writes policy configs as plain, human-editable JSON: one object per config whose keys
 * are the {@link PolicyConfig} field names and whose values are plain JSON (nested objects for
 * {@code reviewQueues} / {@code activeModels} items, an object for {@code fusionWeights}, a string
 * or {@code null} for {@code changeNote}), not Avro's JSON encoding with its union wrappers such as
 * {@code {"string": "..."}}. A field with a schema default may be left out; a field without one
 * must be present; an unknown key is an error (it is almost always a typo). Doubles also accept the
 * strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"} so that {@link #toJson} output
 * always reads back (validation then rejects them).
 *
 * <p>The mapping is driven by the Avro schema, so a field added to {@code PolicyConfig.avsc} is
 * read and written without a change here.
 */
public final class PolicyDefaults {

    /**
     * Classpath resource (root of the udfs jar, and so of the job jar) holding the default policy configs the
     * jobs apply until {@code policy.config} has some: the one copy of the shipped defaults, and the default
     * of the jobs' {@code detection.policy.defaults} / {@code feedback.policy.defaults} options.
     */
    public static final String RESOURCE = "policy-defaults.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    // the generated classes' own model, so nested records are created through their class loader
    private static final SpecificData AVRO = SpecificData.getForClass(PolicyConfig.class);

    private PolicyDefaults() {}

    /**
     * Reads a JSON array of policy configs and validates each one.
     *
     * @param description names the source in error messages, e.g. a file name
     * @throws IllegalArgumentException naming the policy id (or element index) and every violation,
     *                                  when the JSON is malformed, a config is invalid or a policy
     *                                  id appears twice
     * @throws UncheckedIOException     when the stream cannot be read
     */
    public static List<PolicyConfig> read(InputStream json, String description) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(description + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(description + ": cannot read policy configs", e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(description + ": expected a JSON array of policy configs, got "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType()));
        }
        List<PolicyConfig> configs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode element = root.get(i);
            String label = label(element, i);
            PolicyConfig config;
            try {
                config = fromNode(element);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(description + ": " + label + ": " + e.getMessage(), e);
            }
            List<String> violations = PolicyConfigValidator.violations(config);
            if (!violations.isEmpty()) {
                throw new IllegalArgumentException(
                        description + ": " + label + " is invalid: " + String.join("; ", violations));
            }
            Integer earlier = seen.putIfAbsent(config.getPolicyId(), i);
            if (earlier != null) {
                throw new IllegalArgumentException(description + ": policy '" + config.getPolicyId()
                        + "' appears more than once (elements " + earlier + " and " + i + ")");
            }
            configs.add(config);
        }
        return List.copyOf(configs);
    }

    /** The shipped default policies in {@value #RESOURCE}, validated. */
    public static List<PolicyConfig> shipped() {
        try (InputStream in = PolicyDefaults.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            return read(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses one config object in the shape described above. Does not validate (a publishing tool
     * wants to show the violations itself); use {@link PolicyConfigValidator#violations}.
     *
     * @throws IllegalArgumentException naming the field path when the JSON does not fit the schema
     */
    public static PolicyConfig fromJson(String jsonObject) {
        try {
            return fromNode(JSON.readTree(jsonObject));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** One config as an indented JSON object in the shape {@link #fromJson} reads (schema field order, map keys sorted). */
    public static String toJson(PolicyConfig c) {
        return write(toNode(c, PolicyConfig.getClassSchema()));
    }

    /** Configs as an indented JSON array, the shape {@link #read} reads. */
    public static String toJson(Collection<PolicyConfig> configs) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        configs.forEach(c -> array.add(toNode(c, PolicyConfig.getClassSchema())));
        return write(array);
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static PolicyConfig fromNode(JsonNode node) {
        PolicyConfig parsed = (PolicyConfig) read(node, PolicyConfig.getClassSchema(), "");
        // the builder deep-copies, so the result shares nothing with the parse
        return PolicyConfig.newBuilder(parsed).build();
    }

    private static String label(JsonNode element, int index) {
        JsonNode id = element == null ? null : element.get("policyId");
        return id != null && id.isTextual()
                ? "policy '" + id.asText() + "' (element " + index + ")"
                : "element " + index + " (no policyId)";
    }

    // --- JSON -> Avro, by schema ---

    private static Object read(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD:
                return readRecord(node, schema, path);
            case UNION: {
                Schema nonNull = optionalType(schema);
                return node == null || node.isNull() ? null : read(node, nonNull, path);
            }
            case STRING:
                if (!node.isTextual()) {
                    throw mismatch(path, "a string", node);
                }
                return node.textValue();
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw mismatch(path, "true or false", node);
                }
                return node.booleanValue();
            case INT:
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw mismatch(path, "a whole number (int)", node);
                }
                return node.intValue();
            case LONG:
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw mismatch(path, "a whole number (long)", node);
                }
                return node.longValue();
            case DOUBLE:
            case FLOAT: {
                double d = readDouble(node, path);
                return schema.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
            }
            case ARRAY:
                return readArray(node, schema, path);
            case MAP:
                return readMap(node, schema, path);
            default:
                throw new IllegalStateException(
                        "PolicyDefaults cannot map Avro type " + schema.getType() + " at " + path);
        }
    }

    /** An object of exactly the record's fields; a missing field takes its default, or fails without one. */
    private static IndexedRecord readRecord(JsonNode node, Schema schema, String path) {
        if (node == null || !node.isObject()) {
            throw mismatch(path, "an object (" + schema.getName() + ")", node);
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new IllegalArgumentException(at(path, name) + ": unknown field (known: "
                        + schema.getFields().stream().map(Schema.Field::name).toList() + ")");
            }
        }
        IndexedRecord record = (IndexedRecord) AVRO.newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            JsonNode value = node.get(f.name());
            if (value == null) {
                if (!f.hasDefaultValue()) {
                    throw new IllegalArgumentException(at(path, f.name()) + ": missing (the field has no default)");
                }
                record.put(f.pos(), AVRO.getDefaultValue(f));
            } else {
                record.put(f.pos(), read(value, f.schema(), at(path, f.name())));
            }
        }
        return record;
    }

    private static List<Object> readArray(JsonNode node, Schema schema, String path) {
        if (!node.isArray()) {
            throw mismatch(path, "an array", node);
        }
        List<Object> list = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            list.add(read(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        return list;
    }

    private static Map<String, Object> readMap(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw mismatch(path, "an object (map)", node);
        }
        Map<String, Object> map = new TreeMap<>();
        node.fields()
                .forEachRemaining(e ->
                        map.put(e.getKey(), read(e.getValue(), schema.getValueType(), path + "[" + e.getKey() + "]")));
        return map;
    }

    private static double readDouble(JsonNode node, String path) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw mismatch(path, "a number", node);
    }

    // --- Avro -> JSON, by schema ---

    private static JsonNode toNode(Object value, Schema schema) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode object = f.objectNode();
                IndexedRecord record = (IndexedRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), toNode(record.get(field.pos()), field.schema()));
                }
                return object;
            }
            case UNION:
                return value == null ? f.nullNode() : toNode(value, optionalType(schema));
            case STRING:
                return value == null ? f.nullNode() : f.textNode(value.toString());
            case BOOLEAN:
                return f.booleanNode((Boolean) value);
            case INT:
                return f.numberNode((Integer) value);
            case LONG:
                return f.numberNode((Long) value);
            case DOUBLE:
            case FLOAT: {
                double d = ((Number) value).doubleValue();
                // JSON has no NaN / infinities: write the strings the reader accepts
                return Double.isFinite(d) ? f.numberNode(d) : f.textNode(Double.toString(d));
            }
            case ARRAY: {
                ArrayNode array = f.arrayNode();
                if (value != null) {
                    for (Object item : (Collection<?>) value) {
                        array.add(toNode(item, schema.getElementType()));
                    }
                }
                return array;
            }
            case MAP: {
                ObjectNode object = f.objectNode();
                if (value != null) {
                    Map<String, Object> sorted = new TreeMap<>();
                    ((Map<?, ?>) value).forEach((k, v) -> sorted.put(String.valueOf(k), v));
                    sorted.forEach((k, v) -> object.set(k, toNode(v, schema.getValueType())));
                }
                return object;
            }
            default:
                throw new IllegalStateException("PolicyDefaults cannot map Avro type " + schema.getType());
        }
    }

    /** The T of an optional ["null", T]; the only unions the house rules allow. */
    private static Schema optionalType(Schema union) {
        List<Schema> types = union.getTypes();
        if (types.size() != 2 || types.stream().noneMatch(t -> t.getType() == Schema.Type.NULL)) {
            throw new IllegalStateException("PolicyDefaults maps only optional [\"null\", T] unions, got " + union);
        }
        return types.get(0).getType() == Schema.Type.NULL ? types.get(1) : types.get(0);
    }

    private static String at(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static IllegalArgumentException mismatch(String path, String expected, JsonNode got) {
        String shown = got == null ? "nothing" : got.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return new IllegalArgumentException(
                (path.isEmpty() ? "config" : path) + ": expected " + expected + ", got " + shown);
    }
}
