package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.common.KafkaRecord;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionState;
import io.moderato.jobs.feedback.FeedbackJob;
import io.moderato.jobs.feedback.FeedbackState;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * What a savepoint relies on, checked on the production graphs of both jobs (Kafka sources and
 * exactly-once sinks, built but not run): every operator uid is the checked-in one, so a rename that
 * would orphan state fails the build (issue 10, item 13); an operator without a uid fails to build
 * (item 3); and no serializer anywhere — records between operators, keys, state — falls back to Kryo,
 * whose state cannot evolve (item 6).
 */
class JobGraphContractTest {

    private static final String DETECTION_UIDS = "operator-uids/detection-job.txt";
    private static final String FEEDBACK_UIDS = "operator-uids/feedback-job.txt";

    private static StreamExecutionEnvironment environment() {
        Configuration conf =
                JobSettings.streamingDefaults("file:///tmp/moderato-graph-test", java.time.Duration.ofSeconds(10));
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    /** The DetectionJob's production graph; {@code contentSeam} may add to its content stream. */
    static StreamGraph detectionGraph(UnaryOperator<DataStream<KafkaRecord>> contentSeam) {
        StreamExecutionEnvironment env = environment();
        Configuration conf = new Configuration();
        KafkaIo kafka =
                new KafkaIo("localhost:9092", "mock://graph-test", DetectionJob.QUALIFIED_NAME, false, 600_000L);
        DetectionJob.Sources sources = DetectionJob.kafkaSources(env, kafka, conf);
        DetectionJob.build(
                env,
                new DetectionJob.Sources(
                        contentSeam.apply(sources.contentEvents()), sources.userSignals(), sources.policyConfigs()),
                DetectionJob.kafkaSinks(kafka, conf),
                conf);
        return env.getStreamGraph();
    }

    static StreamGraph feedbackGraph() {
        StreamExecutionEnvironment env = environment();
        Configuration conf = new Configuration();
        KafkaIo kafka = FeedbackJob.kafkaIo(conf, "moderato-feedback");
        FeedbackJob.build(env, FeedbackJob.kafkaSources(env, kafka, conf), FeedbackJob.kafkaSinks(kafka, conf), conf);
        return env.getStreamGraph();
    }

    /** The uid of every node, sorted. */
    private static List<String> uids(StreamGraph graph) {
        TreeSet<String> uids = new TreeSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            uids.add(node.getTransformationUID());
        }
        return new ArrayList<>(uids);
    }

    /** The listing the checked-in files hold: each uid, then its operator's name as a comment. */
    private static String listing(StreamGraph graph) {
        TreeSet<String> lines = new TreeSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            lines.add(node.getTransformationUID() + "    # " + node.getOperatorName());
        }
        return String.join("\n", lines);
    }

    private static List<String> checkedIn(String resource) throws IOException {
        try (InputStream in = Objects.requireNonNull(
                JobGraphContractTest.class.getClassLoader().getResourceAsStream(resource), resource + " missing")) {
            // "<uid>    # <operator name>": the name is for readers, only the uid is state's address
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.contains(" #") ? l.substring(0, l.indexOf(" #")).strip() : l.strip())
                    .toList();
        }
    }

    @Test
    void shouldKeepEveryOperatorUidOfTheDetectionJobAsCheckedIn() throws IOException {
        assertUids(detectionGraph(UnaryOperator.identity()), DETECTION_UIDS);
    }

    @Test
    void shouldKeepEveryOperatorUidOfTheFeedbackJobAsCheckedIn() throws IOException {
        assertUids(feedbackGraph(), FEEDBACK_UIDS);
    }

    private static void assertUids(StreamGraph graph, String resource) throws IOException {
        assertThat(uids(graph))
                .as(
                        "operator uids against src/test/resources/%s. A uid that changes orphans its operator's state in every "
                                + "savepoint: never rename one. A new operator is added to the file; the graph's listing now:%n%s",
                        resource, listing(graph))
                .containsExactlyElementsOf(checkedIn(resource));
    }

    @Test
    void shouldRefuseToBuildAJobGraphWithAnOperatorThatHasNoUid() {
        assertThatThrownBy(() -> detectionGraph(
                        content -> content.filter(r -> r.value != null).name("No uid")))
                .hasMessageContaining("uid");
    }

    @Test
    void shouldBuildBothJobGraphsWithoutAnyKryoSerializer() {
        for (StreamGraph graph : List.of(detectionGraph(UnaryOperator.identity()), feedbackGraph())) {
            assertThat(graph.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled())
                    .isTrue();
            graph.getJobGraph(); // generates every edge serializer
            for (StreamNode node : graph.getStreamNodes()) {
                List<TypeSerializer<?>> serializers = new ArrayList<>(Arrays.asList(node.getTypeSerializersIn()));
                serializers.add(node.getTypeSerializerOut());
                serializers.add(node.getStateKeySerializer());
                assertThat(serializers).as(node.getOperatorName()).noneMatch(JobGraphContractTest::isKryo);
            }
        }
    }

    @Test
    void shouldCreateEveryStateAndSideOutputSerializerWithoutKryo() throws Exception {
        ExecutionConfig noGenerics = new ExecutionConfig();
        noGenerics.configure(
                JobSettings.applySafetyRules(new Configuration()), JobGraphContractTest.class.getClassLoader());
        assertThat(noGenerics.getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        int checked = 0;
        for (Class<?> holder : List.of(DetectionState.class, FeedbackState.class)) {
            for (Object declared : declaredStateAndTags(holder)) {
                TypeSerializer<?> serializer;
                if (declared instanceof StateDescriptor<?, ?> descriptor) {
                    descriptor.initializeSerializerUnlessSet(noGenerics);
                    serializer = descriptor.getSerializer();
                } else {
                    TypeInformation<?> type = ((OutputTag<?>) declared).getTypeInfo();
                    serializer = type.createSerializer(noGenerics.getSerializerConfig());
                }
                assertThat(isKryo(serializer))
                        .as("%s of %s", declared, holder.getSimpleName())
                        .isFalse();
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
        // the rule is on: a type Flink can only serialize with Kryo is refused
        assertThatThrownBy(() -> TypeInformation.of(Object.class).createSerializer(noGenerics.getSerializerConfig()))
                .hasMessageContaining("Generic types have been disabled");
    }

    /** Every state descriptor and side output a job declares in its state holder (constants and factory methods). */
    private static List<Object> declaredStateAndTags(Class<?> holder) throws Exception {
        List<Object> declared = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && (StateDescriptor.class.isAssignableFrom(field.getType())
                            || field.getType() == OutputTag.class)) {
                declared.add(field.get(null));
            }
        }
        for (Method method : holder.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())
                    && method.getParameterCount() == 0
                    && StateDescriptor.class.isAssignableFrom(method.getReturnType())) {
                declared.add(method.invoke(null));
            }
        }
        return declared;
    }

    private static boolean isKryo(TypeSerializer<?> serializer) {
        return serializer != null && serializer.getClass().getName().contains("Kryo");
    }
}
