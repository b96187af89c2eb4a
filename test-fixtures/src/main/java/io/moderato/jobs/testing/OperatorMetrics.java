package io.moderato.jobs.testing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;

/**
 * A task metric group that records every metric an operator registers, nested groups included,
 * by its full identifier, so tests read counters such as {@code lateEvents} or
 * {@code queue.<q>.tasksShed} by the name SREs see. Metrics are found by identifier suffix.
 */
public final class OperatorMetrics {

    private final Map<String, Metric> byIdentifier = new TreeMap<>();
    private final TaskMetricGroup taskGroup;

    public OperatorMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setDelimiter('.')
                .setRegisterConsumer((metric, name, group) -> {
                    synchronized (byIdentifier) {
                        byIdentifier.put(group.getMetricIdentifier(name), metric);
                    }
                })
                .build();
        taskGroup = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "harness-job")
                .addTask(ExecutionAttemptID.randomId(), "harness-task");
    }

    public TaskMetricGroup taskGroup() {
        return taskGroup;
    }

    /** Count of the counter whose identifier ends with {@code "." + suffix}; 0 if never registered. */
    public long count(String suffix) {
        Metric metric = find(suffix);
        return metric == null ? 0 : ((Counter) metric).getCount();
    }

    public Object gauge(String suffix) {
        return ((Gauge<?>) require(suffix)).getValue();
    }

    public Histogram histogram(String suffix) {
        return (Histogram) require(suffix);
    }

    private Metric require(String suffix) {
        Metric metric = find(suffix);
        if (metric == null) {
            throw new AssertionError("no metric '" + suffix + "' registered; have " + identifiers());
        }
        return metric;
    }

    private Metric find(String suffix) {
        synchronized (byIdentifier) {
            List<Map.Entry<String, Metric>> matches = byIdentifier.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("." + suffix))
                    .toList();
            if (matches.size() > 1) {
                throw new AssertionError("metric suffix '" + suffix + "' is ambiguous: " + matches);
            }
            return matches.isEmpty() ? null : matches.get(0).getValue();
        }
    }

    public List<String> identifiers() {
        synchronized (byIdentifier) {
            return List.copyOf(byIdentifier.keySet());
        }
    }
}
