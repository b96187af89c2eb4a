package io.moderato.jobs.local;

import io.moderato.models.embedding.EmbeddingHeadTrainer;
import io.moderato.models.embedding.SyntheticEmbeddingGenerator;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.Embedding;
import io.moderato.schemas.ModelVersion;
import io.moderato.schemas.PolicyConfig;
import io.moderato.schemas.Transcript;
import io.moderato.schemas.UserSignal;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Seeded content traffic from the real corpora, as a platform would send it to {@code content.events}:
 * YouTube comments replayed in their own time order under their real authors (so per-user windows see
 * real repeat behaviour), tweets as comments and messages, e-mails as messages, podcast episodes
 * (a transcript made of tweets and an audio embedding) and playlists (an image embedding). Each new
 * author comes with a {@link UserSignal} first. Surfaces, locales, reach and the ~20 % pre-publish
 * share are drawn per user or item from the seed; event times advance by 1/rate per item.
 *
 * <p>Embeddings are drawn from the generative model each active embedding head of the policies in force
 * was trained on, with its per-policy labels as ground truth; a head that has no generative model
 * (a real encoder's) gets no generated items. After {@code spamWaveAtSeconds} of event time, a
 * {@code spamWaveShare} of the items are replaced by spam (YouTube spam comments and spam e-mails).
 */
public final class TrafficGenerator {

    /**
     * @param ratePerSecond items per second of event time
     * @param startMillis event time of the first item; 0: the wall-clock time of {@link #begin()}
     * @param spamWaveAtSeconds event-time offset at which the spam wave starts; negative: none
     * @param spamWaveShare share of items replaced by spam during the wave, in [0, 1]
     */
    public record Settings(
            double ratePerSecond,
            long seed,
            long startMillis,
            double spamWaveAtSeconds,
            double spamWaveShare,
            double prePublishShare) {
        public Settings {
            if (!(ratePerSecond > 0)) {
                throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
            }
            if (!(spamWaveShare >= 0 && spamWaveShare <= 1)) {
                throw new IllegalArgumentException("spam wave share must be in [0, 1], got " + spamWaveShare);
            }
        }
    }

    /** One generated item: the event, its author's signals when the author is new, and what is true of it. */
    public record Item(ContentEvent event, UserSignal newUser, GroundTruth truth, String source) {}

    /** An embedding head whose synthetic data the generator can draw. */
    private record Head(ModelVersion model, SyntheticEmbeddingGenerator generator, List<String> policies) {}

    private static final String[] LOCALES = {
        "en-US", "en-US", "en-US", "en-US", "en-US", "en-US", "en-GB", "en-GB", "en-IN", "en-CA", "und"
    };
    private static final int TWEET_USERS = 2_000;

    private final Corpora corpora;
    private final Settings settings;
    private final Random rnd;
    private String runId;
    private long startMillis;
    private final Map<String, Boolean> knownUsers = new HashMap<>();
    private final Head audio;
    private final Head image;
    private final List<Corpora.Comment> spamComments;
    private final List<Corpora.Email> spamEmails;
    private final Map<String, SampleStream> samples = new HashMap<>();
    private long seq;
    private int commentCursor;

    public TrafficGenerator(
            Corpora corpora, List<PolicyConfig> policies, String modelsDir, Settings settings, Consumer<String> log) {
        this.corpora = corpora;
        this.settings = settings;
        this.rnd = new Random(settings.seed());
        ModelSource source = modelsDir == null
                ? ModelSource.classpath("models")
                : ModelSource.directory(java.nio.file.Path.of(modelsDir));
        this.audio = head(policies, "audio", source, log);
        this.image = head(policies, "image", source, log);
        this.spamComments =
                corpora.comments().stream().filter(Corpora.Comment::spam).toList();
        this.spamEmails = corpora.emails().stream().filter(Corpora.Email::spam).toList();
    }

    /**
     * Fixes the event time of the first item (the settings' start, or now) and so the run's content ids;
     * the stack calls it when the traffic starts, so event time keeps pace with processing time.
     */
    public long begin() {
        startMillis = settings.startMillis() > 0 ? settings.startMillis() : System.currentTimeMillis();
        runId = "s" + settings.seed() + "-" + Long.toString(startMillis / 1000, 36);
        return startMillis;
    }

    /** Every policy id that some embedding head drawn by this generator labels. */
    public Set<String> embeddingPolicies() {
        Set<String> policies = new TreeSet<>();
        for (Head head : new Head[] {audio, image}) {
            if (head != null) {
                policies.addAll(head.policies());
            }
        }
        return policies;
    }

    /** Event time of item number {@code n} (0-based). */
    public long eventTimeOf(long n) {
        return startMillis + Math.round(n * 1000.0 / settings.ratePerSecond());
    }

    /** How many items were generated. */
    public long generated() {
        return seq;
    }

    public boolean inSpamWave(long n) {
        return settings.spamWaveAtSeconds() >= 0 && n / settings.ratePerSecond() >= settings.spamWaveAtSeconds();
    }

    public Item next() {
        if (runId == null) {
            throw new IllegalStateException("begin() first");
        }
        long n = seq++;
        long time = eventTimeOf(n);
        String contentId = runId + "-" + String.format(Locale.ROOT, "%07d", n);
        if (inSpamWave(n) && rnd.nextDouble() < settings.spamWaveShare()) {
            return spamItem(contentId, time);
        }
        double u = rnd.nextDouble() * (corpora.emails().isEmpty() ? 0.9 : 1.0);
        if (u < 0.25) {
            return youtubeComment(contentId, time, nextComment(), "youtube");
        } else if (u < 0.45) {
            return tweet(contentId, time, "comment");
        } else if (u < 0.65) {
            return tweet(contentId, time, "message");
        } else if (u < 0.775) {
            return audio != null ? podcast(contentId, time) : tweet(contentId, time, "comment");
        } else if (u < 0.9) {
            return image != null ? playlist(contentId, time) : tweet(contentId, time, "message");
        }
        return email(
                contentId,
                time,
                corpora.emails().get(rnd.nextInt(corpora.emails().size())));
    }

    private Item spamItem(String contentId, long time) {
        if (!spamEmails.isEmpty() && rnd.nextDouble() < 0.3) {
            return email(contentId, time, spamEmails.get(rnd.nextInt(spamEmails.size())));
        }
        return youtubeComment(contentId, time, spamComments.get(rnd.nextInt(spamComments.size())), "spam-wave");
    }

    private Corpora.Comment nextComment() {
        Corpora.Comment c = corpora.comments().get(commentCursor);
        commentCursor = (commentCursor + 1) % corpora.comments().size();
        return c;
    }

    private Item youtubeComment(String contentId, long time, Corpora.Comment c, String how) {
        String user = "yt:" + c.author().strip();
        ContentEvent event = event(contentId, user, "comment", time, c.text(), null, null, null, c.id());
        return new Item(event, newUser(user, c.spam(), time), new GroundTruth(List.of(), c.spam(), Set.of()), how);
    }

    private Item tweet(String contentId, long time, String surface) {
        Corpora.Tweet t = corpora.tweets().get(rnd.nextInt(corpora.tweets().size()));
        String user = "tw:" + zipf(TWEET_USERS);
        ContentEvent event = event(contentId, user, surface, time, t.text(), null, null, null, t.id());
        return new Item(event, newUser(user, false, time), new GroundTruth(List.of(t), false, Set.of()), "davidson");
    }

    private Item email(String contentId, long time, Corpora.Email e) {
        String user = (e.spam() ? "mail:bulk-" + rnd.nextInt(200) : "mail:" + rnd.nextInt(800));
        ContentEvent event = event(contentId, user, "message", time, e.text(), null, null, null, e.id());
        return new Item(
                event, newUser(user, e.spam(), time), new GroundTruth(List.of(), e.spam(), Set.of()), "spamassassin");
    }

    private Item podcast(String contentId, long time) {
        List<Corpora.Tweet> said = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            Corpora.Tweet t = corpora.tweets().get(rnd.nextInt(corpora.tweets().size()));
            said.add(t);
            text.append(text.isEmpty() ? "" : " ").append(t.text());
        }
        SampleStream.Sample s = stream(audio).next();
        String user = "pod:" + zipf(300);
        ContentEvent event = event(
                contentId,
                user,
                "podcast_episode",
                time,
                null,
                new Transcript(text.toString(), "asr-simulated", "1"),
                null,
                embedding(audio, s),
                said.get(0).id());
        return new Item(event, newUser(user, false, time), new GroundTruth(said, false, s.positives()), "podcast");
    }

    private Item playlist(String contentId, long time) {
        SampleStream.Sample s = stream(image).next();
        String user = "pl:" + zipf(500);
        ContentEvent event =
                event(contentId, user, "playlist", time, null, null, embedding(image, s), null, "synthetic");
        return new Item(
                event, newUser(user, false, time), new GroundTruth(List.of(), false, s.positives()), "playlist");
    }

    private ContentEvent event(
            String contentId,
            String user,
            String surface,
            long time,
            String text,
            Transcript transcript,
            Embedding imageEmbedding,
            Embedding audioEmbedding,
            String corpusId) {
        Random perUser = userRandom(user);
        String locale = LOCALES[perUser.nextInt(LOCALES.length)];
        double followers = Math.exp(4 + 2 * perUser.nextGaussian());
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("source", corpusId);
        attributes.put("generator", "moderato-local-stack");
        return ContentEvent.newBuilder()
                .setContentId(contentId)
                .setUserId(user)
                .setSurface(surface)
                .setLocale(locale)
                .setReachEstimate(Math.round(followers * (0.5 + rnd.nextDouble())))
                .setEventTimeMillis(time)
                .setPrePublish(rnd.nextDouble() < settings.prePublishShare())
                .setText(text)
                .setTranscript(transcript)
                .setImageEmbedding(imageEmbedding)
                .setAudioEmbedding(audioEmbedding)
                .setVideoEmbedding(null)
                .setAttributes(attributes)
                .build();
    }

    /** Signals of an author the first time they post; spammers' accounts are younger and more reported. */
    private UserSignal newUser(String user, boolean spammer, long time) {
        if (knownUsers.putIfAbsent(user, spammer) != null) {
            return null;
        }
        Random r = userRandom(user);
        r.nextInt();
        int ageDays = (int) Math.min(5_000, -Math.log(1 - r.nextDouble()) * (spammer ? 20 : 900));
        int strikes = spammer ? (r.nextDouble() < 0.4 ? 1 + r.nextInt(3) : 0) : (r.nextDouble() < 0.03 ? 1 : 0);
        int reports = spammer ? r.nextInt(6) : (r.nextDouble() < 0.05 ? 1 : 0);
        boolean verified = !spammer && r.nextDouble() < 0.03;
        return new UserSignal(user, ageDays, strikes, reports, verified, time - 1, Map.of());
    }

    private Random userRandom(String user) {
        return new Random(settings.seed() * 0x9E3779B97F4A7C15L ^ user.hashCode());
    }

    /** 0..n-1, low ids far more often: a few prolific authors and a long tail. */
    private int zipf(int n) {
        return (int) Math.min(n - 1, Math.floor(Math.pow(n + 1, rnd.nextDouble()) - 1));
    }

    private static Embedding embedding(Head head, SampleStream.Sample s) {
        List<Float> vector = new ArrayList<>(s.vector().length);
        for (float v : s.vector()) {
            vector.add(v);
        }
        return new Embedding("synthetic-" + head.model().getName(), head.model().getVersion(), vector);
    }

    private SampleStream stream(Head head) {
        return samples.computeIfAbsent(
                head.model().getName(),
                name -> new SampleStream(head.generator(), head.policies(), settings.seed() ^ name.hashCode()));
    }

    /** The first active model of {@code modality} among the enabled policies that has a synthetic generative model. */
    private static Head head(List<PolicyConfig> policies, String modality, ModelSource source, Consumer<String> log) {
        Set<String> tried = new HashSet<>();
        for (PolicyConfig policy : policies) {
            if (!policy.getEnabled()) {
                continue;
            }
            for (ModelVersion model : policy.getActiveModels()) {
                if (!model.getModality().equalsIgnoreCase(modality)
                        || !tried.add(model.getName() + ":" + model.getVersion())) {
                    continue;
                }
                Optional<EmbeddingHeadTrainer.Head> spec = EmbeddingHeadTrainer.HEADS.stream()
                        .filter(h -> h.name().equals(model.getName()))
                        .findFirst();
                if (spec.isEmpty()) {
                    log.accept("no synthetic data for " + model.getName() + " " + model.getVersion()
                            + " (a real encoder's head): no generated " + modality + " embeddings");
                    continue;
                }
                ModelManifest manifest;
                try (InputStream in = source.open(model.getName(), model.getVersion(), ModelRegistry.MANIFEST_FILE)) {
                    manifest = ModelManifest.read(
                            in, source.describe(model.getName(), model.getVersion(), ModelRegistry.MANIFEST_FILE));
                } catch (IOException | RuntimeException e) {
                    log.accept("cannot read the manifest of " + model.getName() + " " + model.getVersion() + ": "
                            + e.getMessage());
                    continue;
                }
                return new Head(
                        model,
                        EmbeddingHeadTrainer.generatorFor(
                                spec.get(), manifest.trainingData().seed()),
                        spec.get().policies());
            }
        }
        return null;
    }

    /** Draws a head's synthetic embeddings in seeded batches. */
    private static final class SampleStream {
        record Sample(float[] vector, Set<String> positives) {}

        private final SyntheticEmbeddingGenerator generator;
        private final List<String> policies;
        private final long seed;
        private SyntheticEmbeddingGenerator.Samples batch;
        private int next;
        private long batches;

        SampleStream(SyntheticEmbeddingGenerator generator, List<String> policies, long seed) {
            this.generator = generator;
            this.policies = policies;
            this.seed = seed;
        }

        Sample next() {
            if (batch == null || next == batch.size()) {
                batch = generator.generate(256, seed + batches++);
                next = 0;
            }
            int i = next++;
            Set<String> positives = new TreeSet<>();
            for (int p = 0; p < policies.size(); p++) {
                if (batch.labels()[i][p]) {
                    positives.add(policies.get(p));
                }
            }
            return new Sample(batch.embeddings()[i], positives);
        }
    }
}
