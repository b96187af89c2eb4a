package io.moderato.jobs.local;

import io.moderato.jobs.cli.TopicReader;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Review tooling played by a simulated team: it consumes {@code review.tasks} (read_committed) and,
 * after {@code delay}, answers every reason of a task on {@code review.labels} from the item's
 * {@link GroundTruth} — a Davidson tweet's verdict drawn from its real annotators' votes — wrong with
 * probability {@code errorRate}, at most {@code capacityPerMinute} tasks a minute (queues served in
 * turn, the rest waits as backlog). Authors appeal a share of {@code enforcement.actions}; an appeal
 * is judged the same way and labelled APPEAL. Items it has no truth for (another producer's) and
 * policies no corpus labels are left unanswered and counted.
 */
public final class SimulatedReviewers implements AutoCloseable {

    /**
     * @param delay time from a task's arrival to its answer
     * @param errorRate probability that a verdict is flipped
     * @param capacityPerMinute tasks answered per minute, all queues together
     * @param appealShare share of enforcement actions whose author appeals
     */
    public record Settings(Duration delay, double errorRate, int capacityPerMinute, double appealShare, long seed) {
        public Settings {
            if (!(errorRate >= 0 && errorRate <= 1)) {
                throw new IllegalArgumentException("reviewer error rate must be in [0, 1], got " + errorRate);
            }
            if (capacityPerMinute <= 0) {
                throw new IllegalArgumentException("reviewer capacity must be positive, got " + capacityPerMinute);
            }
            if (!(appealShare >= 0 && appealShare <= 1)) {
                throw new IllegalArgumentException("appeal share must be in [0, 1], got " + appealShare);
            }
        }
    }

    /** Topic names the reviewers use. */
    public record Topics(String tasks, String actions, String labels) {}

    private record Pending(String contentId, String queue, List<ReviewReason> reasons, String source, long dueNanos) {}

    private final String bootstrap;
    private final String registry;
    private final Topics topics;
    private final Settings settings;
    private final Map<String, GroundTruth> truths;
    private final Map<String, String> harms;
    private final Set<String> embeddingPolicies;
    private final LongSupplier clock;
    private final Consumer<String> log;
    private final Map<String, ArrayDeque<Pending>> queues = new TreeMap<>();
    private final Map<String, Integer> backlog = new ConcurrentHashMap<>();
    private final AtomicLong labels = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong appeals = new AtomicLong();
    private final AtomicLong unjudged = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;
    private double tokens;
    private long lastRefill;

    public SimulatedReviewers(
            String bootstrap,
            String registry,
            Topics topics,
            Settings settings,
            Map<String, GroundTruth> truths,
            Map<String, String> harms,
            Set<String> embeddingPolicies,
            LongSupplier clock,
            Consumer<String> log) {
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.topics = topics;
        this.settings = settings;
        this.truths = truths;
        this.harms = harms;
        this.embeddingPolicies = embeddingPolicies;
        this.clock = clock;
        this.log = log;
    }

    /** Starts consuming from the current end of the task and action topics. */
    public SimulatedReviewers start() {
        KafkaConsumer<byte[], byte[]> consumer =
                TopicReader.consumerAtEnd(bootstrap, "moderato-reviewers", List.of(topics.tasks(), topics.actions()));
        thread = new Thread(() -> run(consumer), "simulated-reviewers");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run(KafkaConsumer<byte[], byte[]> consumer) {
        RegistryAvroDeserializer<ReviewTask> taskDecoder = RegistryAvroDeserializer.of(ReviewTask.class, registry);
        RegistryAvroDeserializer<EnforcementAction> actionDecoder =
                RegistryAvroDeserializer.of(EnforcementAction.class, registry);
        lastRefill = System.nanoTime();
        try (consumer;
                AvroProducer producer = new AvroProducer(bootstrap, registry, "moderato-reviewers")) {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(topics.tasks())) {
                        var task = taskDecoder.decode(r.value());
                        if (task.isOk()) {
                            tasks.incrementAndGet();
                            ReviewTask t = task.record();
                            enqueue(new Pending(
                                    t.getContentId(),
                                    t.getQueue(),
                                    t.getReasons(),
                                    null,
                                    System.nanoTime() + settings.delay().toNanos()));
                        }
                    } else {
                        var action = actionDecoder.decode(r.value());
                        if (action.isOk() && appeals(action.record())) {
                            EnforcementAction a = action.record();
                            appeals.incrementAndGet();
                            ReviewReason reason = new ReviewReason(
                                    a.getPolicyId(), "ACTION", "APPEAL", a.getScore(), 1.0, a.getConfigVersion());
                            enqueue(new Pending(
                                    a.getContentId(),
                                    "appeals",
                                    List.of(reason),
                                    "APPEAL",
                                    System.nanoTime() + 2 * settings.delay().toNanos()));
                        }
                    }
                }
                answerDue(producer);
            }
            producer.flush();
        } catch (Exception e) {
            if (running) {
                log.accept("simulated reviewers stopped: " + e.getMessage());
            }
        }
    }

    private boolean appeals(EnforcementAction action) {
        return new Random(settings.seed()
                                ^ action.getContentId().hashCode() * 31L
                                ^ action.getPolicyId().hashCode())
                        .nextDouble()
                < settings.appealShare();
    }

    private void enqueue(Pending p) {
        queues.computeIfAbsent(p.queue(), q -> new ArrayDeque<>()).add(p);
        backlog.merge(p.queue(), 1, Integer::sum);
    }

    /** Serves due tasks queue by queue in turn while the per-minute capacity allows. */
    private void answerDue(AvroProducer producer) {
        long now = System.nanoTime();
        tokens = Math.min(
                settings.capacityPerMinute() / 6.0 + 1,
                tokens + (now - lastRefill) / 60e9 * settings.capacityPerMinute());
        lastRefill = now;
        boolean served = true;
        while (tokens >= 1 && served) {
            served = false;
            for (ArrayDeque<Pending> queue : queues.values()) {
                Pending p = queue.peek();
                if (p != null && p.dueNanos() <= now && tokens >= 1) {
                    queue.poll();
                    backlog.merge(p.queue(), -1, Integer::sum);
                    tokens -= 1;
                    served = true;
                    answer(p, producer);
                }
            }
        }
    }

    private void answer(Pending p, AvroProducer producer) {
        GroundTruth truth = truths.get(p.contentId());
        if (truth == null) {
            unjudged.incrementAndGet();
            return;
        }
        for (ReviewReason reason : p.reasons()) {
            Random rnd = new Random(settings.seed()
                    ^ (p.contentId().hashCode() * 0x9E3779B97F4A7C15L)
                    ^ reason.getPolicyId().hashCode()
                    ^ (p.source() == null ? 0 : 7919));
            Optional<Boolean> verdict = truth.verdict(reason.getPolicyId(), harms, embeddingPolicies, rnd);
            if (verdict.isEmpty()) {
                unjudged.incrementAndGet();
                continue;
            }
            boolean violating = verdict.get() ^ (rnd.nextDouble() < settings.errorRate());
            String source =
                    p.source() != null ? p.source() : reason.getReason().startsWith("AUDIT") ? "AUDIT" : "REVIEW";
            producer.send(
                    topics.labels(),
                    p.contentId(),
                    new ReviewLabel(
                            p.contentId(),
                            reason.getPolicyId(),
                            violating,
                            null,
                            "sim-reviewer-" + Math.floorMod(rnd.nextInt(), 12),
                            source,
                            clock.getAsLong(),
                            null));
            labels.incrementAndGet();
        }
    }

    /** Tasks (and appeals) waiting for an answer, by queue. */
    public Map<String, Integer> backlog() {
        return new TreeMap<>(backlog);
    }

    public long tasksReceived() {
        return tasks.get();
    }

    public long labelsSent() {
        return labels.get();
    }

    public long appealsFiled() {
        return appeals.get();
    }

    /** Reasons left unanswered: no ground truth for the item or the policy. */
    public long unjudged() {
        return unjudged.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
        }
    }
}
