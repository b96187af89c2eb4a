package io.moderato.jobs.serde;

import static io.moderato.jobs.serde.Probes.avroBody;
import static io.moderato.jobs.serde.Probes.frame;
import static io.moderato.jobs.serde.Probes.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.jobs.local.ApicurioRegistry;
import io.moderato.jobs.serde.DecodeResult.Failure;
import io.moderato.jobs.serde.testing.ProbeEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real Confluent-compatible registry server: Apicurio Registry 2.6 (in-memory H2
 * storage, auth off), started from the runner jar that Maven unpacks into target/apicurio, on a
 * free loopback port. Proves that our coder registers and reads through the server's
 * {@code /apis/ccompat/v7} API and that our bytes are the Confluent wire format both ways.
 */
class ApicurioRegistryITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static ApicurioRegistry registry;
    private static Path log;
    private static String ccompatUrl;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = ApicurioRegistry.start(Path.of(System.getProperty("apicurio.dir", "target/apicurio")), 0);
        log = registry.log();
        ccompatUrl = registry.url();
        System.out.printf("Apicurio Registry ready at %s in %d ms%n", ccompatUrl, registry.startupMillis());
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void shouldRegisterThroughOurCoderAndServeTheSchemaOverTheCcompatApi() throws Exception {
        RegistryAvroSerializer<ProbeEvent> serializer =
                RegistryAvroSerializer.forTopic(ProbeEvent.class, ccompatUrl, "it.events");

        byte[] bytes = serializer.serialize(probe("a-1"));

        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(bytes[0]).isZero();
        JsonNode byId = getJson("/schemas/ids/" + id);
        assertThat(new Schema.Parser().parse(byId.get("schema").asText())).isEqualTo(ProbeEvent.getClassSchema());
        assertThat(getJson("/subjects").toString()).contains("\"it.events-value\"");
        assertThat(getJson("/subjects/it.events-value/versions/latest")
                        .get("id")
                        .asInt())
                .isEqualTo(id);
    }

    @Test
    void shouldRoundTripThroughTheServerWithFreshClients() throws Exception {
        byte[] bytes = RegistryAvroSerializer.forTopic(ProbeEvent.class, ccompatUrl, "it.roundtrip")
                .serialize(probe("a-2"));

        // a new deserializer: its caches are empty, so the writer schema comes from the server
        DecodeResult<ProbeEvent> result =
                RegistryAvroDeserializer.of(ProbeEvent.class, ccompatUrl).decode(bytes);

        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.record()).isEqualTo(probe("a-2"));
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBody(probe("a-2")));
    }

    @Test
    void shouldDecodeAFrameBuiltByHandFromTheConfluentSpec() throws Exception {
        // Register with plain HTTP, not with our client, then frame: 0, big-endian id, Avro binary.
        int id = registerOverHttp("it.handmade-value", ProbeEvent.getClassSchema());
        byte[] payload = frame(id, avroBody(probe("a-3")));

        DecodeResult<ProbeEvent> result =
                RegistryAvroDeserializer.of(ProbeEvent.class, ccompatUrl).decode(payload);

        assertThat(result.record()).isEqualTo(probe("a-3"));
        assertThat(result.schemaId()).isEqualTo(id);
    }

    @Test
    void shouldReadANewerWriterSchemaFetchedFromTheServer() throws Exception {
        Schema v2 = Probes.probeV2Schema();
        int id = registerOverHttp("it.evolution-value", v2);

        DecodeResult<ProbeEvent> result = RegistryAvroDeserializer.of(ProbeEvent.class, ccompatUrl)
                .decode(frame(id, avroBody(Probes.probeV2(v2, "a-4", 5))));

        assertThat(result.record()).isEqualTo(probe("a-4"));
    }

    @Test
    void shouldReportAnIdTheServerDoesNotKnowAsAFailure() throws Exception {
        DecodeResult<ProbeEvent> result = RegistryAvroDeserializer.of(ProbeEvent.class, ccompatUrl)
                .decode(frame(987_654, avroBody(probe("a-5"))));

        assertThat(result.failure()).isEqualTo(Failure.UNKNOWN_SCHEMA_ID);
        assertThat(result.error()).contains("987654");
    }

    @Test
    void shouldRunOnInMemoryStorageListeningOnLoopbackOnly() throws Exception {
        String startupLog = Files.readString(log);

        assertThat(startupLog)
                .contains("Using In Memory (H2) SQL storage")
                .contains("Listening on: " + ccompatUrl.substring(0, ccompatUrl.indexOf("/apis")));
    }

    private static int registerOverHttp(String subject, Schema schema) throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema.toString()));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(ccompatUrl + "/subjects/" + subject + "/versions"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("id").asInt();
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(ccompatUrl + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
