package io.moderato.jobs.serde;

import static io.moderato.jobs.serde.Probes.probe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.jobs.serde.testing.ProbeEvent;
import io.moderato.registry.SchemaRegistry;
import java.io.File;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.apache.flink.formats.avro.AvroDeserializationSchema;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.flink.formats.avro.SchemaCoder;
import org.junit.jupiter.api.Test;

/**
 * Proves that the Confluent client reaches this classpath only as the re-packaged
 * moderato-registry-client jar, and that it cannot shadow flink-avro: the
 * flink-sql-avro-confluent-registry bundle (whose unrelocated org.apache.flink.formats.avro classes
 * are built against a relocated Avro) is absent, flink-avro's classes exist exactly once, and both
 * work side by side in one JVM.
 */
class RegistryIsolationTest {

    private static final String BUNDLE = "flink-sql-avro-confluent-registry";
    private static final String RELOCATED_CLIENT =
            "org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient";

    /** Everything the registry-client jar may contain. */
    private static final List<String> ALLOWED_PREFIXES = List.of(
            "META-INF/",
            "io/moderato/registry/",
            "io/moderato/shaded/guava/",
            "org/apache/flink/avro/registry/confluent/shaded/",
            "org/apache/flink/avro/shaded/com/fasterxml/jackson/",
            "org/apache/flink/avro/shaded/org/apache/avro/");

    @Test
    void shouldLoadFlinkAvroClassesFromTheFlinkAvroJarOnly() throws Exception {
        for (Class<?> type : List.of(
                SchemaCoder.class,
                AvroSerializationSchema.class,
                AvroDeserializationSchema.class,
                RegistryAvroSerializationSchema.class,
                RegistryAvroDeserializationSchema.class)) {
            String location = codeSource(type);
            assertThat(Path.of(location).getFileName().toString())
                    .as("code source of %s", type.getName())
                    .startsWith("flink-avro-")
                    .endsWith(".jar")
                    .doesNotContain("confluent");

            String resource = type.getName().replace('.', '/') + ".class";
            List<URL> copies = Collections.list(getClass().getClassLoader().getResources(resource));
            assertThat(copies).as("copies of %s on the classpath", resource).hasSize(1);
        }
    }

    @Test
    void shouldShipNoFlinkFormatClassesAndNoUnrelocatedLibrariesInTheRegistryClientJar() throws Exception {
        String location = codeSource(SchemaRegistry.class);
        assertThat(location)
                .as("moderato-registry-client must resolve to its shaded jar (build with verify/install, "
                        + "not plain compile/test)")
                .endsWith(".jar");
        assertThat(codeSource(Class.forName(RELOCATED_CLIENT))).isEqualTo(location);

        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(location)) {
            jar.stream().map(JarEntry::getName).filter(n -> !n.endsWith("/")).forEach(entries::add);
        }
        assertThat(entries)
                .as("entries of %s", location)
                .isNotEmpty()
                .contains(
                        "io/moderato/registry/SchemaRegistry.class",
                        RELOCATED_CLIENT.replace('.', '/') + ".class",
                        "io/moderato/shaded/guava/common/cache/CacheBuilder.class")
                .noneMatch(n -> n.startsWith("org/apache/flink/formats/"))
                .noneMatch(n -> n.startsWith("com/google/"))
                .noneMatch(n -> n.startsWith("org/apache/commons/"))
                .noneMatch(n -> n.startsWith("org/yaml/"));
        List<String> unexpected = entries.stream()
                .filter(n -> ALLOWED_PREFIXES.stream().noneMatch(n::startsWith))
                .collect(Collectors.toList());
        assertThat(unexpected).as("entries outside the keep-list").isEmpty();
    }

    @Test
    void shouldNotHaveTheConfluentBundleOnTheTestClasspath() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", "")
                + File.pathSeparator
                + System.getProperty("java.class.path", "");
        assertThat(classpath).as("test classpath").contains("flink-avro").doesNotContain(BUNDLE);

        // Its Flink-side classes would be loadable if any copy of it were present.
        assertThatThrownBy(() -> Class.forName(
                        "org.apache.flink.formats.avro.registry.confluent.ConfluentRegistryAvroSerializationSchema"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(Collections.list(getClass()
                        .getClassLoader()
                        .getResources("META-INF/services/org.apache.flink.table.factories.Factory")))
                .noneMatch(url -> url.toString().contains(BUNDLE));
    }

    @Test
    void shouldRunFlinkAvrosOwnSchemasInTheSameJvmAsTheConfluentClient() throws Exception {
        String scope = "isolation";
        try {
            // Load and use the relocated client first, then flink-avro: a clash would surface here
            // as NoSuchMethodError / LinkageError, not as a wrong value.
            try (SchemaRegistry registry = SchemaRegistry.connect("mock://" + scope)) {
                assertThat(registry.register(
                                "probe-value", ProbeEvent.getClassSchema().toString()))
                        .isPositive();
            }
            AvroSerializationSchema<ProbeEvent> plainOut = AvroSerializationSchema.forSpecific(ProbeEvent.class);
            AvroDeserializationSchema<ProbeEvent> plainIn = AvroDeserializationSchema.forSpecific(ProbeEvent.class);
            assertThat(plainIn.deserialize(plainOut.serialize(probe("i-1")))).isEqualTo(probe("i-1"));

            ConfluentSchemaCoder.Provider provider =
                    ConfluentSchemaCoder.Provider.forTopicValues("mock://" + scope, "probe");
            RegistryAvroSerializationSchema<ProbeEvent> registryOut =
                    RegistryAvroSerializationSchema.forSpecific(ProbeEvent.class, provider);
            RegistryAvroDeserializationSchema<ProbeEvent> registryIn =
                    new RegistryAvroDeserializationSchema<>(ProbeEvent.class, null, provider);
            byte[] framed = registryOut.serialize(probe("i-2"));
            assertThat(framed[0]).isZero();
            assertThat(registryIn.deserialize(framed)).isEqualTo(probe("i-2"));
        } finally {
            SchemaRegistry.dropMockScope(scope);
        }
    }

    private static String codeSource(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }
}
