package io.moderato.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.testing.DetectionFixtures;
import io.moderato.jobs.testing.DetectionJobRun;
import io.moderato.jobs.testing.EmbeddedKafka;
import io.moderato.jobs.testing.MiniClusterWithKafka;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.jobs.testing.TopicScope;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.config.PolicyDefaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, items 7 and 8: every kind of hostile input and hostile config through the real DetectionJob
 * (embedded broker, MiniCluster with RocksDB, restarts disabled, so any record that made an operator
 * or a sink throw fails the run). Refused records land in {@code deadletter} with the partition and
 * offset they were read from; items whose embeddings cannot be scored are decided fail-safe; the valid
 * records' decisions equal those of a clean run; no hostile config replaces the live one.
 */
class HostileTrafficITCase {

    @RegisterExtension
    static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);

    private static final double REVIEW = 0.3;
    private static final double ACTION = 0.97;
    private static final long MINUTE = 60_000L;
    private static final int IMAGE_DIMENSIONS = 512; // image-safety 1.0.0's input

    @TempDir
    Path tmp;

    private static TopicScope newRun(String name) throws Exception {
        TopicScope run = TopicScope.create(CLUSTER.kafka(), name);
        DetectionJobRun.createTopics(run, 2);
        return run;
    }

    /** spam (text, thresholds from the trainer's sample) and the shipped nudity policy (image embeddings). */
    private Path defaults() {
        PolicyConfig nudity = PolicyDefaults.shipped().stream()
                .filter(p -> p.getPolicyId().equals("nudity"))
                .findFirst()
                .orElseThrow();
        return DetectionFixtures.writeDefaults(tmp, List.of(DetectionFixtures.spamPolicy(1, REVIEW, ACTION), nudity));
    }

    /** Clear ham, borderline and clear spam by the trainer's own probability, one user each. */
    private static List<ContentEvent> validEvents(String prefix, int count, long start) {
        List<ParitySample.Message> ham = ParitySample.between(0.0, 0.2);
        List<ParitySample.Message> borderline = ParitySample.between(0.35, 0.95);
        List<ParitySample.Message> spam = ParitySample.between(0.985, 1.01);
        List<ContentEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ParitySample.Message> pool = i % 10 < 7 ? ham : i % 10 < 8 ? borderline : spam;
            events.add(DetectionFixtures.textEvent(
                    prefix + i,
                    "user-" + prefix + i,
                    pool.get((i * 7) % pool.size()).text(),
                    start + i * 250L,
                    i % 5 == 0));
        }
        return events;
    }

    // ---------------------------------------------------------------------------------------------- item 7

    @Test
    void shouldDeadLetterEveryHostileRecordWithItsCoordinatesWithoutARestartAndDecideTheRestAsACleanRun()
            throws Exception {
        Path defaults = defaults();
        long now = System.currentTimeMillis();
        List<ContentEvent> valid = validEvents("v", 120, DetectionFixtures.T0);
        ContentEvent last = valid.get(valid.size() - 1);
        Map<String, Double> features = Map.of("karma", 1.0);
        Map<String, Double> hostileFeatures = Map.of(
                "karma", 1.0, "nan", Double.NaN, "inf", Double.POSITIVE_INFINITY, "minusInf", Double.NEGATIVE_INFINITY);

        // fixture times are fixed 2026 dates: accept them, refuse anything 5 years older than the oldest
        Configuration options = new Configuration();
        options.set(
                DetectionOptions.MAX_PAST,
                Duration.ofMillis(now - DetectionFixtures.T0).plusDays(365));

        TopicScope clean = newRun("clean");
        clean.produce(
                "user.signals", UserSignal.class, List.of(signal(last.getUserId(), features)), UserSignal::getUserId);
        clean.produce("content.events", ContentEvent.class, valid, ContentEvent::getContentId);
        runBounded(clean, defaults, options);

        TopicScope hostile = newRun("hostile");
        // NaN / ±∞ user features: ignored by fusion, so this user's decision equals the clean run's
        hostile.produce(
                "user.signals",
                UserSignal.class,
                List.of(signal(last.getUserId(), hostileFeatures)),
                UserSignal::getUserId);
        Map<String, byte[]> refused = refusedRecords(hostile, valid.get(0), now);
        Map<String, ContentEvent> failSafe = unscorableEmbeddings(valid.get(1));
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        List<String> hostileKeys = new ArrayList<>(refused.keySet());
        hostileKeys.addAll(failSafe.keySet());
        for (int i = 0; i < valid.size(); i++) {
            if (i % 8 == 4 && i / 8 < hostileKeys.size()) { // interleave the hostile records with the valid ones
                String key = hostileKeys.get(i / 8);
                keys.add(key);
                values.add(
                        refused.containsKey(key)
                                ? refused.get(key)
                                : hostile.encode("content.events", ContentEvent.class, List.of(failSafe.get(key)))
                                        .get(0));
            }
            keys.add(valid.get(i).getContentId());
            values.add(hostile.encode("content.events", ContentEvent.class, List.of(valid.get(i)))
                    .get(0));
        }
        assertThat(keys).hasSize(valid.size() + refused.size() + failSafe.size());
        CLUSTER.kafka().produce(hostile.topic("content.events"), keys, values);

        long started = System.nanoTime();
        runBounded(hostile, defaults, options); // restarts disabled: a failure would throw here
        System.out.printf(
                "[reliability] hostile run: %d valid + %d refused + %d unscorable records, %d ms, 0 restarts%n",
                valid.size(), refused.size(), failSafe.size(), (System.nanoTime() - started) / 1_000_000);

        // every refused record: dead-lettered once, with the partition and offset it was read from
        Map<String, ConsumerRecord<byte[], byte[]>> input = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                CLUSTER.kafka().readCommitted(hostile.topic("content.events"), keys.size(), TopicScope.READ_TIMEOUT)) {
            input.put(EmbeddedKafka.text(r.key()), r);
        }
        List<DeadLetter> deadLetters = hostile.read("deadletter", DeadLetter.class, refused.size());
        assertThat(deadLetters)
                .extracting(d -> EmbeddedKafka.text(d.getKey() == null ? null : bytes(d.getKey())))
                .containsExactlyInAnyOrderElementsOf(refused.keySet());
        Map<String, String> errors = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            String key = EmbeddedKafka.text(bytes(d.getKey()));
            ConsumerRecord<byte[], byte[]> read = input.get(key);
            assertThat(d.getSourceTopic()).isEqualTo(hostile.topic("content.events"));
            assertThat(d.getPartition()).as("partition of %s", key).isEqualTo(read.partition());
            assertThat(d.getOffset()).as("offset of %s", key).isEqualTo(read.offset());
            assertThat(d.getJob()).isEqualTo("detection");
            byte[] value = bytes(d.getValue());
            // raw bytes kept, cut at the dead-letter bound (the 10 MB text)
            assertThat(value).isEqualTo(Arrays.copyOf(refused.get(key), value.length));
            errors.put(key, d.getError());
        }
        System.out.println("[reliability] dead letters: " + errors);
        assertThat(errors.get("bad-magic-byte")).isNotBlank();
        assertThat(errors.get("unknown-schema-id")).isNotBlank();
        assertThat(errors.get("truncated")).isNotBlank();
        assertThat(errors.get("text-10MB")).contains("text").contains(DetectionOptions.MAX_TEXT_CHARS.key());
        assertThat(bytes(deadLetters.stream()
                        .filter(d -> EmbeddedKafka.text(bytes(d.getKey())).equals("text-10MB"))
                        .findFirst()
                        .orElseThrow()
                        .getValue()))
                .hasSizeLessThan(refused.get("text-10MB").length);
        assertThat(errors.get("invalid-utf8-user")).contains("INVALID_UTF8").contains("userId");
        assertThat(errors.get("negative-reach")).contains("reachEstimate");
        assertThat(errors.get("embedding-9000")).contains("imageEmbedding.vector");
        assertThat(errors.get("time-zero")).contains("eventTimeMillis");
        assertThat(errors.get("time-year-3000")).contains(DetectionOptions.MAX_FUTURE.key());
        assertThat(errors.get("time-2h-ahead")).contains(DetectionOptions.MAX_FUTURE.key());
        assertThat(errors.get("time-5y-old")).contains(DetectionOptions.MAX_PAST.key());

        int decided = valid.size() + failSafe.size();
        List<RiskDecision> decisions = hostile.read("risk.decisions", RiskDecision.class, decided);
        assertThat(decisions)
                .extracting(RiskDecision::getContentId)
                .doesNotHaveDuplicates()
                .hasSize(decided);
        // embeddings that cannot be scored: decided, never allowed by omission (fail-safe review)
        for (RiskDecision d : decisions) {
            if (failSafe.containsKey(d.getContentId())) {
                PolicyDecision nudity = d.getPolicies().stream()
                        .filter(p -> p.getPolicyId().equals("nudity"))
                        .findFirst()
                        .orElseThrow();
                assertThat(nudity.getScoringProblems()).as(d.getContentId()).isNotEmpty();
                assertThat(nudity.getBand()).as(d.getContentId()).isIn("REVIEW", "HOLD");
            }
        }
        Map<String, String> hostileValid = comparable(decisions, failSafe.keySet());
        assertThat(hostileValid).hasSize(valid.size());
        assertThat(hostileValid)
                .isEqualTo(comparable(
                        clean.read("risk.decisions", RiskDecision.class, valid.size()), Collections.emptySet()));
        assertThat(clean.read("deadletter", DeadLetter.class, 0)).isEmpty();
    }

    private static UserSignal signal(String userId, Map<String, Double> features) {
        return new UserSignal(userId, 400, 0, 0, true, DetectionFixtures.T0, features);
    }

    /** Records the job must refuse at its door, by key: every hostile shape of issue 10, item 7. */
    private static Map<String, byte[]> refusedRecords(TopicScope run, ContentEvent template, long now) {
        byte[] valid = run.encode("content.events", ContentEvent.class, List.of(template))
                .get(0);
        Map<String, byte[]> refused = new LinkedHashMap<>();
        byte[] badMagic = valid.clone();
        badMagic[0] = 7;
        refused.put("bad-magic-byte", badMagic);
        byte[] unknownId = valid.clone();
        unknownId[1] = 0x7f; // schema id 0x7f......: never registered
        refused.put("unknown-schema-id", unknownId);
        refused.put("truncated", Arrays.copyOf(valid, valid.length / 2));
        refused.put("text-10MB", encoded(run, template, "text-10MB", b -> b.setText("spam ".repeat(2 * 1024 * 1024))));
        refused.put("invalid-utf8-user", invalidUtf8UserId(run, template));
        refused.put("negative-reach", encoded(run, template, "negative-reach", b -> b.setReachEstimate(-1)));
        refused.put(
                "embedding-9000",
                encoded(run, template, "embedding-9000", b -> b.setImageEmbedding(embedding(9000, 0.1f))));
        refused.put("time-zero", encoded(run, template, "time-zero", b -> b.setEventTimeMillis(0)));
        refused.put(
                "time-year-3000",
                encoded(run, template, "time-year-3000", b -> b.setEventTimeMillis(32_503_680_000_000L)));
        refused.put(
                "time-2h-ahead",
                encoded(run, template, "time-2h-ahead", b -> b.setEventTimeMillis(now + 120 * MINUTE)));
        refused.put(
                "time-5y-old",
                encoded(
                        run,
                        template,
                        "time-5y-old",
                        b -> b.setEventTimeMillis(DetectionFixtures.T0 - 5 * 365 * 24 * 60 * MINUTE)));
        return refused;
    }

    /** Items with an image embedding that image-safety cannot score: wrong size, NaN, ∞. */
    private static Map<String, ContentEvent> unscorableEmbeddings(ContentEvent template) {
        Map<String, ContentEvent> items = new LinkedHashMap<>();
        items.put("embedding-wrong-size", withImage(template, "embedding-wrong-size", embedding(100, 0.1f)));
        Embedding nan = embedding(IMAGE_DIMENSIONS, 0.1f);
        nan.getVector().set(3, Float.NaN);
        items.put("embedding-nan", withImage(template, "embedding-nan", nan));
        Embedding inf = embedding(IMAGE_DIMENSIONS, 0.1f);
        inf.getVector().set(7, Float.POSITIVE_INFINITY);
        items.put("embedding-infinite", withImage(template, "embedding-infinite", inf));
        return items;
    }

    private static ContentEvent withImage(ContentEvent template, String contentId, Embedding image) {
        return ContentEvent.newBuilder(template)
                .setContentId(contentId)
                .setUserId("user-" + contentId)
                .setImageEmbedding(image)
                .build();
    }

    private static Embedding embedding(int dimensions, float value) {
        return new Embedding("clip", "1", new ArrayList<>(Collections.nCopies(dimensions, value)));
    }

    private static byte[] encoded(
            TopicScope run,
            ContentEvent template,
            String contentId,
            java.util.function.Consumer<ContentEvent.Builder> change) {
        ContentEvent.Builder builder =
                ContentEvent.newBuilder(template).setContentId(contentId).setUserId("user-" + contentId);
        change.accept(builder);
        return run.encode("content.events", ContentEvent.class, List.of(builder.build()))
                .get(0);
    }

    /** A frame whose userId bytes are not UTF-8 (a lone continuation byte and 0xFF). */
    private static byte[] invalidUtf8UserId(TopicScope run, ContentEvent template) {
        byte[] frame = encoded(run, template, "invalid-utf8-user", b -> b.setUserId("user-QQQQ"));
        byte[] marker = "QQQQ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + marker.length <= frame.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(frame, i, i + marker.length), marker)) {
                System.arraycopy(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0x80}, 0, frame, i, marker.length);
                return frame;
            }
        }
        throw new AssertionError("userId not found in the frame");
    }

    // ---------------------------------------------------------------------------------------------- item 8

    @Test
    void shouldAuditEveryHostileConfigAndNeverReplaceTheLiveConfigOrAWorkingModel() throws Exception {
        TopicScope run = newRun("configs");
        PolicyConfig live = DetectionFixtures.spamPolicy(2, REVIEW, 0.96);
        Map<String, PolicyConfig> hostile = new LinkedHashMap<>();
        hostile.put("review above action", DetectionFixtures.spamPolicy(3, 0.9, 0.5));
        hostile.put(
                "out of range",
                PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(4, REVIEW, 1.5))
                        .setFusionWeights(Map.of("text", Double.NaN))
                        .build());
        hostile.put("stale version", DetectionFixtures.spamPolicy(1, 0.01, 0.02));
        hostile.put(
                "oversized",
                PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(5, 0.01, 0.02))
                        .setChangeNote("x".repeat(200_000))
                        .build());
        hostile.put(
                "model that does not load",
                PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(6, REVIEW, ACTION))
                        .setActiveModels(List.of(new ModelVersion("text", "text-spam", "9.9.9")))
                        .build());
        hostile.put(
                "model of the wrong modality",
                PolicyConfig.newBuilder(DetectionFixtures.spamPolicy(7, REVIEW, ACTION))
                        .setActiveModels(List.of(new ModelVersion("text", "image-safety", "1.0.0")))
                        .build());

        JobClient job = DetectionJobRun.start(
                DetectionJobRun.environment(tmp.resolve("checkpoints"), DetectionJobRun.noRestarts()),
                run,
                DetectionJobRun.options(run, defaults(), false));
        try {
            run.produce("policy.config", PolicyConfig.class, List.of(live), PolicyConfig::getPolicyId);
            assertThat(run.read("config.audit", ConfigAudit.class, 1))
                    .extracting(ConfigAudit::getStatus)
                    .containsExactly("ACCEPTED");
            run.produce(
                    "policy.config", PolicyConfig.class, new ArrayList<>(hostile.values()), PolicyConfig::getPolicyId);
            // malformed bytes on the config topic: not a config at all, dead-lettered with its coordinates
            CLUSTER.kafka()
                    .produce(
                            run.topic("policy.config"),
                            List.of("spam"),
                            List.of("{\"policyId\": \"spam\"}".getBytes(StandardCharsets.UTF_8)));

            List<ConfigAudit> audits = run.read("config.audit", ConfigAudit.class, 1 + hostile.size());
            assertThat(audits).hasSize(1 + hostile.size());
            Map<Long, ConfigAudit> byVersion =
                    audits.stream().skip(1).collect(Collectors.toMap(ConfigAudit::getVersion, a -> a));
            Map<String, String> verdicts = new LinkedHashMap<>();
            hostile.forEach((what, config) -> verdicts.put(
                    what,
                    byVersion.get(config.getVersion()).getStatus() + ": "
                            + byVersion.get(config.getVersion()).getReason()));
            System.out.println("[reliability] config verdicts: " + verdicts);
            assertThat(verdicts.get("review above action"))
                    .startsWith("REJECTED")
                    .contains("reviewThreshold");
            assertThat(verdicts.get("out of range")).startsWith("REJECTED").contains("actionThreshold");
            assertThat(byVersion.get(4L).getViolations())
                    .anyMatch(v -> v.contains("fusionWeights") && v.contains("finite"));
            assertThat(verdicts.get("stale version")).startsWith("IGNORED_STALE");
            assertThat(verdicts.get("oversized")).startsWith("REJECTED").contains("changeNote");
            assertThat(verdicts.get("model that does not load"))
                    .startsWith("REJECTED")
                    .contains("text-spam:9.9.9");
            assertThat(verdicts.get("model of the wrong modality")).startsWith("REJECTED");
            assertThat(audits.stream().skip(1).filter(a -> a.getStatus().equals("REJECTED")))
                    .allMatch(a -> a.getReason().contains("version 2 stays in force"));
            DeadLetter malformed = run.read("deadletter", DeadLetter.class, 1).get(0);
            assertThat(malformed.getSourceTopic()).isEqualTo(run.topic("policy.config"));
            ConsumerRecord<byte[], byte[]> malformedInput = CLUSTER
                    .kafka()
                    .readCommitted(run.topic("policy.config"), 2 + hostile.size(), TopicScope.READ_TIMEOUT)
                    .stream()
                    .filter(r -> r.value()[0] == '{')
                    .findFirst()
                    .orElseThrow();
            assertThat(malformed.getPartition()).isEqualTo(malformedInput.partition());
            assertThat(malformed.getOffset()).isEqualTo(malformedInput.offset());

            // content decided after every hostile config: the live v2 with its working model, bands by the trainer
            List<ContentEvent> events = validEvents("after-", 40, DetectionFixtures.T0 + 10 * MINUTE);
            run.produce("content.events", ContentEvent.class, events, ContentEvent::getContentId);
            List<RiskDecision> decisions = run.read("risk.decisions", RiskDecision.class, events.size());
            assertThat(decisions).hasSize(events.size());
            Map<String, Double> probability = ParitySample.load().stream()
                    .collect(Collectors.toMap(
                            ParitySample.Message::text, ParitySample.Message::trainerProbability, (a, b) -> a));
            Map<String, ContentEvent> byId =
                    events.stream().collect(Collectors.toMap(ContentEvent::getContentId, e -> e));
            for (RiskDecision d : decisions) {
                PolicyDecision spam = d.getPolicies().stream()
                        .filter(p -> p.getPolicyId().equals("spam"))
                        .findFirst()
                        .orElseThrow();
                assertThat(d.getConfigVersions()).as(d.getContentId()).containsEntry("spam", 2L);
                assertThat(spam.getActionThreshold()).isEqualTo(0.96);
                assertThat(spam.getScoringProblems()).isEmpty();
                assertThat(d.getModelVersions())
                        .extracting(m -> m.getName() + ":" + m.getVersion())
                        .contains("text-spam:1.0.0");
                double p = probability.get(byId.get(d.getContentId()).getText());
                if (p < REVIEW - 0.02 || p > 0.96 + 0.02) { // clear of the thresholds: the trainer's own verdict
                    String expected = p >= 0.96 ? (d.getPrePublish() ? "BLOCK" : "ACTION") : "ALLOW";
                    assertThat(spam.getBand()).as(d.getContentId()).isEqualTo(expected);
                }
            }
        } finally {
            job.cancel().get();
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private void runBounded(TopicScope run, Path defaults, Configuration extra) throws Exception {
        Configuration options = DetectionJobRun.options(run, defaults, true);
        options.addAll(extra);
        DetectionJobRun.runBounded(
                DetectionJobRun.environment(tmp.resolve("checkpoints-" + run.prefix()), DetectionJobRun.noRestarts()),
                run,
                options);
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** Decisions without their write time, by content id, leaving out {@code except}. */
    private static Map<String, String> comparable(List<RiskDecision> decisions, java.util.Set<String> except) {
        Map<String, String> byId = new TreeMap<>();
        for (RiskDecision d : decisions) {
            if (!except.contains(d.getContentId())) {
                byId.put(
                        d.getContentId(),
                        RiskDecision.newBuilder(d).setDecidedAtMillis(0).build().toString());
            }
        }
        return byId;
    }
}
