package io.moderato.udfs.input;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Size limits on every string, array and map of a decoded Avro record, so that no input can grow
 * an output past the broker's record size limit (which would fail an exactly-once sink in a loop)
 * or blow up state. Every string defaults to {@link #DEFAULT_MAX_STRING_CHARS} characters and every
 * array or map to {@link #DEFAULT_MAX_ITEMS} entries; fields that are legitimately large (a text, a
 * transcript, an embedding) get their own limit with the setting that raises it.
 *
 * <p>Fields are named by path: {@code transcript.text}, {@code reviewQueues[].locales} for the
 * items of an array, {@code attributes{}} for the values of a map (map keys are strings under the
 * default limit). The first field over its limit is reported, e.g. {@code field 'text' has 10485760
 * characters, more than 200000 (detection.input.max-text-chars)}.
 */
public final class RecordBounds implements Serializable {

    public static final int DEFAULT_MAX_STRING_CHARS = 1024;
    public static final int DEFAULT_MAX_ITEMS = 1024;

    /** A field's own limit and the setting (or rule) that sets it, named in the reason. */
    public record Limit(int max, String setting) implements Serializable {}

    private final Map<String, Limit> limits;

    private RecordBounds(Map<String, Limit> limits) {
        this.limits = Map.copyOf(limits);
    }

    /** Every field under the defaults. */
    public static RecordBounds defaults() {
        return new RecordBounds(Map.of());
    }

    /** These limits, with {@code path} limited to {@code max} characters (string) or entries (array, map). */
    public RecordBounds with(String path, int max, String setting) {
        Map<String, Limit> copy = new HashMap<>(limits);
        copy.put(Objects.requireNonNull(path, "path"), new Limit(max, setting));
        return new RecordBounds(copy);
    }

    /** Null when every field of {@code record} is within its limit, else the first that is not. */
    public String problem(IndexedRecord record) {
        List<String> found = new ArrayList<>(1);
        if (record != null) {
            check(record, "", found, 1);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** Every field over its limit (at most {@code max} of them, in field order); empty when none. */
    public List<String> problems(IndexedRecord record, int max) {
        List<String> found = new ArrayList<>();
        if (record != null) {
            check(record, "", found, max);
        }
        return found;
    }

    private void check(IndexedRecord record, String prefix, List<String> found, int max) {
        for (Schema.Field field : record.getSchema().getFields()) {
            check(record.get(field.pos()), prefix + field.name(), found, max);
            if (found.size() >= max) {
                return;
            }
        }
    }

    private void check(Object value, String path, List<String> found, int max) {
        if (value == null || found.size() >= max) {
            return;
        }
        if (value instanceof CharSequence s) {
            add(found, tooLarge(path, s.length(), "characters", DEFAULT_MAX_STRING_CHARS));
        } else if (value instanceof IndexedRecord nested) {
            check(nested, path + ".", found, max);
        } else if (value instanceof Collection<?> items) {
            if (add(found, tooLarge(path, items.size(), "items", DEFAULT_MAX_ITEMS))
                    || items.isEmpty()
                    || items.iterator().next() instanceof Number) {
                return;
            }
            for (Object item : items) {
                check(item, path + "[]", found, max);
                if (found.size() >= max) {
                    return;
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            if (add(found, tooLarge(path, map.size(), "entries", DEFAULT_MAX_ITEMS))) {
                return;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey() instanceof CharSequence key) {
                    add(found, tooLarge(path + " key", key.length(), "characters", DEFAULT_MAX_STRING_CHARS));
                }
                check(entry.getValue(), path + "{}", found, max);
                if (found.size() >= max) {
                    return;
                }
            }
        }
    }

    private static boolean add(List<String> found, String problem) {
        if (problem != null) {
            found.add(problem);
            return true;
        }
        return false;
    }

    private String tooLarge(String path, int size, String unit, int defaultMax) {
        Limit limit = limits.get(path);
        int max = limit == null ? defaultMax : limit.max();
        if (size <= max) {
            return null;
        }
        String setting = limit == null ? "the limit for every field" : limit.setting();
        return "field '" + path + "' has " + size + " " + unit + ", more than " + max + " (" + setting + ")";
    }

    /**
     * A deep copy of {@code record} with every string cut to {@code maxChars} characters (marked with
     * "…") and every list or map to its first {@code maxItems} entries (maps in key order): what an
     * audit record may echo of an oversized submission without becoming oversized itself.
     */
    public static <T extends IndexedRecord> T shrunk(T record, int maxChars, int maxItems) {
        T copy = SpecificData.get().deepCopy(record.getSchema(), record);
        shrinkFields(copy, maxChars, maxItems);
        return copy;
    }

    private static void shrinkFields(IndexedRecord record, int maxChars, int maxItems) {
        for (Schema.Field field : record.getSchema().getFields()) {
            record.put(field.pos(), shrink(record.get(field.pos()), maxChars, maxItems));
        }
    }

    private static Object shrink(Object value, int maxChars, int maxItems) {
        if (value instanceof CharSequence s) {
            return s.length() <= maxChars ? value : s.subSequence(0, maxChars) + "…";
        }
        if (value instanceof IndexedRecord nested) {
            shrinkFields(nested, maxChars, maxItems);
            return nested;
        }
        if (value instanceof List<?> items) {
            List<Object> kept = new ArrayList<>(Math.min(items.size(), maxItems));
            for (Object item : items) {
                if (kept.size() == maxItems) {
                    break;
                }
                kept.add(shrink(item, maxChars, maxItems));
            }
            return kept;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> kept = new TreeMap<>();
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                if (kept.size() == maxItems) {
                    break;
                }
                kept.put(shrink(e.getKey(), maxChars, maxItems), shrink(e.getValue(), maxChars, maxItems));
            }
            return kept;
        }
        return value;
    }
}
