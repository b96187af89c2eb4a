package io.moderato.jobs.bench;

import io.moderato.jobs.serde.RegistryAvroSerializer;
import io.moderato.jobs.testing.ParitySample;
import io.moderato.models.text.SpamCorpus;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.UserSignal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The benchmark's inputs: real texts, turned into content events, user signals and one policy
 * config, each encoded ONCE to Confluent-framed Avro on a {@code mock://} registry, exactly as a
 * producer would write them to Kafka. The encoded bytes are kept in a JVM-wide table and replayed
 * by {@link ReplayFunction}: the MiniCluster runs in this JVM, and the job graph stays small
 * (only the table key is serialized into it).
 */
final class BenchmarkInputs {

    /** 2026-01-01T00:00:00Z: event times are fixed offsets from here, never the wall clock. */
    static final long T0 = 1_767_225_600_000L;

    static final String CONTENT_PREFIX = "bench-";

    private static final String[] LOCALES = {
        "en-GB", "en-GB", "en-US", "en-US", "en-IN", "de-DE", "fr-FR", "es-ES", "pt-BR", "ja-JP"
    };
    private static final String[] SURFACES = {"comment", "comment", "post", "message", "profile"};
    private static final Map<String, Encoded> TABLE = new ConcurrentHashMap<>();

    /** Encoded records of one topic; record i is the value bytes of item i, key its user id. */
    record Encoded(String topic, byte[][] keys, byte[][] values) {
        int size() {
            return values.length;
        }
    }

    record Texts(String origin, List<String> texts) {
        double meanChars() {
            return texts.stream().mapToInt(String::length).average().orElse(0);
        }
    }

    private BenchmarkInputs() {}

    /**
     * The SpamAssassin training groups (easy-ham-1 + spam-1, reduced to text as the trainer reads
     * them, shuffled so every batch mixes ham and spam) when the corpus has been fetched, else the
     * committed parity sample (real messages cut at 2,000 chars).
     */
    static Texts texts(Path corpus) {
        if (corpus != null
                && Files.isDirectory(corpus.resolve("package").resolve("data").resolve("spam-1"))) {
            List<String> texts =
                    new ArrayList<>(SpamCorpus.load(corpus, List.of("easy-ham-1", "spam-1"), p -> {}).stream()
                            .map(SpamCorpus.Message::text)
                            .filter(t -> !t.isBlank())
                            .toList());
            shuffle(texts, 1234);
            return new Texts("SpamAssassin easy-ham-1 + spam-1 (" + texts.size() + " messages)", texts);
        }
        List<String> texts = new ArrayList<>(
                ParitySample.load().stream().map(ParitySample.Message::text).toList());
        return new Texts("committed parity sample, " + texts.size() + " messages (corpus not fetched)", texts);
    }

    private static void shuffle(List<String> list, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /**
     * {@code count} text events cycling through {@code texts}: user drawn uniformly from
     * {@code users} (so a user posts count/users items and the per-user windows, timers and
     * signals are exercised), a {@code prePublishShare} of items awaiting the decision, mixed
     * locales (several review queues) and event times {@code spacingMillis} apart. Seeded.
     */
    static List<ContentEvent> contentEvents(
            int count, int users, double prePublishShare, long spacingMillis, List<String> texts, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ContentEvent> events = new ArrayList<>(count);
        for (int e = 0; e < count; e++) {
            events.add(ContentEvent.newBuilder()
                    .setContentId(CONTENT_PREFIX + e)
                    .setUserId(user(random.nextInt(users)))
                    .setSurface(SURFACES[random.nextInt(SURFACES.length)])
                    .setLocale(LOCALES[random.nextInt(LOCALES.length)])
                    .setReachEstimate(10 + random.nextInt(100_000))
                    .setEventTimeMillis(T0 + e * spacingMillis)
                    .setPrePublish(random.nextDouble() < prePublishShare)
                    .setText(texts.get(e % texts.size()))
                    .build());
        }
        return events;
    }

    static String user(int i) {
        return "user-" + i;
    }

    /** One signal for each of {@code count} users spread over the user range; some new, some with strikes. */
    static List<UserSignal> userSignals(int count, int users, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<UserSignal> signals = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            signals.add(UserSignal.newBuilder()
                    .setUserId(user((int) ((long) i * users / Math.max(1, count))))
                    .setAccountAgeDays(random.nextInt(2_000))
                    .setPriorStrikes(random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0)
                    .setRecentReports(random.nextInt(5) == 0 ? random.nextInt(4) : 0)
                    .setVerified(random.nextInt(20) == 0)
                    .setUpdatedAtMillis(T0)
                    .setExtraFeatures(Map.of())
                    .build());
        }
        return signals;
    }

    /** The shipped spam policy re-submitted unchanged as version 2: one real trip through the config path. */
    static PolicyConfig resubmitted(List<PolicyConfig> defaults, String policyId) {
        PolicyConfig config = defaults.stream()
                .filter(p -> p.getPolicyId().equals(policyId))
                .findFirst()
                .orElseThrow();
        return PolicyConfig.newBuilder(config)
                .setVersion(config.getVersion() + 1)
                .setUpdatedBy("detection-benchmark")
                .setChangeNote("benchmark: unchanged re-submission")
                .build();
    }

    /** Encodes {@code records} once, as a producer would for {@code topic}, and stores them under a new key. */
    static <T extends SpecificRecord> String encode(
            Class<T> type,
            List<T> records,
            String registryUrl,
            String topic,
            java.util.function.Function<T, String> key) {
        RegistryAvroSerializer<T> serializer = RegistryAvroSerializer.forTopic(type, registryUrl, topic);
        serializer.open(null);
        byte[][] keys = new byte[records.size()][];
        byte[][] values = new byte[records.size()][];
        for (int i = 0; i < records.size(); i++) {
            T record = records.get(i);
            keys[i] = key.apply(record).getBytes(StandardCharsets.UTF_8);
            values[i] = serializer.serialize(record);
        }
        String id = topic + "#" + java.util.UUID.randomUUID();
        TABLE.put(id, new Encoded(topic, keys, values));
        return id;
    }

    static Encoded get(String id) {
        Encoded encoded = TABLE.get(id);
        if (encoded == null) {
            throw new IllegalStateException(
                    "no encoded inputs '" + id + "' in this JVM: the benchmark needs an in-process MiniCluster");
        }
        return encoded;
    }

    static long encodedBytes(String id) {
        long total = 0;
        for (byte[] v : get(id).values()) {
            total += v.length;
        }
        return total;
    }
}
