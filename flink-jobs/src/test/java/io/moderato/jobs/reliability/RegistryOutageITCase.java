package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.WindowedUserRisk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 9: the schema registry goes away while the DetectionJob runs (an in-process HTTP server
 * speaking the Confluent registry API, stopped and started on the same port). Records whose writer schema
 * id the job has cached keep flowing; records with an id it has not seen are retried for the outage budget
 * ({@code schema-registry.outage-max-wait}) and then dead-lettered as REGISTRY_UNAVAILABLE with the reason —
 * none silently dropped; after the registry is back the new id decodes, and every decision equals the
 * baseline run's (the same events on a healthy registry).
 */
class RegistryOutageITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    private static final Duration OUTAGE_BUDGET = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @Test
    void shouldDecideCachedSchemasThroughAnOutageAndDeadLetterTheOthersWithTheReason() throws Exception {
        Path defaults = DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, 0.3, 0.97)));
        List<ParitySample.Message> messages = ParitySample.load();
        List<ContentEvent> before = events("before-", 0, 20, messages);
        List<ContentEvent> during = events("during-", 20, 20, messages);
        List<ContentEvent> unseen = events("unseen-", 40, 6, messages);
        List<ContentEvent> after = events("after-", 46, 20, messages);

        FakeRegistry registry = FakeRegistry.start(0);
        int port = registry.port();
        int knownId = registry.add(ContentEvent.getClassSchema().toString());
        int newId = registry.add(ContentEvent.getClassSchema().toString());
        TopicScope run = new TopicScope(CLUSTER.kafka(), "outage" + System.nanoTime() + ".", registry.url());
        DetectionJobRun.createTopics(run, 2);
        Configuration options = DetectionJobRun.options(run, defaults, false);
        options.set(DetectionOptions.REGISTRY_OUTAGE_MAX_WAIT, OUTAGE_BUDGET);

        JobClient job = DetectionJobRun.start(
                DetectionJobRun.environment(tmp.resolve("checkpoints"), DetectionJobRun.noRestarts()), run, options);
        List<DeadLetter> deadLetters;
        List<RiskDecision> decisions;
        long outageMillis;
        try {
            produce(run, before, knownId);
            awaitCommitted(run, "risk.decisions", before.size());

            registry.stop();
            long outageStarted = System.nanoTime();
            List<ContentEvent> mixed = new ArrayList<>(during);
            List<Integer> ids = new ArrayList<>(java.util.Collections.nCopies(during.size(), knownId));
            for (int i = 0; i < unseen.size(); i++) {
                mixed.add(i * 3, unseen.get(i));
                ids.add(i * 3, newId);
            }
            produce(run, mixed, ids);
            // decisions of cached ids and the dead letters arrive while the registry is still down
            awaitCommitted(run, "risk.decisions", before.size() + during.size());
            awaitCommitted(run, "deadletter", unseen.size());
            outageMillis = (System.nanoTime() - outageStarted) / 1_000_000;

            registry = FakeRegistry.restart(registry, port);
            produce(run, after, newId);
            decisions = run.read("risk.decisions", RiskDecision.class, before.size() + during.size() + after.size());
            deadLetters = run.read("deadletter", DeadLetter.class, unseen.size());
        } finally {
            job.cancel().get();
            registry.stop();
        }
        System.out.printf(
                "[reliability] registry outage: %d cached-id records decided and %d unseen-id records "
                        + "dead-lettered within %d ms of the outage (budget %d ms); reason: %s%n",
                during.size(),
                unseen.size(),
                outageMillis,
                OUTAGE_BUDGET.toMillis(),
                deadLetters.isEmpty() ? "-" : deadLetters.get(0).getError());

        assertThat(deadLetters).hasSize(unseen.size());
        assertThat(deadLetters).allSatisfy(d -> {
            assertThat(d.getErrorClass()).isEqualTo("REGISTRY_UNAVAILABLE");
            assertThat(d.getError())
                    .contains("schema registry unreachable")
                    .contains("schema-registry.outage-max-wait");
            assertThat(d.getSourceTopic()).isEqualTo(run.topic("content.events"));
            assertThat(d.getOffset()).isNotNegative();
        });
        assertThat(deadLetters)
                .extracting(d -> new String(bytes(d.getKey()), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(
                        unseen.stream().map(ContentEvent::getContentId).toList());

        // baseline: the same decided events on a registry that never went away
        List<ContentEvent> decided = new ArrayList<>(before);
        decided.addAll(during);
        decided.addAll(after);
        TopicScope baseline = TopicScope.create(CLUSTER.kafka(), "outage-baseline");
        DetectionJobRun.createTopics(baseline, 2);
        baseline.produce("content.events", ContentEvent.class, decided, ContentEvent::getContentId);
        DetectionJobRun.runBounded(
                DetectionJobRun.environment(tmp.resolve("checkpoints-baseline"), DetectionJobRun.noRestarts()),
                baseline,
                DetectionJobRun.options(baseline, defaults, true));
        // `late` says whether an item arrived after the watermark had passed its time: it depends on how the phases
        // of this live run were paced (a source quiet for detection.watermark.quiet-after advances its watermark),
        // not on the registry. A late item is decided at once and does not enter its author's window, so its
        // userRisk is the (here empty) window without it: compared apart from that, as from `late` itself
        List<RiskDecision> baselineDecisions = baseline.read("risk.decisions", RiskDecision.class, decided.size());
        Set<String> late = lateIds(decisions);
        System.out.printf(
                "[reliability] registry outage: %d of %d decisions flagged late by the pacing of the live run%n",
                late.size(), decisions.size());
        late.addAll(lateIds(baselineDecisions));
        assertThat(comparable(decisions, late)).hasSize(decided.size()).isEqualTo(comparable(baselineDecisions, late));
    }

    /** One user per event, so no window joins them: each decision depends on its own event only. */
    private static List<ContentEvent> events(String prefix, int first, int count, List<ParitySample.Message> messages) {
        List<ContentEvent> events = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            events.add(DetectionFixtures.textEvent(
                    prefix + i,
                    "user-" + i,
                    messages.get((i * 17) % messages.size()).text(),
                    DetectionFixtures.T0 + i * 500L,
                    i % 4 == 0));
        }
        return events;
    }

    private static void produce(TopicScope run, List<ContentEvent> events, int schemaId) throws IOException {
        produce(run, events, new ArrayList<>(java.util.Collections.nCopies(events.size(), schemaId)));
    }

    /** Confluent frames written by hand: the producer side needs no registry, only the job does. */
    private static void produce(TopicScope run, List<ContentEvent> events, List<Integer> schemaIds) throws IOException {
        SpecificDatumWriter<ContentEvent> writer = new SpecificDatumWriter<>(ContentEvent.class);
        List<byte[]> values = new ArrayList<>();
        BinaryEncoder encoder = null;
        for (int i = 0; i < events.size(); i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(schemaIds.get(i)).array());
            encoder = EncoderFactory.get().binaryEncoder(out, encoder);
            writer.write(events.get(i), encoder);
            encoder.flush();
            values.add(out.toByteArray());
        }
        CLUSTER.kafka()
                .produce(
                        run.topic("content.events"),
                        events.stream().map(ContentEvent::getContentId).toList(),
                        values);
    }

    private static void awaitCommitted(TopicScope run, String topic, int count) {
        assertThat(CLUSTER.kafka().readCommitted(run.topic(topic), count, TopicScope.READ_TIMEOUT))
                .as("committed on %s", topic)
                .hasSizeGreaterThanOrEqualTo(count);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static Set<String> lateIds(List<RiskDecision> decisions) {
        Set<String> ids = new HashSet<>();
        decisions.stream().filter(RiskDecision::getLate).forEach(d -> ids.add(d.getContentId()));
        return ids;
    }

    /** By content id, the decisions without their decision time and lateness, and without userRisk where {@code late}. */
    private static Map<String, String> comparable(List<RiskDecision> decisions, Set<String> late) {
        Map<String, String> byId = new TreeMap<>();
        for (RiskDecision d : decisions) {
            RiskDecision.Builder comparable =
                    RiskDecision.newBuilder(d).setDecidedAtMillis(0).setLate(false);
            if (late.contains(d.getContentId())) {
                comparable.setPolicies(d.getPolicies().stream()
                        .map(p -> PolicyDecision.newBuilder(p)
                                .setUserRisk(new WindowedUserRisk(0.0, 0.0, 0, 0))
                                .build())
                        .toList());
            }
            byId.put(d.getContentId(), comparable.build().toString());
        }
        return byId;
    }

    /**
     * The part of the Confluent Schema Registry API the job and its sinks use: register a schema under a
     * subject ({@code POST /subjects/{subject}/versions}) and fetch one by id ({@code GET /schemas/ids/{id}}).
     * Schemas survive a restart, as a registry's storage does.
     */
    static final class FakeRegistry {
        private final HttpServer server;
        private final Map<Integer, String> schemas;

        private FakeRegistry(HttpServer server, Map<Integer, String> schemas) {
            this.server = server;
            this.schemas = schemas;
        }

        static FakeRegistry start(int port) throws IOException {
            return start(port, new ConcurrentHashMap<>());
        }

        static FakeRegistry restart(FakeRegistry stopped, int port) throws IOException {
            return start(port, stopped.schemas);
        }

        private static FakeRegistry start(int port, Map<Integer, String> schemas) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            FakeRegistry registry = new FakeRegistry(server, schemas);
            server.createContext("/", registry::handle);
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
            server.start();
            return registry;
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url() {
            return "http://127.0.0.1:" + port();
        }

        /** Stores {@code schemaJson} under a new id (the same schema may have several, as in a registry with many subjects). */
        synchronized int add(String schemaJson) {
            int id = schemas.size() + 1;
            schemas.put(id, schemaJson);
            return id;
        }

        void stop() {
            server.stop(0);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try {
                answer(exchange);
            } catch (RuntimeException | Error e) {
                System.err.println("[reliability] test registry failed on " + exchange.getRequestURI() + ": " + e);
                e.printStackTrace();
                respond(
                        exchange,
                        500,
                        "{\"error_code\":50001,\"message\":\"test registry: "
                                + e.getClass().getSimpleName() + "\"}");
            }
        }

        private void answer(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (exchange.getRequestMethod().equals("POST") && path.matches("/subjects/[^/]+/versions")) {
                String schema = schemaField(body);
                if (schema == null) {
                    respond(exchange, 422, "{\"error_code\":42201,\"message\":\"no schema\"}");
                    return;
                }
                int id;
                synchronized (this) {
                    id = schemas.entrySet().stream()
                            .filter(e -> e.getValue().equals(schema))
                            .map(Map.Entry::getKey)
                            .findFirst()
                            .orElseGet(() -> add(schema));
                }
                respond(exchange, 200, "{\"id\":" + id + "}");
            } else if (exchange.getRequestMethod().equals("GET") && path.startsWith("/schemas/ids/")) {
                String schema = schemas.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
                if (schema == null) {
                    respond(exchange, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
                } else {
                    respond(exchange, 200, "{\"schema\":" + quote(schema) + "}");
                }
            } else {
                respond(
                        exchange,
                        404,
                        "{\"error_code\":40401,\"message\":\"not supported by this test registry: "
                                + exchange.getRequestMethod() + " " + path + "\"}");
            }
        }

        private static void respond(HttpExchange exchange, int status, String json) throws IOException {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            // no keep-alive: the JDK client would resend nothing on a connection this server has dropped
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        /** The JSON string value of the request's "schema" field, unescaped (a scan: schemas are long for a regex). */
        private static String schemaField(String body) {
            int key = body.indexOf("\"schema\"");
            int open = key < 0 ? -1 : body.indexOf('"', body.indexOf(':', key) + 1);
            if (open < 0) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (int i = open + 1; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\' && i + 1 < body.length()) {
                    char next = body.charAt(++i);
                    switch (next) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                            i += 4;
                        }
                        default -> out.append(next);
                    }
                } else {
                    out.append(c);
                }
            }
            return null; // no closing quote
        }
    }
}
