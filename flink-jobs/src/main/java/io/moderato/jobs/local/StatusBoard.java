package io.moderato.jobs.local;

import io.moderato.jobs.cli.TopicReader;
import io.moderato.jobs.feedback.MetricSnapshots;
import io.moderato.jobs.feedback.QualityMetricsFunction;
import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.Estimate;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * What the local stack shows every few seconds, read the way any consumer would — {@code read_committed}
 * from the output topics, from where they ended when the stack started: decisions by policy and band,
 * review tasks per queue, labels returned, the latest precision and recall per policy with their
 * intervals (or why recall is withheld), drift alerts and dead letters. Milestones (first decision,
 * first metric, first drift alert) are recorded with their time since start.
 */
public final class StatusBoard implements AutoCloseable {

    /** Topic names the board reads. */
    public record Topics(
            String decisions, String tasks, String labels, String metrics, String driftAlerts, String deadLetters) {
        List<String> all() {
            return List.of(decisions, tasks, labels, metrics, driftAlerts, deadLetters);
        }
    }

    /** A drift alert as shown: when it was read (seconds since start) and what fired. */
    public record Alert(
            double atSeconds,
            String policyId,
            String detector,
            String modality,
            String severity,
            double statistic,
            long windowStartMillis,
            long windowEndMillis) {}

    private final String bootstrap;
    private final String registry;
    private final Topics topics;
    private final long startNanos;
    private final Consumer<String> events;
    private final Map<String, Map<String, Long>> bands = new TreeMap<>();
    private final Map<String, Long> tasksByQueue = new TreeMap<>();
    private final Map<String, MetricSnapshot> latestMetrics = new TreeMap<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final Set<String> decided = new HashSet<>();
    private final Map<String, Double> milestones = new TreeMap<>();
    private long decisions;
    private long duplicateDecisions;
    private long labels;
    private long metricSnapshots;
    private long deadLetters;
    private volatile boolean running = true;
    private Thread thread;

    public StatusBoard(String bootstrap, String registry, Topics topics, long startNanos, Consumer<String> events) {
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.topics = topics;
        this.startNanos = startNanos;
        this.events = events;
    }

