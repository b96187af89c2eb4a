package io.moderato.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.Schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** House rules of the wire contract, checked on every type reachable from a topic record. */
class SchemaConventionsTest {

    private static final String NAMESPACE = "io.moderato.schemas";

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldDocumentEveryRecordAndField(Topic topic) {
        List<String> undocumented = new ArrayList<>();
        for (Schema type : namedTypes(topic.schema()).values()) {
            if (isBlank(type.getDoc())) {
                undocumented.add(type.getName());
            }
            if (type.getType() == Type.RECORD) {
                for (Field f : type.getFields()) {
                    if (isBlank(f.doc())) {
                        undocumented.add(type.getName() + "." + f.name());
                    }
                }
            }
        }

        assertThat(undocumented).as("types and fields without a doc").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldDeclareEveryTypeInTheProjectNamespace(Topic topic) {
        assertThat(namedTypes(topic.schema()).values())
                .allSatisfy(t -> assertThat(t.getNamespace()).as(t.getName()).isEqualTo(NAMESPACE));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldMakeOptionalFieldsNullFirstWithNullDefault(Topic topic) {
        List<String> wrong = new ArrayList<>();
        forEachField(topic.schema(), (record, f) -> {
            if (f.schema().getType() != Type.UNION) {
                return;
            }
            List<Schema> branches = f.schema().getTypes();
            boolean optional = branches.size() == 2 && branches.get(0).getType() == Type.NULL;
            if (!optional || f.defaultVal() != JsonProperties.NULL_VALUE) {
                wrong.add(record.getName() + "." + f.name() + ": " + f.schema());
            }
        });

        assertThat(wrong).as("unions must be [\"null\", T] with default null").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldCarryTimesAsEpochMillisLongs(Topic topic) {
        List<String> wrong = new ArrayList<>();
        forEachField(topic.schema(), (record, f) -> {
            boolean millisName = f.name().endsWith("Millis");
            boolean looksLikeTime = f.name().matches(".*(Time|At|Timestamp|Date)");
            Schema s = f.schema().isNullable() && f.schema().getType() == Type.UNION
                    ? f.schema().getTypes().get(1)
                    : f.schema();
            if (looksLikeTime || (millisName && (s.getType() != Type.LONG || s.getLogicalType() != null))) {
                wrong.add(record.getName() + "." + f.name() + ": " + f.schema());
            }
        });

        assertThat(wrong)
                .as("times are plain longs named *Millis (epoch milliseconds UTC)")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldGiveEveryEnumADefaultSymbol(Topic topic) {
        assertThat(namedTypes(topic.schema()).values())
                .filteredOn(t -> t.getType() == Type.ENUM)
                .allSatisfy(e -> assertThat(e.getEnumDefault())
                        .as("default of enum %s", e.getName())
                        .isNotNull());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldTakeTheKafkaKeyFromARequiredStringField(Topic topic) {
        topic.keyField()
                .ifPresentOrElse(
                        key -> {
                            Field f = topic.schema().getField(key);
                            assertThat(f)
                                    .as(
                                            "key field %s of %s",
                                            key, topic.schema().getName())
                                    .isNotNull();
                            assertThat(f.schema().getType()).isEqualTo(Type.STRING);
                        },
                        () -> assertThat(topic).isEqualTo(Topic.DEADLETTER));
    }

    @Test
    void shouldKeepOneFilePerNamedTypeAndNoUnusedSharedTypes() throws IOException {
        Set<String> files;
        try (Stream<Path> all = Files.walk(Path.of("src/main/avro"))) {
            files = all.filter(f -> f.toString().endsWith(".avsc"))
                    .map(f -> f.getFileName().toString().replace(".avsc", ""))
                    .collect(Collectors.toSet());
        }
        Set<String> reachable = Arrays.stream(Topic.values())
                .flatMap(t -> namedTypes(t.schema()).keySet().stream())
                .map(fullName -> fullName.substring(fullName.lastIndexOf('.') + 1))
                .collect(Collectors.toSet());

        assertThat(reachable)
                .as("every named type reachable from a topic record, one .avsc file each")
                .isEqualTo(files);
    }

    @Test
    void shouldNotModelPoliciesAsEnums() {
        List<String> enums = Arrays.stream(Topic.values())
                .flatMap(t -> namedTypes(t.schema()).values().stream())
                .filter(s -> s.getType() == Type.ENUM)
                .map(Schema::getName)
                .distinct()
                .toList();

        assertThat(enums)
                .as("policies, bands, actions and sources are strings so they evolve as data")
                .isEmpty();
    }

    /** Every named type (record, enum, fixed) reachable from the schema, by full name. */
    static Map<String, Schema> namedTypes(Schema root) {
        Map<String, Schema> found = new LinkedHashMap<>();
        collect(root, found);
        return found;
    }

    private static void collect(Schema s, Map<String, Schema> found) {
        switch (s.getType()) {
            case RECORD -> {
                if (found.putIfAbsent(s.getFullName(), s) == null) {
                    s.getFields().forEach(f -> collect(f.schema(), found));
                }
            }
            case ENUM, FIXED -> found.putIfAbsent(s.getFullName(), s);
            case ARRAY -> collect(s.getElementType(), found);
            case MAP -> collect(s.getValueType(), found);
            case UNION -> s.getTypes().forEach(t -> collect(t, found));
            default -> {}
        }
    }

    private interface FieldVisitor {
        void visit(Schema record, Field field);
    }

    private static void forEachField(Schema root, FieldVisitor visitor) {
        for (Schema type : namedTypes(root).values()) {
            if (type.getType() == Type.RECORD) {
                type.getFields().forEach(f -> visitor.visit(type, f));
            }
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
