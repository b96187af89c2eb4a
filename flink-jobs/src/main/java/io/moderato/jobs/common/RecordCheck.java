package io.moderato.jobs.common;

import java.io.Serializable;

/**
 * A semantic check on a decoded record: null when it is usable, else the problem, naming the field.
 * Given the processing time at which the record is read, so that event times can be bounded
 * relative to it (and tests can set it).
 */
@FunctionalInterface
public interface RecordCheck<T> extends Serializable {

    String problem(T record, long processingTimeMillis);

    static <T> RecordCheck<T> none() {
        return (record, now) -> null;
    }

    /** "field is blank" when {@code value} is null or blank. */
    static String requireText(String field, CharSequence value) {
        return value == null || value.toString().isBlank() ? "required field '" + field + "' is blank" : null;
    }

    /** The first non-null problem, or null. */
    static String first(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
