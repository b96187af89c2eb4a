package io.moderato.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.schemas.Topic;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps {@code k8s/} honest against the code: every {@code --key} a FlinkDeployment passes is an option
 * of its job and parses and validates, the entry class exists, the checkpoint settings the job applies
 * itself equal the cluster's, the TaskManager memory adds up under Flink's own memory model (with room
 * for ONNX Runtime's native memory), every topic of the wire contract has a KafkaTopic, the PodMonitor
 * finds the pods' metrics port, and the Dockerfile puts the jar where {@code jarURI} points.
 *
 * <p>The base is checked as written (placeholders are plain strings to the options). Every overlay is
 * rendered with {@code kubectl kustomize} and checked as it would be applied; without kubectl on the
 * PATH those tests are skipped. A FlinkDeployment whose job class is not on this branch yet
 * (FeedbackJob while it is being written) is skipped too, and checked as soon as the class exists.
 */
class KubernetesManifestsTest {

    static final Path K8S = Path.of(System.getProperty("moderato.k8s.dir", "../k8s"))
            .toAbsolutePath()
            .normalize();
    static final String JAR_URI = "local:///opt/flink/usrlib/moderato-flink-jobs-job.jar";
    static final Pattern PLACEHOLDER =
            Pattern.compile("\\b(KAFKA_BOOTSTRAP_SERVERS|SCHEMA_REGISTRY_URL|STATE_BUCKET|KAFKA_CLUSTER)\\b");

    /** Jobs that run ONNX Runtime, with the native memory budget documented in docs/kubernetes.md#memory. */
    static final Set<String> ORT_JOBS = Set.of("io.moderato.jobs.detection.DetectionJob");

    static final MemorySize ORT_PER_TASK_MANAGER = MemorySize.ofMebiBytes(64);
    static final MemorySize ORT_PER_SLOT = MemorySize.ofMebiBytes(32);
    static final MemorySize MIN_TASK_HEAP_PER_SLOT = MemorySize.ofMebiBytes(128);

    /** The topic each job reads its volume from: more subtasks than partitions would idle. */
    static final Map<String, String> MAIN_INPUT = Map.of(
            "io.moderato.jobs.detection.DetectionJob", "content.events",
            "io.moderato.jobs.feedback.FeedbackJob", "risk.decisions");

    static final Set<String> COMPACTED = Set.of("user.signals", "policy.config");

    @Test
    void shouldParseEveryYamlFile() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path file : files) {
            assertThat(documents(Files.readString(file))).as(file.toString()).isNotEmpty();
        }
    }

    @TestFactory
    Stream<DynamicNode> baseDeploymentsShouldMatchTheirJobs() throws IOException {
        List<Map<String, Object>> base = new ArrayList<>();
        for (Path file : yamlFiles()) {
            if (file.startsWith(K8S.resolve("base")) && !file.endsWith("kustomization.yaml")) {
                base.addAll(documents(Files.readString(file)));
            }
        }
        List<Map<String, Object>> deployments = ofKind(base, "FlinkDeployment");
        assertThat(deployments)
                .extracting(d -> name(d))
                .containsExactlyInAnyOrder("moderato-detection", "moderato-feedback");
        return deployments.stream().map(d -> DynamicTest.dynamicTest("base " + name(d), () -> checkDeployment(d)));
    }

    @TestFactory
    Stream<DynamicNode> everyRenderedOverlayShouldBeDeployable() throws IOException {
        List<Path> overlays;
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            overlays = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(overlays).extracting(p -> p.getFileName().toString()).contains("dev", "prod");
        return overlays.stream().map(overlay -> {
            String name = overlay.getFileName().toString();
            List<Map<String, Object>> rendered = render(overlay);
            if (rendered == null) {
                return DynamicTest.dynamicTest(
                        name,
                        () -> Assumptions.abort(
                                "kubectl is not on the PATH: cannot render " + overlay + " (kubectl kustomize)"));
            }
            List<DynamicNode> checks = new ArrayList<>();
            checks.add(DynamicTest.dynamicTest("no placeholder left", () -> checkNoPlaceholder(rendered)));
            checks.add(DynamicTest.dynamicTest("topics", () -> checkTopics(rendered, name)));
            checks.add(DynamicTest.dynamicTest("pod monitor", () -> checkPodMonitor(rendered)));
            for (Map<String, Object> deployment : ofKind(rendered, "FlinkDeployment")) {
                checks.add(DynamicTest.dynamicTest(name(deployment), () -> {
                    checkDeployment(deployment);
                    checkParallelismFitsPartitions(deployment, rendered);
                }));
            }
            return DynamicContainer.dynamicContainer(name, checks);
        });
    }

    @Test
    void dockerfileShouldPutTheJobJarWhereTheDeploymentsLookForIt() throws IOException {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        Matcher from = Pattern.compile("(?m)^ARG FLINK_IMAGE=flink:(\\S+)$").matcher(dockerfile);
        assertThat(from.find()).as("ARG FLINK_IMAGE=flink:<tag>").isTrue();
        assertThat(from.group(1)).startsWith(org.apache.flink.runtime.util.EnvironmentInformation.getVersion() + "-");

        Matcher copy = Pattern.compile("(?m)^COPY .*flink-jobs/target/moderato-flink-jobs-\\*-job\\.jar (\\S+)$")
                .matcher(dockerfile);
        assertThat(copy.find()).as("COPY of the job jar").isTrue();
        assertThat("local://" + copy.group(1)).isEqualTo(JAR_URI);
    }

    // ---------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static void checkDeployment(Map<String, Object> deployment) throws Exception {
        String where = "FlinkDeployment " + name(deployment);
        Map<String, Object> spec = map(deployment, "spec");
        Map<String, Object> job = map(spec, "job");
        Map<String, Object> flinkConf = map(spec, "flinkConfiguration");

        assertThat(spec.get("flinkVersion")).as(where + " flinkVersion").isEqualTo("v2_2");
        assertThat(job.get("jarURI")).as(where + " jarURI").isEqualTo(JAR_URI);
        assertThat(job.get("upgradeMode")).as(where + " upgradeMode").isEqualTo("savepoint");
        assertThat((Integer) job.get("parallelism")).as(where + " parallelism").isPositive();
        flinkConf.forEach((key, value) -> assertThat(value)
                .as(where + " flinkConfiguration." + key + " must be a string (quote it)")
                .isInstanceOf(String.class));
        assertThat(flinkConf)
                .as(where + " flinkConfiguration")
                .containsAllEntriesOf(Map.of(
                        "state.backend.type",
                        "rocksdb",
                        "execution.checkpointing.incremental",
                        "true",
                        "execution.checkpointing.unaligned.enabled",
                        "true",
                        "execution.checkpointing.aligned-checkpoint-timeout",
                        io.moderato.jobs.common.JobSettings.ALIGNED_CHECKPOINT_TIMEOUT.toSeconds() + "s",
                        "pipeline.generic-types",
                        "false",
                        "pipeline.auto-generate-uids",
                        "false",
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"));
        assertThat(flinkConf)
                .containsKeys(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "execution.checkpointing.interval",
                        "metrics.reporter.prom.port");

        checkFlinkConfigurationKeys(where, flinkConf);

        String entryClass = (String) job.get("entryClass");
        Class<?> optionsClass = jobClasses(entryClass, where);
        Map<String, ConfigOption<?>> options = options(optionsClass);

        // --key value pairs, every key a real option whose value parses and validates
        List<String> args = (List<String>) job.get("args");
        assertThat(args).as(where + " args").isNotNull();
        assertThat(args.size() % 2)
                .as(where + " args must be --key value pairs: " + args)
                .isZero();
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String key = args.get(i);
            assertThat(key).as(where + " arg " + i).startsWith("--");
            String bare = key.substring(2);
            assertThat(options)
                    .as(where + ": " + key + " is not an option of " + optionsClass.getSimpleName())
                    .containsKey(bare);
            assertThat(given.put(bare, args.get(i + 1)))
                    .as(where + ": " + key + " given twice")
                    .isNull();
        }
        Configuration conf = Configuration.fromMap(given);
        for (String key : given.keySet()) {
            try {
                conf.get(options.get(key));
            } catch (IllegalArgumentException e) {
                fail(where + ": --" + key + " " + given.get(key) + " does not parse: " + e.getMessage());
            }
        }
        Method validate = findValidate(optionsClass);
        if (validate != null) {
            assertThat((List<String>) validate.invoke(null, conf))
                    .as(where + " " + optionsClass.getSimpleName() + ".validate")
                    .isEmpty();
        }

        // The job sets checkpoint dir and interval itself (its own defaults if not given), and job settings
        // override the cluster's: what it will use must be what the cluster (and the operator) expect.
        for (Map.Entry<String, ConfigOption<?>> option : options.entrySet()) {
            if (option.getKey().endsWith(".checkpoint.dir")) {
                assertThat(given)
                        .as(where + ": without --" + option.getKey() + " the job checkpoints to its default "
                                + option.getValue().defaultValue())
                        .containsKey(option.getKey());
                assertThat(given.get(option.getKey()))
                        .as(where + " --" + option.getKey() + " vs execution.checkpointing.dir")
                        .isEqualTo(flinkConf.get("execution.checkpointing.dir"));
            }
            if (option.getKey().endsWith(".checkpoint.interval")) {
                assertThat(conf.get(option.getValue()))
                        .as(where + " --" + option.getKey() + " vs execution.checkpointing.interval")
                        .isEqualTo(TimeUtils.parseDuration((String) flinkConf.get("execution.checkpointing.interval")));
            }
        }

        checkTaskManagerMemory(where, entryClass, spec, flinkConf);
        // the benchmarks' throughput assumes Avro's fast reader in the TaskManagers
        assertThat(String.valueOf(flinkConf.get("env.java.opts.taskmanager")))
                .as(where + ": env.java.opts.taskmanager")
                .contains("-Dorg.apache.avro.fastread=true");
    }

    /**
     * Every key is a Flink option of 2.2 (no typo, no removed 1.x key) and its value parses; keys read by
     * the operator, by a metrics reporter or by the S3 filesystem plugin are left to those.
     */
    static void checkFlinkConfigurationKeys(String where, Map<String, Object> flinkConf) throws Exception {
        Map<String, ConfigOption<?>> flinkOptions = new HashMap<>();
        for (String optionsClass : FLINK_OPTION_CLASSES) {
            flinkOptions.putAll(options(Class.forName(optionsClass)));
        }
        Map<String, String> settings = new HashMap<>();
        flinkConf.forEach((k, v) -> settings.put(k, String.valueOf(v)));
        Configuration conf = Configuration.fromMap(settings);
        for (String key : flinkConf.keySet()) {
            if (NOT_FLINK_CORE_PREFIXES.stream().anyMatch(key::startsWith)) {
                continue;
            }
            assertThat(flinkOptions)
                    .as(where + ": flinkConfiguration." + key + " is not a Flink 2.2 option")
                    .containsKey(key);
            try {
                conf.get(flinkOptions.get(key));
            } catch (IllegalArgumentException e) {
                fail(where + ": flinkConfiguration." + key + "=" + flinkConf.get(key) + " does not parse: "
                        + e.getMessage());
            }
        }
    }

    static final List<String> FLINK_OPTION_CLASSES = List.of(
            "org.apache.flink.configuration.CheckpointingOptions",
            "org.apache.flink.configuration.CoreOptions",
            "org.apache.flink.configuration.StateBackendOptions",
            "org.apache.flink.configuration.PipelineOptions",
            "org.apache.flink.configuration.TaskManagerOptions",
            "org.apache.flink.configuration.JobManagerOptions",
            "org.apache.flink.configuration.HighAvailabilityOptions",
            "org.apache.flink.configuration.RestartStrategyOptions",
            "org.apache.flink.configuration.MetricOptions",
            "org.apache.flink.state.rocksdb.RocksDBOptions",
            "org.apache.flink.state.rocksdb.RocksDBConfigurableOptions");
    static final List<String> NOT_FLINK_CORE_PREFIXES = List.of("kubernetes.operator.", "metrics.reporter.", "s3.");

    /** Flink's own memory model must accept the TaskManager and leave room for the job's native memory. */
    static void checkTaskManagerMemory(
            String where, String entryClass, Map<String, Object> spec, Map<String, Object> flinkConf) {
        Map<String, String> settings = new HashMap<>();
        flinkConf.forEach((k, v) -> settings.put(k, (String) v));
        Configuration conf = Configuration.fromMap(settings);
        // the operator turns spec.taskManager.resource.memory into taskmanager.memory.process.size
        assertThat(flinkConf)
                .as(where + ": size TaskManagers with spec.taskManager.resource.memory only")
                .doesNotContainKey(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key());
        String memory = String.valueOf(map(map(spec, "taskManager"), "resource").get("memory"));
        conf.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(memory));
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        int slots = tm.getNumSlots();
        String breakdown = where + " TaskManager " + memory + ": task heap "
                + tm.getTaskHeapSize().toHumanReadableString()
                + ", task off-heap " + tm.getTaskOffHeapSize().toHumanReadableString() + ", managed "
                + tm.getManagedMemorySize().toHumanReadableString() + ", network "
                + tm.getNetworkMemSize().toHumanReadableString()
                + ", slots " + slots;
        assertThat(tm.getTaskHeapSize().getBytes())
                .as(breakdown)
                .isGreaterThanOrEqualTo(MIN_TASK_HEAP_PER_SLOT.getBytes() * slots);
        if (ORT_JOBS.contains(entryClass)) {
            long ort = ORT_PER_TASK_MANAGER.getBytes() + ORT_PER_SLOT.getBytes() * slots;
            assertThat(tm.getTaskOffHeapSize().getBytes())
                    .as(breakdown + ": ONNX Runtime needs " + new MemorySize(ort).toHumanReadableString()
                            + " of task off-heap")
                    .isGreaterThanOrEqualTo(ort);
        }
    }

    /** The job class must exist; a job still being written on another branch is skipped until it lands. */
    static Class<?> jobClasses(String entryClass, String where) {
        assertThat(entryClass).as(where + " entryClass").isNotBlank();
        String optionsName = entryClass.replaceAll("Job$", "Options");
        try {
            Class.forName(entryClass, false, KubernetesManifestsTest.class.getClassLoader());
            return Class.forName(optionsName, false, KubernetesManifestsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            if (entryClass.equals("io.moderato.jobs.feedback.FeedbackJob")) {
                Assumptions.abort(where + ": " + e.getMessage() + " is not on this branch yet; checked once it is");
            }
            throw new AssertionError(where + ": entryClass/options class not found: " + e.getMessage(), e);
        }
    }

    static Map<String, ConfigOption<?>> options(Class<?> optionsClass) throws IllegalAccessException {
        Map<String, ConfigOption<?>> byKey = new LinkedHashMap<>();
        for (Field field : optionsClass.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                byKey.put(option.key(), option);
            }
        }
        assertThat(byKey)
                .as(optionsClass + " declares public static ConfigOption fields")
                .isNotEmpty();
        return byKey;
    }

    static Method findValidate(Class<?> optionsClass) {
        try {
            return optionsClass.getMethod("validate", Configuration.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static void checkNoPlaceholder(List<Map<String, Object>> rendered) {
        String text = rendered.toString();
        Matcher left = PLACEHOLDER.matcher(text);
        List<String> found = new ArrayList<>();
        while (left.find()) {
            found.add(left.group());
        }
        assertThat(found)
                .as("placeholders not filled by components/environment")
                .isEmpty();
    }

    @SuppressWarnings("unchecked")
    static void checkTopics(List<Map<String, Object>> rendered, String overlay) {
        Map<String, Map<String, Object>> byTopic = new LinkedHashMap<>();
        for (Map<String, Object> topic : ofKind(rendered, "KafkaTopic")) {
            Map<String, Object> spec = map(topic, "spec");
            String topicName = (String) spec.get("topicName");
            assertThat(topicName)
                    .as("KafkaTopic " + name(topic) + " spec.topicName")
                    .isNotBlank();
            assertThat(byTopic.put(topicName, spec))
                    .as("two KafkaTopics for " + topicName)
                    .isNull();
            assertThat(map(map(topic, "metadata"), "labels"))
                    .as(topicName + " labels")
                    .containsKey("strimzi.io/cluster");

            int partitions = (Integer) spec.get("partitions");
            int replicas = (Integer) spec.get("replicas");
            Map<String, Object> config = (Map<String, Object>) spec.get("config");
            int minIsr = Integer.parseInt(String.valueOf(config.get("min.insync.replicas")));
            assertThat(partitions).as(topicName + " partitions").isPositive();
            assertThat(minIsr)
                    .as(topicName + " min.insync.replicas <= replicas")
                    .isBetween(1, replicas);
            if (replicas > 1) {
                assertThat(minIsr)
                        .as(topicName + ": min.insync.replicas = replicas stops producers when one broker is down")
                        .isLessThan(replicas);
            }
            if (COMPACTED.contains(topicName)) {
                assertThat(config.get("cleanup.policy"))
                        .as(topicName + " cleanup.policy")
                        .isEqualTo("compact");
            } else {
                assertThat(config.get("cleanup.policy"))
                        .as(topicName + " cleanup.policy")
                        .isEqualTo("delete");
                assertThat(config).as(topicName + " retention").containsKey("retention.ms");
            }
        }
        Set<String> required = new TreeSet<>();
        Arrays.stream(Topic.values()).map(Topic::topicName).forEach(required::add);
        // and every topic either job reads or writes by default (e.g. review.labels.unmatched)
        List<ConfigOption<?>> options = new ArrayList<>(DetectionOptions.all());
        options.addAll(FeedbackOptions.all());
        for (ConfigOption<?> option : options) {
            if (option.key().startsWith("detection.topic.") || option.key().startsWith("feedback.topic.")) {
                required.add((String) option.defaultValue());
            }
        }
        assertThat(byTopic.keySet())
                .as(overlay + ": a KafkaTopic for every topic")
                .containsAll(required);
    }

    @SuppressWarnings("unchecked")
    static void checkPodMonitor(List<Map<String, Object>> rendered) {
        List<Map<String, Object>> monitors = ofKind(rendered, "PodMonitor");
        assertThat(monitors).hasSize(1);
        Map<String, Object> spec = map(monitors.get(0), "spec");
        Map<String, Object> selector = map(map(spec, "selector"), "matchLabels");
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
        for (Map<String, Object> deployment : ofKind(rendered, "FlinkDeployment")) {
            String where = "FlinkDeployment " + name(deployment);
            Map<String, Object> dSpec = map(deployment, "spec");
            Map<String, Object> template = map(dSpec, "podTemplate");
            Map<String, Object> podLabels = new HashMap<>(map(map(template, "metadata"), "labels"));
            podLabels.put("type", "flink-native-kubernetes"); // set by Flink's native Kubernetes integration
            assertThat(dSpec.get("mode")).as(where + " mode").isEqualTo("native");
            assertThat(podLabels).as(where + " pods selected by the PodMonitor").containsAllEntriesOf(selector);

            String promPort = (String) map(dSpec, "flinkConfiguration").get("metrics.reporter.prom.port");
            List<Map<String, Object>> containers =
                    (List<Map<String, Object>>) map(template, "spec").get("containers");
            Map<String, Object> main = containers.stream()
                    .filter(c -> "flink-main-container".equals(c.get("name")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(where + ": no flink-main-container in podTemplate"));
            Map<String, Integer> ports = ((List<Map<String, Object>>) main.get("ports"))
                    .stream().collect(Collectors.toMap(p -> (String) p.get("name"), p ->
                            (Integer) p.get("containerPort")));
            for (Map<String, Object> endpoint : endpoints) {
                assertThat(ports)
                        .as(where + ": container port for the PodMonitor endpoint")
                        .containsEntry((String) endpoint.get("port"), Integer.parseInt(promPort));
            }
        }
    }

    static void checkParallelismFitsPartitions(Map<String, Object> deployment, List<Map<String, Object>> rendered) {
        Map<String, Object> job = map(map(deployment, "spec"), "job");
        String input = MAIN_INPUT.get((String) job.get("entryClass"));
        if (input == null) {
            return;
        }
        int partitions = ofKind(rendered, "KafkaTopic").stream()
                .map(t -> map(t, "spec"))
                .filter(s -> input.equals(s.get("topicName")))
                .mapToInt(s -> (Integer) s.get("partitions"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no KafkaTopic " + input));
        assertThat((Integer) job.get("parallelism"))
                .as("FlinkDeployment " + name(deployment) + " parallelism vs " + input
                        + " partitions (more subtasks would idle)")
                .isLessThanOrEqualTo(partitions);
    }

    // ---------------------------------------------------------------------------------------------

    /** {@code kubectl kustomize dir}, parsed; null when kubectl is not installed. */
    static List<Map<String, Object>> render(Path dir) {
        Process process;
        Path out;
        Path err;
        try {
            out = Files.createTempFile("kustomize", ".yaml");
            err = Files.createTempFile("kustomize", ".err");
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
        } catch (IOException e) {
            return null;
        }
        try {
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            assertThat(finished).as("kubectl kustomize " + dir + " finished").isTrue();
            assertThat(process.exitValue())
                    .as("kubectl kustomize " + dir + ": " + Files.readString(err))
                    .isZero();
            return documents(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static String name(Map<String, Object> doc) {
        return (String) map(doc, "metadata").get("name");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("'" + key + "' in " + parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
