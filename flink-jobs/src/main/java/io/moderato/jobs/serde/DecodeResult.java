package io.moderato.jobs.serde;

import java.util.Objects;

/**
 * Outcome of decoding one Kafka value: either the record, or a failure (kind + error text) that
 * the caller routes to the dead-letter topic together with topic, partition and offset.
 */
public final class DecodeResult<T> {

    /** Why a payload could not be decoded. */
    public enum Failure {
        /** A null value (e.g. a tombstone) where a record was expected. */
        NULL_PAYLOAD,
        /** Fewer than 5 bytes: no room for magic byte + schema id. */
        TRUNCATED_HEADER,
        /** First byte is not 0: not Confluent wire format. */
        UNKNOWN_MAGIC_BYTE,
        /** The registry has no schema with the id in the header. */
        UNKNOWN_SCHEMA_ID,
        /** The id names a schema that is not a usable Avro schema. */
        INVALID_WRITER_SCHEMA,
        /** The writer schema cannot be read as the reader (record class) schema. */
        SCHEMA_MISMATCH,
        /** The Avro body ends before the record does. */
        TRUNCATED_BODY,
        /** The Avro body is not valid for its writer schema. */
        CORRUPT_BODY,
        /** Bytes left over after a complete record. */
        TRAILING_BYTES,
        /** A string field whose bytes are not valid UTF-8 (never repaired: two bad ids would become one). */
        INVALID_UTF8,
        /** The registry stayed unreachable beyond the outage budget while this record's schema was fetched. */
        REGISTRY_UNAVAILABLE
    }

    private final T record;
    private final Failure failure;
    private final String error;
    private final int schemaId;

    private DecodeResult(T record, Failure failure, String error, int schemaId) {
        this.record = record;
        this.failure = failure;
        this.error = error;
        this.schemaId = schemaId;
    }

    static <T> DecodeResult<T> ok(T record, int schemaId) {
        return new DecodeResult<>(Objects.requireNonNull(record, "record"), null, null, schemaId);
    }

    static <T> DecodeResult<T> failed(Failure failure, int schemaId, String error) {
        return new DecodeResult<>(null, Objects.requireNonNull(failure, "failure"), failure + ": " + error, schemaId);
    }

    /** True if {@link #record()} holds the decoded record. */
    public boolean isOk() {
        return failure == null;
    }

    /** The decoded record. @throws IllegalStateException if decoding failed */
    public T record() {
        if (failure != null) {
            throw new IllegalStateException("No record, decoding failed: " + error);
        }
        return record;
    }

    /** Failure kind and text, e.g. {@code "UNKNOWN_SCHEMA_ID: ..."}. @throws IllegalStateException if ok */
    public String error() {
        if (failure == null) {
            throw new IllegalStateException("Decoding succeeded: there is no error");
        }
        return error;
    }

    /** The failure kind. @throws IllegalStateException if ok */
    public Failure failure() {
        if (failure == null) {
            throw new IllegalStateException("Decoding succeeded: there is no failure");
        }
        return failure;
    }

    /** Schema id from the header, or -1 if the header could not be read. */
    public int schemaId() {
        return schemaId;
    }

    @Override
    public String toString() {
        return isOk() ? "DecodeResult[ok, schemaId=" + schemaId + "]" : "DecodeResult[" + error + "]";
    }
}
