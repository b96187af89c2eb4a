package io.moderato.jobs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads, grouped by what they do, between two snapshots: which part of a benchmark that runs
 * the broker, the job and its clients in one JVM used the cores. Threads that ended between the snapshots are not
 * counted (a steady run starts none).
 */
final class ThreadCpu {

    private static final Pattern FLINK_TASK = Pattern.compile(".*\\(\\d+/\\d+\\)#\\d+.*");

    private final Map<Long, Long> cpuNanosByThread;
    private final Map<Long, String> names;
    private final long wallNanos;

    private ThreadCpu(Map<Long, Long> cpuNanosByThread, Map<Long, String> names, long wallNanos) {
        this.cpuNanosByThread = cpuNanosByThread;
        this.names = names;
        this.wallNanos = wallNanos;
    }

    static ThreadCpu now() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), nanos);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        return new ThreadCpu(cpu, names, System.nanoTime());
    }

    /** Cores used per group between {@code earlier} and this snapshot (CPU seconds per wall-clock second). */
    Map<String, Double> coresSince(ThreadCpu earlier) {
        double wall = Math.max(1, wallNanos - earlier.wallNanos);
        Map<String, Double> cores = new LinkedHashMap<>();
        for (String group : GROUPS) {
            cores.put(group, 0.0);
        }
        cpuNanosByThread.forEach((id, nanos) -> {
            long used = nanos - earlier.cpuNanosByThread.getOrDefault(id, 0L);
            cores.merge(group(names.get(id)), used / wall, Double::sum);
        });
        return cores;
    }

    private static final String[] GROUPS = {
        "Flink tasks (operators, sinks' writers, their source fetchers)",
        "Kafka producer I/O threads (job sinks, benchmark producer)",
        "benchmark consumers",
        "embedded Kafka broker (and the clients' heartbeat threads)",
        "other Java threads (Flink runtime, RocksDB, benchmark producer loop; GC and JIT not counted)"
    };

    private static String group(String name) {
        if (FLINK_TASK.matcher(name).matches()) {
            return GROUPS[0];
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return GROUPS[1];
        }
        if (name.startsWith("visibility-")) {
            return GROUPS[2];
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("kafka")
                || lower.contains("broker")
                || lower.contains("controller")
                || lower.contains("raft")
                || lower.contains("quorum")
                || lower.contains("replica")) {
            return GROUPS[3];
        }
        return GROUPS[4];
    }
}