    public StatusBoard start() {
        KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumerAtEnd(bootstrap, "moderato-status", topics.all());
        thread = new Thread(() -> run(consumer), "status-board");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run(KafkaConsumer<byte[], byte[]> consumer) {
        var decisionDecoder = RegistryAvroDeserializer.of(RiskDecision.class, registry);
        var taskDecoder = RegistryAvroDeserializer.of(ReviewTask.class, registry);
        var labelDecoder = RegistryAvroDeserializer.of(ReviewLabel.class, registry);
        var metricDecoder = RegistryAvroDeserializer.of(MetricSnapshot.class, registry);
        var alertDecoder = RegistryAvroDeserializer.of(DriftAlert.class, registry);
        try (consumer) {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String topic = r.topic();
                    synchronized (this) {
                        if (topic.equals(topics.decisions())) {
                            var d = decisionDecoder.decode(r.value());
                            if (d.isOk()) {
                                onDecision(d.record());
                            }
                        } else if (topic.equals(topics.tasks())) {
                            var t = taskDecoder.decode(r.value());
                            if (t.isOk()) {
                                tasksByQueue.merge(t.record().getQueue(), 1L, Long::sum);
                                milestone("first review task");
                            }
                        } else if (topic.equals(topics.labels())) {
                            if (labelDecoder.decode(r.value()).isOk()) {
                                labels++;
                                milestone("first label");
                            }
                        } else if (topic.equals(topics.metrics())) {
                            var m = metricDecoder.decode(r.value());
                            if (m.isOk()) {
                                onMetric(m.record());
                            }
                        } else if (topic.equals(topics.driftAlerts())) {
                            var a = alertDecoder.decode(r.value());
                            if (a.isOk()) {
                                onAlert(a.record());
                            }
                        } else if (topic.equals(topics.deadLetters())) {
                            deadLetters++;
                        }
                    }
                }
            }
        } catch (Exception e) {
            if (running) {
                events.accept("status board stopped: " + e.getMessage());
            }
        }
    }

    private void onDecision(RiskDecision d) {
        // the decider writes every decision once; items routed to review are written again after routing
        if (!decided.add(d.getContentId())) {
            duplicateDecisions++;
            return;
        }
        decisions++;
        milestone("first decision");
        for (PolicyDecision p : d.getPolicies()) {
            bands.computeIfAbsent(p.getPolicyId(), k -> new TreeMap<>()).merge(p.getBand(), 1L, Long::sum);
        }
    }

    private void onMetric(MetricSnapshot m) {
        metricSnapshots++;
        milestone("first quality metric");
        // one cumulative snapshot stream per policy × model versions (items with a transcript are scored by one
        // more model): show the stream with the most labels, the policy's main traffic
        if (m.getModality().equals(MetricSnapshots.FUSED)
                && m.getSurface().equals(QualityMetricsFunction.ALL_SURFACES)
                && m.getWindowKind().equals("cumulative")) {
            MetricSnapshot shown = latestMetrics.get(m.getPolicyId());
            if (shown == null
                    || shown.getModelVersion().equals(m.getModelVersion())
                    || m.getLabelCount() >= shown.getLabelCount()) {
                latestMetrics.put(m.getPolicyId(), m);
            }
        }
    }

    private void onAlert(DriftAlert a) {
        Alert alert = new Alert(
                seconds(),
                a.getPolicyId(),
                a.getDetector(),
                a.getModality(),
                a.getSeverity(),
                a.getStatistic(),
                a.getWindowStartMillis(),
                a.getWindowEndMillis());
        alerts.add(alert);
        milestone("first drift alert");
        events.accept(String.format(
                Locale.ROOT,
                "drift alert: %s %s on %s %s (statistic %.3f, window %s..%s)",
                a.getSeverity(),
                a.getDetector(),
                a.getPolicyId(),
                a.getModality(),
                a.getStatistic(),
                java.time.Instant.ofEpochMilli(a.getWindowStartMillis()),
                java.time.Instant.ofEpochMilli(a.getWindowEndMillis())));
    }

    private void milestone(String name) {
        if (!milestones.containsKey(name)) {
            double s = seconds();
            milestones.put(name, s);
            events.accept(String.format(Locale.ROOT, "%s after %.1f s", name, s));
        }
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** One status line: decisions by policy and band, tasks, backlog, labels, precision/recall, drift, dead letters. */
    public synchronized String line(double eventsPerSecond, Map<String, Integer> backlog) {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(Locale.ROOT, "[%5.0fs] %.1f ev/s | decisions %d", seconds(), eventsPerSecond, decisions));
        bands.forEach((policy, counts) -> {
            s.append(' ').append(policy).append('{');
            List<String> parts = new ArrayList<>();
            counts.forEach((band, n) -> parts.add(band + " " + n));
            s.append(String.join(", ", parts)).append('}');
        });
        long tasks = tasksByQueue.values().stream().mapToLong(Long::longValue).sum();
        s.append(" | tasks ").append(tasks).append(" backlog");
        if (backlog.values().stream().allMatch(n -> n == 0)) {
            s.append(" 0");
        } else {
            backlog.forEach((queue, n) -> {
                if (n > 0) {
                    s.append(' ').append(queue).append('=').append(n);
                }
            });
        }
        s.append(" | labels ").append(labels);
        latestMetrics.forEach((policy, m) -> s.append(" | ")
                .append(policy)
                .append(' ')
                .append("P ")
                .append(estimate(m.getPrecision(), "n/a"))
                .append(" R ")
                .append(estimate(m.getRecall(), "withheld"))
                .append(String.format(Locale.ROOT, " (%d labels)", m.getLabelCount())));
        if (latestMetrics.isEmpty()) {
            s.append(" | quality: awaiting the first window");
        }
        s.append(" | drift ").append(alerts.size());
        if (!alerts.isEmpty()) {
            Alert last = alerts.get(alerts.size() - 1);
            s.append(" (last ")
                    .append(last.detector())
                    .append(' ')
                    .append(last.policyId())
                    .append(')');
        }
        s.append(" | deadletter ").append(deadLetters);
        return s.toString();
    }

    private static String estimate(Estimate e, String missing) {
        return e == null
                ? missing
                : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", e.getValue(), e.getLower(), e.getUpper());
    }

    public synchronized long decisions() {
        return decisions;
    }

    public synchronized long labels() {
        return labels;
    }

    public synchronized long metricSnapshots() {
        return metricSnapshots;
    }

    public synchronized long deadLetters() {
        return deadLetters;
    }

    public synchronized List<Alert> alerts() {
        return List.copyOf(alerts);
    }

    /** Seconds since start at which each milestone was first seen. */
    public synchronized Map<String, Double> milestones() {
        return new TreeMap<>(milestones);
    }

    public synchronized Map<String, MetricSnapshot> latestMetrics() {
        return new TreeMap<>(latestMetrics);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
        }
    }
}
