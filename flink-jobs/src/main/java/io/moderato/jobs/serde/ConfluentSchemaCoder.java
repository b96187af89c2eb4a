package io.moderato.jobs.serde;

import io.moderato.registry.RegistryException;
import io.moderato.registry.SchemaRegistry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.flink.formats.avro.SchemaCoder;

/**
 * flink-avro {@link SchemaCoder} for the Confluent wire format: magic byte {@code 0}, the writer
 * schema's 4-byte big-endian registry id, then the Avro binary body (written by the caller).
 *
 * <p>Writing registers the writer schema under the coder's subject ({@code <topic>-value}), or
 * only looks it up when auto-registration is off; reading fetches the writer schema by id. Ids and
 * parsed schemas are cached for the coder's lifetime. Backed by the real Confluent client
 * ({@link SchemaRegistry}): {@code mock://<scope>} is an in-JVM registry, {@code http(s)://} a real
 * one. Not serializable: tasks build it through {@link Provider}.
 */
public final class ConfluentSchemaCoder implements SchemaCoder {

    /** First byte of every Confluent-framed payload. */
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte + 4-byte schema id. */
    public static final int HEADER_SIZE = 5;

    private final SchemaRegistry registry;
    private final String subject;
    private final boolean autoRegister;
    private final Map<Schema, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /**
     * @param subject subject that written schemas are registered under; may be null for a coder
     *     that only reads
     * @param autoRegister register unknown writer schemas (true), or require them to be registered
     *     already (false; e.g. when CI owns registration)
     */
    public ConfluentSchemaCoder(SchemaRegistry registry, String subject, boolean autoRegister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.subject = subject;
        this.autoRegister = autoRegister;
    }

    /** The Schema Registry subject for the values of {@code topic} (TopicNameStrategy). */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /**
     * Reads the 5-byte header and returns the writer schema it names.
     *
     * @throws MalformedHeaderException if the payload is shorter than the header or the magic byte
     *     is not 0
     * @throws RegistryException if the id is unknown ({@link RegistryException#isNotFound()}) or
     *     the registry cannot be reached
     */
    @Override
    public Schema readSchema(InputStream in) throws IOException {
        int magic = in.read();
        if (magic < 0) {
            throw new MalformedHeaderException("Empty payload: no magic byte");
        }
        if (magic != MAGIC_BYTE) {
            throw new MalformedHeaderException(
                    "Unknown magic byte " + magic + " (Confluent wire format starts with 0)");
        }
        int id;
        try {
            id = new DataInputStream(in).readInt();
        } catch (EOFException e) {
            throw new MalformedHeaderException("Payload ends inside the 4-byte schema id");
        }
        return schemaById(id);
    }

    /** Writes magic byte 0 and the registry id of {@code schema} (registering it if allowed). */
    @Override
    public void writeSchema(Schema schema, OutputStream out) throws IOException {
        int id = idOf(schema);
        out.write(new byte[] {MAGIC_BYTE, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    }

    /** The registry id of {@code schema} under this coder's subject, cached after the first call. */
    public int idOf(Schema schema) throws IOException {
        Integer cached = idsBySchema.get(schema);
        if (cached != null) {
            return cached;
        }
        if (subject == null) {
            throw new IllegalStateException("This coder has no subject: it can read but not write");
        }
        // Cross the boundary as JSON: the client's Avro is a relocated copy.
        String json = schema.toString();
        int id = autoRegister ? registry.register(subject, json) : registry.idOf(subject, json);
        idsBySchema.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The writer schema registered with {@code id}, cached after the first call. */
    public Schema schemaById(int id) throws IOException {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String json = registry.schemaById(id);
        // A fresh parser per schema: named types of different writer schemas must not collide.
        Schema schema = new Schema.Parser().parse(json);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** The subject this coder writes under, or null. */
    public String subject() {
        return subject;
    }

    /** The registry this coder talks to. */
    public SchemaRegistry registry() {
        return registry;
    }

    /** A payload that does not start with a valid Confluent header. */
    public static final class MalformedHeaderException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedHeaderException(String message) {
            super(message);
        }
    }

    /**
     * Serializable recipe for a {@link ConfluentSchemaCoder}, shipped to Flink tasks; the registry
     * client is created on the task, when {@link #get()} is first called there.
     */
    public static final class Provider implements SchemaCoder.SchemaCoderProvider {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String subject;
        private final boolean autoRegister;
        private final HashMap<String, String> clientConfig;

        /**
         * @param url {@code mock://<scope>} or comma-separated {@code http(s)://} base URLs
         * @param subject subject to write under, or null for a read-only coder
         * @param autoRegister whether writing may register new schemas
         * @param clientConfig Confluent client settings (auth, TLS), passed through as-is
         */
        public Provider(String url, String subject, boolean autoRegister, Map<String, String> clientConfig) {
            this.url = Objects.requireNonNull(url, "url");
            this.subject = subject;
            this.autoRegister = autoRegister;
            this.clientConfig = new HashMap<>(Objects.requireNonNull(clientConfig, "clientConfig"));
        }

        /** A provider for writing the values of {@code topic} with auto-registration. */
        public static Provider forTopicValues(String url, String topic) {
            return new Provider(url, valueSubject(topic), true, Map.of());
        }

        /** A read-only provider. */
        public static Provider forReading(String url) {
            return new Provider(url, null, false, Map.of());
        }

        @Override
        public ConfluentSchemaCoder get() {
            return new ConfluentSchemaCoder(SchemaRegistry.connect(url, clientConfig), subject, autoRegister);
        }

        public String url() {
            return url;
        }

        public String subject() {
            return subject;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Provider)) {
                return false;
            }
            Provider that = (Provider) o;
            return autoRegister == that.autoRegister
                    && url.equals(that.url)
                    && Objects.equals(subject, that.subject)
                    && clientConfig.equals(that.clientConfig);
        }

        @Override
        public int hashCode() {
            return Objects.hash(url, subject, autoRegister, clientConfig);
        }

        @Override
        public String toString() {
            // clientConfig may hold credentials: never print it.
            return "ConfluentSchemaCoder.Provider[" + url + ", subject=" + subject + ", autoRegister=" + autoRegister
                    + "]";
        }
    }
}
