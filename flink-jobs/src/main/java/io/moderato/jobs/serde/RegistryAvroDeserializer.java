package io.moderato.jobs.serde;

import io.moderato.jobs.serde.DecodeResult.Failure;
import io.moderato.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Decodes Confluent-framed Avro (magic byte 0, schema id, Avro binary) into SpecificRecords of one
 * class, resolving each record's writer schema (fetched by id) against the class's schema.
 *
 * <p>Never throws on bad bytes: every payload problem (wrong magic byte, truncated header or body,
 * unknown schema id, reader/writer mismatch, corrupt or trailing bytes) comes back as a
 * {@link DecodeResult} failure for the dead-letter topic. Writer schemas are cached by id, so records
 * whose id was seen before never need the registry. When the registry is unreachable (no answer, a
 * 5xx, 408, 429: {@link RegistryException#isTransient()}) while a schema is fetched, decoding retries with backoff for at most the <em>outage
 * budget</em> ({@link #DEFAULT_OUTAGE_MAX_WAIT} unless set), counted from the outage's first failed
 * call — so one outage stalls the task for at most that long, however many records it meets — then
 * answers {@link Failure#REGISTRY_UNAVAILABLE} (dead-lettered with the reason; the raw record can be
 * replayed). The first successful call ends the outage. It throws (a {@link RegistryException}) only
 * when the registry refuses the client (401, 403, other 4xx): a misconfiguration to fail on.
 *
 * <p>Serializable; the registry client is created on the task, in {@link #open()} or on first use.
 * An instance is not thread-safe (one per task, as Flink uses deserializers).
 */
public final class RegistryAvroDeserializer<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default outage budget: long enough for a registry pod to restart, short against checkpoint timeouts. */
    public static final Duration DEFAULT_OUTAGE_MAX_WAIT = Duration.ofSeconds(30);

    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long MAX_RETRY_MILLIS = 2_000;

    private final Class<T> recordClass;
    private final ConfluentSchemaCoder.Provider coderProvider;
    private final long outageMaxWaitMillis;

    private transient ConfluentSchemaCoder coder;
    private transient SpecificData data;
    private transient Schema readerSchema;
    private transient Map<Integer, SpecificDatumReader<T>> readersByWriterId;
    private transient BoundedDecoder decoder;
    /** When the current registry outage began (first failed call), or -1 while the registry answers. */
    private transient long unreachableSinceMillis;

    public RegistryAvroDeserializer(Class<T> recordClass, ConfluentSchemaCoder.Provider coderProvider) {
        this(recordClass, coderProvider, DEFAULT_OUTAGE_MAX_WAIT);
    }

    /** @param outageMaxWait how long one registry outage may stall decoding before records needing it are dead-lettered */
    public RegistryAvroDeserializer(
            Class<T> recordClass, ConfluentSchemaCoder.Provider coderProvider, Duration outageMaxWait) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
        this.coderProvider = Objects.requireNonNull(coderProvider, "coderProvider");
        if (outageMaxWait.isNegative()) {
            throw new IllegalArgumentException("outageMaxWait must be >= 0, got " + outageMaxWait);
        }
        this.outageMaxWaitMillis = outageMaxWait.toMillis();
    }

    /** This deserializer with another outage budget. */
    public RegistryAvroDeserializer<T> withOutageMaxWait(Duration outageMaxWait) {
        return new RegistryAvroDeserializer<>(recordClass, coderProvider, outageMaxWait);
    }

    /** Deserializer reading from the registry at {@code registryUrl}. */
    public static <T extends SpecificRecord> RegistryAvroDeserializer<T> of(Class<T> recordClass, String registryUrl) {
        return new RegistryAvroDeserializer<>(recordClass, ConfluentSchemaCoder.Provider.forReading(registryUrl));
    }

    /** As {@link #of(Class, String)}, with Confluent client settings (auth, TLS). */
    public static <T extends SpecificRecord> RegistryAvroDeserializer<T> of(
            Class<T> recordClass, String registryUrl, Map<String, String> clientConfig) {
        return new RegistryAvroDeserializer<>(
                recordClass, new ConfluentSchemaCoder.Provider(registryUrl, null, false, clientConfig));
    }

    /** Creates the registry client; optional, {@link #decode} does it on first use. */
    public void open() {
        if (coder == null) {
            data = SpecificData.getForClass(recordClass);
            readerSchema = data.getSchema(recordClass);
            readersByWriterId = new HashMap<>();
            decoder = new BoundedDecoder();
            unreachableSinceMillis = -1;
            coder = coderProvider.get();
        }
    }

    /**
     * Decodes one Kafka value.
     *
     * @throws IOException only if the registry refuses the client (a {@link RegistryException} with a
     *     4xx status other than "not found", 408, 422 and 429); never for bad bytes, never for an outage
     */
    public DecodeResult<T> decode(byte[] payload) throws IOException {
        if (payload == null) {
            return DecodeResult.failed(
                    Failure.NULL_PAYLOAD, -1, "null value where a " + recordClass.getSimpleName() + " was expected");
        }
        if (payload.length > 0 && payload[0] != ConfluentSchemaCoder.MAGIC_BYTE) {
            return DecodeResult.failed(
                    Failure.UNKNOWN_MAGIC_BYTE,
                    -1,
                    "first byte is " + (payload[0] & 0xff) + ", Confluent wire format starts with 0 (" + payload.length
                            + " bytes)");
        }
        if (payload.length < ConfluentSchemaCoder.HEADER_SIZE) {
            return DecodeResult.failed(
                    Failure.TRUNCATED_HEADER,
                    -1,
                    payload.length + " bytes, shorter than the 5-byte header (magic byte + schema id)");
        }
        open();
        int schemaId = ByteBuffer.wrap(payload, 1, 4).getInt();

        Schema writerSchema;
        try {
            // Through flink-avro's SchemaCoder contract, on the header only.
            writerSchema = readSchemaThroughOutages(payload);
        } catch (RegistryOutage e) {
            return DecodeResult.failed(Failure.REGISTRY_UNAVAILABLE, schemaId, e.getMessage());
        } catch (RegistryException e) {
            if (e.isNotFound()) {
                return DecodeResult.failed(
                        Failure.UNKNOWN_SCHEMA_ID,
                        schemaId,
                        "schema id " + schemaId + " is not in the registry: " + e.getMessage());
            }
            if (e.status() == 422) {
                return DecodeResult.failed(Failure.INVALID_WRITER_SCHEMA, schemaId, e.getMessage());
            }
            throw e;
        } catch (SchemaParseException e) {
            return DecodeResult.failed(
                    Failure.INVALID_WRITER_SCHEMA,
                    schemaId,
                    "schema id " + schemaId + " does not parse: " + e.getMessage());
        }

        return decodeBody(payload, schemaId, writerSchema);
    }

    /** The record after the header, read with the writer schema into the reader schema; every failure named. */
    private DecodeResult<T> decodeBody(byte[] payload, int schemaId, Schema writerSchema) throws IOException {
        SpecificDatumReader<T> reader = readersByWriterId.computeIfAbsent(
                schemaId, id -> new FieldNamingReader<>(writerSchema, readerSchema, data));
        // A fresh array-backed decoder per payload: nothing from a failed or over-long payload
        // can leak into the next one (flink-avro's shared stream decoder can).
        // Bounded: a garbage length prefix must not make Avro allocate gigabytes.
        decoder.reset(payload, ConfluentSchemaCoder.HEADER_SIZE, payload.length - ConfluentSchemaCoder.HEADER_SIZE);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            return DecodeResult.failed(
                    Failure.TRUNCATED_BODY,
                    schemaId,
                    "Avro body ended early (" + (payload.length - ConfluentSchemaCoder.HEADER_SIZE)
                            + " body bytes, writer schema " + writerSchema.getFullName() + ")"
                            + (e.getMessage() != null ? ": " + e.getMessage() : ""));
        } catch (BoundedDecoder.InvalidUtf8Exception e) {
            return DecodeResult.failed(Failure.INVALID_UTF8, schemaId, e.getMessage());
        } catch (AvroTypeException e) {
            return DecodeResult.failed(
                    Failure.SCHEMA_MISMATCH,
                    schemaId,
                    "writer schema id " + schemaId + " (" + writerSchema.getFullName() + ") cannot be read as "
                            + readerSchema.getFullName() + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return DecodeResult.failed(
                    Failure.CORRUPT_BODY, schemaId, "invalid Avro body for schema id " + schemaId + ": " + e);
        }
        try {
            if (!decoder.isEnd()) {
                return DecodeResult.failed(
                        Failure.TRAILING_BYTES,
                        schemaId,
                        "bytes left after a complete " + writerSchema.getFullName() + " record");
            }
        } catch (IOException e) {
            return DecodeResult.failed(Failure.CORRUPT_BODY, schemaId, e.toString());
        }
        return DecodeResult.ok(record, schemaId);
    }

    /**
     * The writer schema named by the header, retrying while the registry is unreachable until the outage
     * budget (shared by every record during one outage) is spent.
     */
    private Schema readSchemaThroughOutages(byte[] payload) throws IOException {
        long backoff = FIRST_RETRY_MILLIS;
        while (true) {
            try {
                // Through flink-avro's SchemaCoder contract, on the header only.
                Schema schema =
                        coder.readSchema(new ByteArrayInputStream(payload, 0, ConfluentSchemaCoder.HEADER_SIZE));
                unreachableSinceMillis = -1;
                return schema;
            } catch (RegistryException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                long now = System.currentTimeMillis();
                if (unreachableSinceMillis < 0) {
                    unreachableSinceMillis = now;
                }
                long left = unreachableSinceMillis + outageMaxWaitMillis - now;
                if (left <= 0) {
                    throw new RegistryOutage("schema registry unreachable for " + (now - unreachableSinceMillis)
                            + " ms (outage budget " + outageMaxWaitMillis + " ms, schema-registry.outage-max-wait): "
                            + e.getMessage());
                }
                try {
                    Thread.sleep(Math.min(backoff, left));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the schema registry");
                }
                backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
            }
        }
    }

    /** The outage budget is spent. */
    private static final class RegistryOutage extends IOException {
        private static final long serialVersionUID = 1L;

        RegistryOutage(String message) {
            super(message);
        }
    }

    /** Flink type information for the decoded records (Avro-serialized, no Kryo). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TypeInformation<T> recordType() {
        if (!SpecificRecordBase.class.isAssignableFrom(recordClass)) {
            throw new IllegalStateException(recordClass.getName() + " is not a generated SpecificRecordBase");
        }
        return (TypeInformation<T>) new AvroTypeInfo(recordClass);
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    /** A reader that names the field (as a path) in which a string was not valid UTF-8. */
    private static final class FieldNamingReader<T> extends SpecificDatumReader<T> {
        FieldNamingReader(Schema writer, Schema reader, SpecificData data) {
            super(writer, reader, data);
        }

        @Override
        protected void readField(Object record, Schema.Field field, Object oldDatum, ResolvingDecoder in, Object state)
                throws IOException {
            try {
                super.readField(record, field, oldDatum, in, state);
            } catch (BoundedDecoder.InvalidUtf8Exception e) {
                throw e.inField(field.name());
            }
        }
    }
}
