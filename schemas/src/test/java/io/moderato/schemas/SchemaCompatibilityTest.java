package io.moderato.schemas;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moderato.schemas.ReleasedSchemas.Released;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The compatibility gate: every topic record must be fully compatible (backward and forward) with every
 * released version frozen under {@code src/test/resources/released}, and no topic record may exist
 * without a frozen version.
 */
class SchemaCompatibilityTest {

    /**
     * The "Topics and records" table of docs/ARCHITECTURE.md: topic to record, plus compliance.reports
     * (ComplianceReport), added by the FeedbackJob issue for the DSA-style transparency report, and
     * prepublish.verdicts (PrepublishVerdict), the low-latency pre-publish path of issue 10, item 14.
     */
    static final Map<String, String> ARCHITECTURE_RECORDS = Map.ofEntries(
            entry("content.events", "ContentEvent"),
            entry("user.signals", "UserSignal"),
            entry("policy.config", "PolicyConfig"),
            entry("risk.decisions", "RiskDecision"),
            entry("prepublish.verdicts", "PrepublishVerdict"),
            entry("review.tasks", "ReviewTask"),
            entry("enforcement.actions", "EnforcementAction"),
            entry("review.labels", "ReviewLabel"),
            entry("review.labels.unmatched", "ReviewLabel"),
            entry("training.examples", "TrainingExample"),
            entry("quality.metrics", "MetricSnapshot"),
            entry("drift.alerts", "DriftAlert"),
            entry("config.audit", "ConfigAudit"),
            entry("compliance.reports", "ComplianceReport"),
            entry("deadletter", "DeadLetter"));

    private static final Path AVRO_SOURCES = Path.of("src/main/avro");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldReadAndBeReadByEveryReleasedVersion(Topic topic) {
        String name = topic.schema().getName();
        List<Released> released = ReleasedSchemas.of(name);
        assertThat(released)
                .as("%s has no released schema: freeze one under src/test/resources/released", name)
                .isNotEmpty();

        List<String> problems = released.stream()
                .flatMap(r -> CompatibilityGate.incompatibilities(r.label(), r.schema(), topic.schema()).stream())
                .toList();

        assertThat(problems)
                .as("%s (topic %s) broke compatibility with a released version", name, topic.topicName())
                .isEmpty();
    }

    @Test
    void shouldCatalogueExactlyTheTopicsAndRecordsOfTheArchitecture() {
        Map<String, String> catalogued = Arrays.stream(Topic.values())
                .collect(Collectors.toMap(Topic::topicName, t -> t.schema().getName()));

        assertThat(catalogued).isEqualTo(ARCHITECTURE_RECORDS);
    }

    @Test
    void shouldHaveAReleasedSchemaForEveryArchitectureRecord() {
        Set<String> frozen = ReleasedSchemas.byRecord().keySet();

        assertThat(frozen).containsAll(ARCHITECTURE_RECORDS.values());
    }

    @Test
    void shouldCatalogueEveryTopLevelSchemaFileAsATopicRecord() throws IOException {
        Set<String> topLevelFiles;
        try (Stream<Path> files = Files.list(AVRO_SOURCES)) {
            topLevelFiles = files.filter(f -> f.toString().endsWith(".avsc"))
                    .map(f -> f.getFileName().toString().replace(".avsc", ""))
                    .collect(Collectors.toSet());
        }
        Set<String> topicRecords =
                Arrays.stream(Topic.values()).map(t -> t.schema().getName()).collect(Collectors.toSet());

        assertThat(topLevelFiles)
                .as("top-level .avsc files are topic records (shared types go to src/main/avro/common)")
                .isEqualTo(topicRecords);
    }

    @Test
    void shouldFreezeOnlyTopicRecordsUnderTheirOwnName() {
        Set<String> topicRecords =
                Arrays.stream(Topic.values()).map(t -> t.schema().getFullName()).collect(Collectors.toSet());

        assertThat(ReleasedSchemas.all()).allSatisfy(r -> {
            assertThat(r.schema().getFullName())
                    .as("record inside %s", r.file().getFileName())
                    .isEqualTo("io.moderato.schemas." + r.recordName());
            assertThat(topicRecords).contains(r.schema().getFullName());
        });
    }

    /** The gate itself: the same check that guards the real schemas must catch real breaking changes. */
    @Nested
    class TheGate {

        private final Released contentEvent = ReleasedSchemas.of("ContentEvent").get(0);

