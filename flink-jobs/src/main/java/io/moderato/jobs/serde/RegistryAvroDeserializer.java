package io.moderato.jobs.serde;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
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

import io.moderato.jobs.serde.DecodeResult.Failure;
import io.moderato.registry.RegistryException;

/**
 * Decodes Confluent-framed Avro (magic byte 0, schema id, Avro binary) into SpecificRecords of one
 * class, resolving each record's writer schema (fetched by id) against the class's schema.
 *
 * <p>Never throws on bad bytes: every payload problem (wrong magic byte, truncated header or body,
 * unknown schema id, reader/writer mismatch, corrupt or trailing bytes) comes back as a
 * {@link DecodeResult} failure for the dead-letter topic. It throws (a {@link RegistryException}) only
 * when the registry itself is unreachable or refuses the client (5xx, auth): that is an outage,
 * not bad data, and the job should fail and restart rather than dead-letter every record.
 *
 * <p>Serializable; the registry client is created on the task, in {@link #open()} or on first use.
 * An instance is not thread-safe (one per task, as Flink uses deserializers).
 */
public final class RegistryAvroDeserializer<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Class<T> recordClass;
    private final ConfluentSchemaCoder.Provider coderProvider;

    private transient ConfluentSchemaCoder coder;
    private transient SpecificData data;
    private transient Schema readerSchema;
    private transient Map<Integer, SpecificDatumReader<T>> readersByWriterId;
    private transient BoundedDecoder decoder;

    public RegistryAvroDeserializer(Class<T> recordClass, ConfluentSchemaCoder.Provider coderProvider) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
        this.coderProvider = Objects.requireNonNull(coderProvider, "coderProvider");
    }

    /** Deserializer reading from the registry at {@code registryUrl}. */
    public static <T extends SpecificRecord> RegistryAvroDeserializer<T> of(Class<T> recordClass, String registryUrl) {
        return new RegistryAvroDeserializer<>(recordClass, ConfluentSchemaCoder.Provider.forReading(registryUrl));
    }

    /** As {@link #of(Class, String)}, with Confluent client settings (auth, TLS). */
    public static <T extends SpecificRecord> RegistryAvroDeserializer<T> of(
            Class<T> recordClass, String registryUrl, Map<String, String> clientConfig) {
        return new RegistryAvroDeserializer<>(recordClass,
                new ConfluentSchemaCoder.Provider(registryUrl, null, false, clientConfig));
    }

    /** Creates the registry client; optional, {@link #decode} does it on first use. */
    public void open() {
        if (coder == null) {
            data = SpecificData.getForClass(recordClass);
            readerSchema = data.getSchema(recordClass);
            readersByWriterId = new HashMap<>();
            decoder = new BoundedDecoder();
            coder = coderProvider.get();
        }
    }

    /**
     * Decodes one Kafka value.
     *
     * @throws IOException only if the registry is unreachable or refuses the client (a
     *     {@link RegistryException} that is not "not found"); never for bad bytes
     */
    public DecodeResult<T> decode(byte[] payload) throws IOException {
        if (payload == null) {
            return DecodeResult.failed(Failure.NULL_PAYLOAD, -1, "null value where a " + recordClass.getSimpleName() + " was expected");
        }
        if (payload.length > 0 && payload[0] != ConfluentSchemaCoder.MAGIC_BYTE) {
            return DecodeResult.failed(Failure.UNKNOWN_MAGIC_BYTE, -1,
                    "first byte is " + (payload[0] & 0xff) + ", Confluent wire format starts with 0 (" + payload.length + " bytes)");
        }
        if (payload.length < ConfluentSchemaCoder.HEADER_SIZE) {
            return DecodeResult.failed(Failure.TRUNCATED_HEADER, -1,
                    payload.length + " bytes, shorter than the 5-byte header (magic byte + schema id)");
        }
        open();
        int schemaId = ByteBuffer.wrap(payload, 1, 4).getInt();

        Schema writerSchema;
        try {
            // Through flink-avro's SchemaCoder contract, on the header only.
            writerSchema = coder.readSchema(new ByteArrayInputStream(payload, 0, ConfluentSchemaCoder.HEADER_SIZE));
        } catch (RegistryException e) {
            if (e.isNotFound()) {
                return DecodeResult.failed(Failure.UNKNOWN_SCHEMA_ID, schemaId, "schema id " + schemaId + " is not in the registry: " + e.getMessage());
            }
            if (e.status() == 422) {
                return DecodeResult.failed(Failure.INVALID_WRITER_SCHEMA, schemaId, e.getMessage());
            }
            throw e;
        } catch (SchemaParseException e) {
            return DecodeResult.failed(Failure.INVALID_WRITER_SCHEMA, schemaId, "schema id " + schemaId + " does not parse: " + e.getMessage());
        }

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
            return DecodeResult.failed(Failure.TRUNCATED_BODY, schemaId,
                    "Avro body ended early (" + (payload.length - ConfluentSchemaCoder.HEADER_SIZE) + " body bytes, writer schema "
                            + writerSchema.getFullName() + ")" + (e.getMessage() != null ? ": " + e.getMessage() : ""));
        } catch (BoundedDecoder.InvalidUtf8Exception e) {
            return DecodeResult.failed(Failure.INVALID_UTF8, schemaId, e.getMessage());
        } catch (AvroTypeException e) {
            return DecodeResult.failed(Failure.SCHEMA_MISMATCH, schemaId,
                    "writer schema id " + schemaId + " (" + writerSchema.getFullName() + ") cannot be read as "
                            + readerSchema.getFullName() + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return DecodeResult.failed(Failure.CORRUPT_BODY, schemaId, "invalid Avro body for schema id " + schemaId + ": " + e);
        }
        try {
            if (!decoder.isEnd()) {
                return DecodeResult.failed(Failure.TRAILING_BYTES, schemaId,
                        "bytes left after a complete " + writerSchema.getFullName() + " record");
            }
        } catch (IOException e) {
            return DecodeResult.failed(Failure.CORRUPT_BODY, schemaId, e.toString());
        }
        return DecodeResult.ok(record, schemaId);
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
