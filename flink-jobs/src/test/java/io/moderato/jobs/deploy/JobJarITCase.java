package io.moderato.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.deploy.probe.JobJarProbe;
import io.moderato.jobs.deploy.probe.ProbeLauncher;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar ({@code moderato-flink-jobs-<version>-job.jar}, built in {@code package}) as the
 * cluster will see it: holds what the Flink distribution lacks and nothing it provides, and works when
 * loaded on the provided Flink runtime through Flink's child-first user-code class loader.
 */
class JobJarITCase {

    private static Path jobJar;
    private static List<String> entries;

    @BeforeAll
    static void openJar() throws IOException {
        jobJar = Path.of(System.getProperty("moderato.job.jar", "target/moderato-flink-jobs-job.jar"));
        assertThat(jobJar)
                .as("job jar (built by maven-shade-plugin in package)")
                .isRegularFile();
        entries = new ArrayList<>();
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            Enumeration<? extends ZipEntry> all = jar.entries();
            while (all.hasMoreElements()) {
                entries.add(all.nextElement().getName());
            }
        }
    }

    @Test
    void shouldCarryOurCodeModelsConnectorsAndLinuxNatives() {
        assertThat(entries)
                .contains(
                        "io/moderato/jobs/detection/DetectionJob.class",
                        "io/moderato/udfs/model/ModelRegistry.class",
                        "io/moderato/schemas/ContentEvent.class",
                        "io/moderato/registry/SchemaRegistry.class",
                        "policy-defaults.json",
                        "models/text-spam/1.0.0/manifest.json",
                        "models/text-spam/1.0.0/model.sparse.onnx",
                        "models/text-spam/2.0.0/model.sparse.onnx",
                        "models/text-abuse/1.0.0/manifest.json",
                        "models/text-abuse/1.0.0/model.sparse.onnx",
                        "models/image-safety/1.0.0/manifest.json",
                        "models/audio-safety/1.0.0/manifest.json",
                        "models/video-safety/1.0.0/manifest.json",
                        "ai/onnxruntime/OrtEnvironment.class",
                        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                        "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
                        "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                        "org/apache/kafka/clients/producer/KafkaProducer.class",
                        "org/apache/flink/formats/avro/typeutils/AvroTypeInfo.class",
                        "org/apache/avro/Schema.class",
                        "com/fasterxml/jackson/databind/ObjectMapper.class");
    }

    @Test
    void shouldLeaveTheFlinkRuntimeLoggingAndTrainersOut() {
        // org.apache.flink.* is loaded parent-first on a cluster: only what the distribution lacks may be here
        List<String> allowedFlink = List.of(
                "org/apache/flink/connector/", // connectors (Kafka, connector-base)
                "org/apache/flink/streaming/connectors/kafka/", // the Kafka connector's table factories
                "org/apache/flink/streaming/util/serialization/JSONKeyValueDeserializationSchema", // ditto
                "org/apache/flink/formats/avro/", // flink-avro
                "org/apache/flink/avro/registry/confluent/shaded/", // relocated Confluent client (registry-client)
                "org/apache/flink/avro/shaded/"); // its relocated Jackson and Avro
        List<String> flinkRuntime = entries.stream()
                .filter(e -> e.startsWith("org/apache/flink/") && e.endsWith(".class"))
                .filter(e -> allowedFlink.stream().noneMatch(e::startsWith))
                .toList();
        assertThat(flinkRuntime)
                .as("Flink runtime classes shaded into the job jar")
                .isEmpty();

        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/formats/avro/registry/"))
                .as("the bundle's unrelocated registry formats would shadow flink-avro");
        assertThat(entries).noneMatch(e -> e.startsWith("org/rocksdb/") || e.startsWith("org/apache/flink/state/"));
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/slf4j/")
                        || e.startsWith("org/apache/logging/")
                        || e.startsWith("org/apache/log4j/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/tribuo/") || e.startsWith("com/oracle/labs/"));
        // the models ship as resources (moderato-model-resources); trainers and their CLIs never do
        assertThat(entries).noneMatch(e -> e.startsWith("io/moderato/models/"));
        assertThat(entries)
                .noneMatch(
                        e -> e.startsWith("ai/onnxruntime/native/osx-") || e.startsWith("ai/onnxruntime/native/win-"));
        assertThat(entries).noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));
        assertThat(entries).noneMatch(e -> e.endsWith("module-info.class"));
    }

    @Test
    void shouldMergeServiceFilesAndBeMultiRelease() throws IOException {
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            String factories = new String(
                    jar.getInputStream(jar.getEntry("META-INF/services/org.apache.flink.table.factories.Factory"))
                            .readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(factories)
                    .contains(
                            "org.apache.flink.formats.avro.AvroFormatFactory",
                            "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory");
            Manifest manifest = jar.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Multi-Release")).isEqualTo("true");
        }
    }

    @Test
    void shouldBuildTheJobGraphScoreAndDecodeOnTheProvidedFlinkRuntime() throws Exception {
        Path work = Files.createDirectories(jobJar.resolveSibling("job-jar-probe"));
        Path launcherClasses = copyClasses(ProbeLauncher.class, work.resolve("launcher"));
        Path probeClasses = copyClasses(JobJarProbe.class, work.resolve("probe"));
        String provided = Files.readString(
                        Path.of(System.getProperty("moderato.provided.classpath", "target/provided-classpath.txt")))
                .trim();
        assertThat(provided).contains("flink-streaming-java").doesNotContain("flink-connector-kafka");

        // the classpath goes into an @argfile: ONNX Runtime 1.29 segfaults at start-up on a long command line
        Path argfile = work.resolve("java.args");
        Files.writeString(argfile, "-cp\n\"" + launcherClasses + java.io.File.pathSeparator + provided + "\"\n");
        Path tmp = Files.createDirectories(jobJar.resolveSibling("tmp"));
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-Djava.io.tmpdir=" + tmp,
                        "@" + argfile,
                        ProbeLauncher.class.getName(),
                        jobJar.toString(),
                        probeClasses.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("probe.log").toFile());
        Process process = builder.start();
        boolean finished = process.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String log = Files.readString(work.resolve("probe.log"));
        System.out.println(log);
        assertThat(finished).as("probe finished in time; log:\n" + log).isTrue();
        assertThat(process.exitValue()).as("probe exit code; log:\n" + log).isZero();

        String jar = jobJar.getFileName().toString();
        assertThat(log).contains("PROBE OK");
        for (String fromJobJar : List.of(
                "io.moderato.jobs.detection.DetectionJob",
                "ai.onnxruntime.OrtEnvironment",
                "org.apache.flink.connector.kafka.source.KafkaSource",
                "org.apache.kafka.clients.producer.KafkaProducer",
                "org.apache.flink.formats.avro.typeutils.AvroTypeInfo",
                "io.moderato.registry.SchemaRegistry",
                "io.moderato.schemas.ContentEvent")) {
            assertThat(log)
                    .containsPattern("source " + fromJobJar.replace(".", "\\.") + " \\S*" + jar.replace(".", "\\."));
        }
        for (String fromFlink : List.of(
                "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                "org.apache.flink.configuration.Configuration")) {
            assertThat(log)
                    .containsPattern("source " + fromFlink.replace(".", "\\.") + " \\S*/flink-[a-z-]+-[0-9.]+\\.jar");
        }
        assertThat(log).containsPattern("jobgraph vertices=[1-9]");
        assertThat(log).contains("ort spam=", "registry roundtrip ok");
    }

    /** Copies the class files of {@code type} (incl. nested ones) from test-classes into {@code dir}. */
    private static Path copyClasses(Class<?> type, Path dir) throws IOException, URISyntaxException {
        Path classes =
                Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        String packagePath = type.getPackageName().replace('.', '/');
        Path target = Files.createDirectories(dir.resolve(packagePath));
        try (Stream<Path> files = Files.list(classes.resolve(packagePath))) {
            for (Path file : files.filter(f -> {
                        String name = f.getFileName().toString();
                        return name.equals(type.getSimpleName() + ".class")
                                || name.startsWith(type.getSimpleName() + "$");
                    })
                    .toList()) {
                Files.copy(file, target.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }
}