        @Test
        void shouldReportAFieldAddedWithoutDefault() {
            Schema changed = mutate(
                    contentEvent.schema(),
                    root -> fields(root)
                            .addObject()
                            .put("name", "language")
                            .put("type", "string")
                            .put("doc", "added without a default"));

            List<String> problems =
                    CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed);

            assertThat(problems)
                    .singleElement()
                    .asString()
                    .contains("ContentEvent v1")
                    .contains("backward")
                    .contains("READER_FIELD_MISSING_DEFAULT")
                    .contains("language");
        }

        @Test
        void shouldReportARemovedFieldThatOldReadersNeed() {
            Schema changed = mutate(contentEvent.schema(), root -> removeField(root, "userId"));

            List<String> problems =
                    CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed);

            assertThat(problems)
                    .singleElement()
                    .asString()
                    .contains("forward")
                    .contains("READER_FIELD_MISSING_DEFAULT")
                    .contains("userId");
        }

        @Test
        void shouldReportAFieldTypeChange() {
            Schema changed = mutate(
                    contentEvent.schema(), root -> field(root, "reachEstimate").put("type", "int"));

            List<String> problems =
                    CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed);

            assertThat(problems).singleElement().asString().contains("backward").contains("TYPE_MISMATCH");
        }

        @Test
        void shouldReportARenamedNestedRecord() {
            Schema changed = mutate(
                    contentEvent.schema(),
                    root -> ((ObjectNode) field(root, "transcript").get("type").get(1))
                            .put("name", "SpeechTranscript"));

            // the transcript union no longer has a branch for the old name, and old readers none for the new one
            int transcript = contentEvent.schema().getField("transcript").pos();
            assertThat(CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed))
                    .hasSize(2)
                    .allSatisfy(p ->
                            assertThat(p).contains("MISSING_UNION_BRANCH").contains("/fields/" + transcript + "/type"));
        }

        @Test
        void shouldReportANewEnumSymbolUnlessReadersHaveADefault() {
            Schema v1 = enumRecord("[\"ALLOW\", \"REVIEW\"]", null);
            Schema v2 = enumRecord("[\"ALLOW\", \"REVIEW\", \"HOLD\"]", null);
            Schema v1WithDefault = enumRecord("[\"ALLOW\", \"REVIEW\"]", "REVIEW");
            Schema v2WithDefault = enumRecord("[\"ALLOW\", \"REVIEW\", \"HOLD\"]", "REVIEW");

            assertThat(CompatibilityGate.incompatibilities("Banded v1", v1, v2))
                    .singleElement()
                    .asString()
                    .contains("forward")
                    .contains("MISSING_ENUM_SYMBOLS");
            assertThat(CompatibilityGate.incompatibilities("Banded v1", v1WithDefault, v2WithDefault))
                    .isEmpty();
        }

        @Test
        void shouldAcceptAnOptionalFieldAddedWithDefault() {
            Schema changed = mutate(contentEvent.schema(), root -> {
                ObjectNode f = fields(root).addObject().put("name", "language").put("doc", "optional");
                f.putArray("type").add("null").add("string");
                f.putNull("default");
            });

            assertThat(CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed))
                    .isEmpty();
        }

        @Test
        void shouldAcceptRemovingAFieldThatHasADefault() {
            Schema changed = mutate(contentEvent.schema(), root -> removeField(root, "attributes"));

            assertThat(CompatibilityGate.incompatibilities(contentEvent.label(), contentEvent.schema(), changed))
                    .isEmpty();
        }
    }

    static Schema mutate(Schema schema, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
            change.accept(root);
            return new Schema.Parser().parse(JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode fields(ObjectNode record) {
        return (ArrayNode) record.get("fields");
    }

    private static ObjectNode field(ObjectNode record, String name) {
        for (JsonNode f : fields(record)) {
            if (f.get("name").asText().equals(name)) {
                return (ObjectNode) f;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    private static void removeField(ObjectNode record, String name) {
        ArrayNode fields = fields(record);
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals(name)) {
                fields.remove(i);
                return;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    private static Schema enumRecord(String symbols, String enumDefault) {
        String defaultJson = enumDefault == null ? "" : ", \"default\": \"" + enumDefault + "\"";
        return new Schema.Parser()
                .parse("{\"type\": \"record\", \"name\": \"Banded\", \"fields\": [{\"name\": \"band\","
                        + " \"type\": {\"type\": \"enum\", \"name\": \"Band\", \"symbols\": " + symbols + defaultJson
                        + "}}]}");
    }
}
