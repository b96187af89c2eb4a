package io.moderato.jobs.deploy.probe;

import ai.onnxruntime.OrtEnvironment;
import io.moderato.jobs.common.JobSettings;
import io.moderato.jobs.common.KafkaIo;
import io.moderato.jobs.detection.DetectionJob;
import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.serde.DecodeResult;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.registry.SchemaRegistry;
import io.moderato.schemas.ContentEvent;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.model.TextScorer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * What the cluster does with the job jar, minus the cluster: loaded by {@link ProbeLauncher} through
 * Flink's user-code class loader. Reports where key classes come from, builds the production
 * DetectionJob graph down to a {@link JobGraph} (uids, no Kryo, serializable functions), scores with
 * the bundled model through ONNX Runtime's natives from the jar, round-trips a record through the
 * relocated registry client, and measures the native/direct memory one scoring subtask takes.
 * Throws on any failure.
 */
public final class JobJarProbe {

    private JobJarProbe() {}

    public static List<String> run() throws Exception {
        List<String> report = new ArrayList<>();
        for (Class<?> type : List.of(
                DetectionJob.class,
                OrtEnvironment.class,
                KafkaSource.class,
                KafkaProducer.class,
                AvroTypeInfo.class,
                SchemaRegistry.class,
                ContentEvent.class,
                StreamExecutionEnvironment.class,
                Configuration.class)) {
            report.add("source " + type.getName() + " "
                    + type.getProtectionDomain().getCodeSource().getLocation());
        }

        report.add("jobgraph vertices=" + detectionJobGraph().getNumberOfVertices());

        long rssBefore = rssKiB();
        try (ModelRegistry models = ModelRegistry.open(ModelSource.classpath("models"))) {
            TextScorer text = models.textScorer("text-spam", "1.0.0");
            ScoreBatch two = text.scoreTexts(List.of(
                    "Congratulations, you WON a free cruise! Call now to claim your cash prize",
                    "Hi Anna, the meeting notes from Tuesday are attached, see you next week"));
            float spam = two.probability(0, "spam");
            float ham = two.probability(1, "spam");
            if (!(spam > 0.5f && ham < 0.5f)) {
                throw new AssertionError("bundled text-spam model scored spam=" + spam + " ham=" + ham);
            }
            report.add("ort spam=" + spam + " ham=" + ham);
            long rssLoaded = rssKiB();
            // the worst batch the job sends: detection.scoring.batch.max-size (64) texts of the featurizer's max length
            List<String> longTexts = new ArrayList<>();
            Random random = new Random(7);
            for (int i = 0; i < 64; i++) {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < 20_000) {
                    sb.append("w").append(random.nextInt(50_000)).append(' ');
                }
                longTexts.add(sb.toString());
            }
            long directBefore = directBytes();
            for (int round = 0; round < 5; round++) {
                text.scoreTexts(longTexts);
            }
            long directAfter = directBytes();
            models.embeddingScorer("image-safety", "1.0.0");
            models.embeddingScorer("audio-safety", "1.0.0");
            models.embeddingScorer("video-safety", "1.0.0");
            // the text models the shipped policy defaults score with (2 MB and 1 MB of weights)
            models.textScorer("text-abuse", "1.0.0").scoreTexts(longTexts);
            models.textScorer("text-spam", "2.0.0").scoreTexts(longTexts);
            long rssAll = rssKiB();
            report.add(
                    "memory rssKiB.start=" + rssBefore + " afterTextModel=" + rssLoaded + " afterMaxBatches+allModels="
                            + rssAll + " directBytes.heldAfterBatches=" + (directAfter - directBefore));
        }

        String scope = "mock://job-jar-probe";
        ContentEvent event = ContentEvent.newBuilder()
                .setContentId("c-1")
                .setUserId("u-1")
                .setSurface("comment")
                .setLocale("en-GB")
                .setReachEstimate(100)
                .setEventTimeMillis(1_767_225_600_000L)
                .setPrePublish(false)
                .setText("hello")
                .build();
        byte[] framed = RegistryAvroSerializer.forTopic(ContentEvent.class, scope, "content.events")
                .serialize(event);
        RegistryAvroDeserializer<ContentEvent> deserializer = RegistryAvroDeserializer.of(ContentEvent.class, scope);
        deserializer.open();
        DecodeResult<ContentEvent> decoded = deserializer.decode(framed);
        if (!decoded.isOk() || !event.equals(decoded.record())) {
            throw new AssertionError("registry round trip failed: " + decoded);
        }
        report.add("registry roundtrip ok schemaId=" + decoded.schemaId());
        return report;
    }

    /** main()'s wiring without execute(): generating the JobGraph enforces uids and no generic types. */
    private static JobGraph detectionJobGraph() throws Exception {
        Configuration args = new Configuration();
        args.set(DetectionOptions.BOOTSTRAP_SERVERS, "localhost:9");
        args.set(DetectionOptions.SCHEMA_REGISTRY_URL, "http://localhost:9");
        args.set(
                DetectionOptions.CHECKPOINT_DIR,
                Files.createTempDirectory("probe-checkpoints").toUri().toString());
        Configuration jobConf = JobSettings.streamingDefaults(
                args.get(DetectionOptions.CHECKPOINT_DIR), args.get(DetectionOptions.CHECKPOINT_INTERVAL));
        jobConf.addAll(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        KafkaIo kafka = new KafkaIo(
                args.get(DetectionOptions.BOOTSTRAP_SERVERS),
                args.get(DetectionOptions.SCHEMA_REGISTRY_URL),
                DetectionJob.QUALIFIED_NAME,
                false,
                args.get(DetectionOptions.TRANSACTION_TIMEOUT_MS));
        DetectionJob.build(
                env, DetectionJob.kafkaSources(env, kafka, args), DetectionJob.kafkaSinks(kafka, args), args);
        return env.getStreamGraph().getJobGraph();
    }

    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    private static long rssKiB() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
