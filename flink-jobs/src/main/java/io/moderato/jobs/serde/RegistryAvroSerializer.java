package io.moderato.jobs.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Serializes SpecificRecords of one class to the Confluent wire format (magic byte 0, schema id,
 * Avro binary), registering the class's schema ({@code SCHEMA$}) under {@code <topic>-value}.
 *
 * <p>Use as the value serialization schema of a {@code KafkaRecordSerializationSchema}. The
 * registry client is created on the task, in {@link #open} or on first use. Failures (registry
 * unreachable, schema rejected as incompatible, invalid record) throw: a record that cannot be
 * written must not be dropped silently.
 */
public final class RegistryAvroSerializer<T extends SpecificRecord> implements SerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> recordClass;
    private final ConfluentSchemaCoder.Provider coderProvider;

    private transient ConfluentSchemaCoder coder;
    private transient Schema writerSchema;
    private transient SpecificDatumWriter<T> writer;
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;

    public RegistryAvroSerializer(Class<T> recordClass, ConfluentSchemaCoder.Provider coderProvider) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
        this.coderProvider = Objects.requireNonNull(coderProvider, "coderProvider");
        if (coderProvider.subject() == null) {
            throw new IllegalArgumentException("The coder provider needs a subject to write under: " + coderProvider);
        }
    }

    /** Serializer for the values of {@code topic}, auto-registering the schema. */
    public static <T extends SpecificRecord> RegistryAvroSerializer<T> forTopic(
            Class<T> recordClass, String registryUrl, String topic) {
        return forTopic(recordClass, registryUrl, topic, Map.of());
    }

    /** As {@link #forTopic(Class, String, String)}, with Confluent client settings (auth, TLS). */
    public static <T extends SpecificRecord> RegistryAvroSerializer<T> forTopic(
            Class<T> recordClass, String registryUrl, String topic, Map<String, String> clientConfig) {
        return new RegistryAvroSerializer<>(
                recordClass,
                new ConfluentSchemaCoder.Provider(
                        registryUrl, ConfluentSchemaCoder.valueSubject(topic), true, clientConfig));
    }

    /**
     * Registers (or looks up) the writer schema now, so that a running sink never needs the registry
     * again: a registry outage then cannot fail a write. Unreachable here, the task fails and restarts.
     */
    @Override
    public void open(InitializationContext context) {
        try {
            writerSchemaId();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not register the writer schema of " + recordClass.getName() + " for subject "
                            + coderProvider.subject() + ": " + e.getMessage(),
                    e);
        }
    }

    private void ensureOpen() {
        if (coder == null) {
            SpecificData data = SpecificData.getForClass(recordClass);
            writerSchema = data.getSchema(recordClass);
            writer = new SpecificDatumWriter<>(writerSchema, data);
            buffer = new ByteArrayOutputStream(256);
            coder = coderProvider.get();
        }
    }

    /** Returns the framed bytes, or null for a null record (a Kafka tombstone). */
    @Override
    public byte[] serialize(T record) {
        if (record == null) {
            return null;
        }
        ensureOpen();
        buffer.reset();
        try {
            coder.writeSchema(writerSchema, buffer);
            // Re-initialised per record so that nothing buffered by a failed write leaks into the next one.
            encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not serialize " + recordClass.getName() + " for subject " + coderProvider.subject() + ": "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid " + recordClass.getName() + ": " + e, e);
        }
        return buffer.toByteArray();
    }

    /** The registry id of the writer schema (registers it if needed). */
    public int writerSchemaId() throws IOException {
        ensureOpen();
        return coder.idOf(writerSchema);
    }

    public Class<T> recordClass() {
        return recordClass;
    }
}
