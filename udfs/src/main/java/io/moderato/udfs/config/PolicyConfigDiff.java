package io.moderato.udfs.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.schemas.PolicyConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Field-by-field differences between two policy configs, in the JSON shape policy teams edit
 * ({@link PolicyDefaults#toJson}): one {@link Change} per leaf path that differs, e.g.
 * {@code actionThreshold: 0.9 -> 0.92} or {@code reviewQueues[0].capacityPerMinute: 200 -> 300}.
 * Bookkeeping fields (version, updatedBy, updatedAtMillis, changeNote) are compared like any other.
 */
public final class PolicyConfigDiff {

    /** One differing leaf: {@code before} or {@code after} is null when the path exists on one side only. */
    public record Change(String path, String before, String after) {
        @Override
        public String toString() {
            return path + ": " + (before == null ? "(absent)" : before) + " -> " + (after == null ? "(absent)" : after);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyConfigDiff() {}

    /** The changes from {@code before} to {@code after}, in the JSON's field order; empty when equal. */
    public static List<Change> between(PolicyConfig before, PolicyConfig after) {
        Map<String, String> a = leaves(before);
        Map<String, String> b = leaves(after);
        List<Change> changes = new ArrayList<>();
        a.forEach((path, value) -> {
            String other = b.get(path);
            if (!value.equals(other)) {
                changes.add(new Change(path, value, other));
            }
        });
        b.forEach((path, value) -> {
            if (!a.containsKey(path)) {
                changes.add(new Change(path, null, value));
            }
        });
        return changes;
    }

    /** Unified-diff style lines ("- path: old", "+ path: new") for terminals and audit notes. */
    public static List<String> lines(List<Change> changes) {
        List<String> lines = new ArrayList<>();
        for (Change c : changes) {
            if (c.before() != null) {
                lines.add("- " + c.path() + ": " + c.before());
            }
            if (c.after() != null) {
                lines.add("+ " + c.path() + ": " + c.after());
            }
        }
        return lines;
    }

    private static Map<String, String> leaves(PolicyConfig config) {
        Map<String, String> out = new LinkedHashMap<>();
        if (config == null) {
            return out;
        }
        try {
            flatten("", JSON.readTree(PolicyDefaults.toJson(config)), out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PolicyDefaults.toJson wrote invalid JSON", e);
        }
        return out;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            if (node.isEmpty()) {
                out.put(path, "{}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                flatten(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), out);
            }
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.put(path, "[]");
            }
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.put(path, node.isTextual() ? node.asText() : node.toString());
        }
    }
}
