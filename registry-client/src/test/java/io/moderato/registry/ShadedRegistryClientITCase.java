package io.moderato.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs against the shaded jar with the source bundle removed from the classpath: proves the
 * keep-list is enough for the client to work (Jackson and Guava are needed even for mock://).
 */
class ShadedRegistryClientITCase {

    private static final String SCOPE = "shaded-itcase";
    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":\"io.moderato.test\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\",\"default\":0}]}";

    @AfterEach
    void dropScope() {
        SchemaRegistry.dropMockScope(SCOPE);
    }

    @Test
    void shouldRunFromTheShadedJarWithoutTheBundle() throws Exception {
        String location = Path.of(SchemaRegistry.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        assertThat(location).endsWith(".jar").contains("moderato-registry-client");
        assertThatThrownBy(() -> Class.forName("com.google.common.base.Ticker"))
                .as("unrelocated Guava (only the bundle has it)")
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.apache.flink.formats.avro.AvroDeserializationSchema"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void shouldRegisterLookUpAndFetchSchemasInTheInJvmRegistry() throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.connect("mock://" + SCOPE)) {
            int id = registry.register("ping-value", SCHEMA);

            assertThat(registry.register("ping-value", SCHEMA)).isEqualTo(id);
            assertThat(registry.idOf("ping-value", SCHEMA)).isEqualTo(id);
            assertThat(registry.schemaById(id)).contains("\"Ping\"").contains("\"default\":0");
        }
        try (SchemaRegistry sameScope = SchemaRegistry.connect("mock://" + SCOPE)) {
            assertThat(sameScope.idOf("ping-value", SCHEMA)).isPositive();
        }
    }

    @Test
    void shouldReportUnknownIdsAndSubjectsAsNotFound() throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.connect("mock://" + SCOPE)) {
            assertThatThrownBy(() -> registry.schemaById(777)).isInstanceOfSatisfying(RegistryException.class, e -> {
                assertThat(e.isNotFound()).isTrue();
                assertThat(e.isTransient()).isFalse();
            });
            assertThatThrownBy(() -> registry.idOf("nobody-value", SCHEMA))
                    .isInstanceOfSatisfying(
                            RegistryException.class,
                            e -> assertThat(e.isNotFound()).isTrue());
        }
    }

    @Test
    void shouldRejectTextThatIsNotAnAvroSchema() throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.connect("mock://" + SCOPE)) {
            assertThatThrownBy(() -> registry.register("ping-value", "{\"type\":\"recrod\"}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Not a valid Avro schema");
        }
    }

    @Test
    void shouldReportAnUnreachableRegistryAsTransient() throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.connect("http://127.0.0.1:9")) {
            assertThatThrownBy(() -> registry.schemaById(1)).isInstanceOfSatisfying(RegistryException.class, e -> {
                assertThat(e.status()).isEqualTo(RegistryException.UNREACHABLE);
                assertThat(e.isTransient()).isTrue();
            });
        }
    }
}
