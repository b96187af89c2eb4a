package io.moderato.jobs.common;

import java.io.Serializable;

/** A semantic check on a decoded record: null when it is usable, else the problem, naming the field. */
@FunctionalInterface
public interface RecordCheck<T> extends Serializable {

    String problem(T record);

    static <T> RecordCheck<T> none() {
        return record -> null;
    }

    /** "field is blank" when {@code value} is null or blank. */
    static String requireText(String field, CharSequence value) {
        return value == null || value.toString().isBlank() ? "required field '" + field + "' is blank" : null;
    }
}
