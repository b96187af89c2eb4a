package io.moderato.registry;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.testutil.MockSchemaRegistry;

/**
 * A Confluent-compatible Schema Registry reached through the real Confluent client (7.5.3, the
 * relocated copy that Flink ships), with Avro schemas crossing this API as JSON strings only.
 *
 * <p>Schemas never cross as {@code org.apache.avro.Schema} objects: the client is compiled against
 * a relocated Avro, so its schema type is not the one the rest of Moderato (and flink-avro) uses.
 *
 * <p>URLs: {@code mock://<scope>} is an in-JVM registry shared by every client of the same scope in
 * this JVM (local runs, tests); anything else is one or more comma-separated {@code http(s)://}
 * base URLs of a real registry. Instances are thread-safe and cache ids and schemas.
 */
public final class SchemaRegistry implements AutoCloseable {

    /** URL prefix of the in-JVM registry. */
    public static final String MOCK_PREFIX = "mock://";

    /** How many schemas the HTTP client keeps per subject and by id. */
    static final int CACHE_CAPACITY = 1_000;

    private final String url;
    private final SchemaRegistryClient client;

    private SchemaRegistry(String url, SchemaRegistryClient client) {
        this.url = url;
        this.client = client;
    }

    /** Connects to {@code url} with the client's default settings. */
    public static SchemaRegistry connect(String url) {
        return connect(url, Map.of());
    }

    /**
     * Connects to {@code url}. {@code clientConfig} is handed to the Confluent client as-is, e.g.
     * {@code basic.auth.credentials.source=USER_INFO}, {@code basic.auth.user.info=user:secret},
     * {@code schema.registry.ssl.truststore.location=...}; it is ignored for {@code mock://}.
     */
    public static SchemaRegistry connect(String url, Map<String, String> clientConfig) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(clientConfig, "clientConfig");
        String trimmed = url.trim();
        if (trimmed.startsWith(MOCK_PREFIX)) {
            return new SchemaRegistry(trimmed, MockSchemaRegistry.getClientForScope(mockScope(trimmed)));
        }
        List<String> baseUrls = Arrays.stream(trimmed.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
        for (String baseUrl : baseUrls) {
            if (!(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
                throw new IllegalArgumentException(
                        "Schema registry URL must be mock://<scope> or http(s)://host:port[/path], got: " + url);
            }
        }
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("Schema registry URL is empty");
        }
        return new SchemaRegistry(
                trimmed, new CachedSchemaRegistryClient(baseUrls, CACHE_CAPACITY, new HashMap<>(clientConfig)));
    }

    /** Forgets every schema registered in the in-JVM registry {@code mock://<scope>}. */
    public static void dropMockScope(String scope) {
        MockSchemaRegistry.dropScope(scope);
    }

    /** True if {@code url} names the in-JVM registry. */
    public static boolean isMock(String url) {
        return url != null && url.trim().startsWith(MOCK_PREFIX);
    }

    private static String mockScope(String url) {
        String scope = url.substring(MOCK_PREFIX.length());
        if (scope.isEmpty() || scope.contains("/")) {
            throw new IllegalArgumentException("Mock registry URL must be mock://<scope>, got: " + url);
        }
        return scope;
    }

    /** The URL this registry was connected with. */
    public String url() {
        return url;
    }

    /**
     * Registers the Avro schema under {@code subject} (or finds it if it is already registered
     * there) and returns its global id, the one written after the magic byte.
     *
     * @throws IllegalArgumentException if {@code avroSchemaJson} is not a valid Avro schema
     * @throws RegistryException if the registry refuses it (e.g. incompatible: status 409) or
     *     cannot be reached (status -1)
     */
    public int register(String subject, String avroSchemaJson) throws RegistryException {
        ParsedSchema schema = parse(avroSchemaJson);
        try {
            return client.register(subject, schema);
        } catch (RestClientException e) {
            throw RegistryException.from(
                    "register schema under subject " + subject, e, e.getStatus(), e.getErrorCode());
        } catch (IOException e) {
            throw RegistryException.unreachable("register schema under subject " + subject + " at " + url, e);
        }
    }

    /**
     * Returns the id of a schema already registered under {@code subject}, without registering it.
     *
     * @throws RegistryException with {@link RegistryException#isNotFound()} if it is not registered
     */
    public int idOf(String subject, String avroSchemaJson) throws RegistryException {
        ParsedSchema schema = parse(avroSchemaJson);
        try {
            return client.getId(subject, schema);
        } catch (RestClientException e) {
            throw RegistryException.from("look up schema under subject " + subject, e, e.getStatus(), e.getErrorCode());
        } catch (IOException e) {
            throw RegistryException.unreachable("look up schema under subject " + subject + " at " + url, e);
        }
    }

    /**
     * Returns the Avro schema (JSON) registered with global id {@code id}.
     *
     * @throws RegistryException with {@link RegistryException#isNotFound()} for an unknown id
     */
    public String schemaById(int id) throws RegistryException {
        ParsedSchema schema;
        try {
            schema = client.getSchemaById(id);
        } catch (RestClientException e) {
            throw RegistryException.from("fetch schema id " + id, e, e.getStatus(), e.getErrorCode());
        } catch (IOException e) {
            throw RegistryException.unreachable("fetch schema id " + id + " from " + url, e);
        }
        if (schema == null) {
            throw new RegistryException("Schema id " + id + " not found", null, 404, 40403);
        }
        if (!AvroSchema.TYPE.equals(schema.schemaType())) {
            throw new RegistryException(
                    "Schema id " + id + " is a " + schema.schemaType() + " schema, not AVRO", null, 422, -1);
        }
        return schema.canonicalString();
    }

    private static ParsedSchema parse(String avroSchemaJson) {
        Objects.requireNonNull(avroSchemaJson, "avroSchemaJson");
        try {
            return new AvroSchema(avroSchemaJson);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    /** Releases the HTTP client's resources; the in-JVM registry's content is kept. */
    @Override
    public void close() throws IOException {
        client.close();
    }

    @Override
    public String toString() {
        return "SchemaRegistry[" + url + "]";
    }
}
