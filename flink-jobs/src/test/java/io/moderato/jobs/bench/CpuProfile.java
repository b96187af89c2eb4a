package io.moderato.jobs.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the CPU went during a job run: CPU time of every Java thread, sampled every 100 ms (a
 * thread's last sample before it ends is what counts, so a thread that ends loses at most one
 * interval), grouped by name. Flink task threads are named after their operator chain, so the
 * groups are "Source → decode", "Score", "Fuse/decide", sinks. ONNX Runtime with one intra-op
 * thread runs on the calling task thread, so scoring CPU is in the scoring chain's group. On Linux
 * the threads Java does not list (GC, JIT compilers, RocksDB's native background threads) are
 * read from {@code /proc/self/task} (10 ms resolution) and reported as their own groups.
 */
final class CpuProfile implements AutoCloseable {

    /** CPU ms per thread group (largest first), process CPU ms, GC collections and time ms, and elapsed ms. */
    record Snapshot(
            Map<String, Long> groupsMillis,
            long processMillis,
            long gcCollections,
            long gcMillis,
            long elapsedMillis) {}

    static final String JIT_GROUP = "[native] JIT compilers";
    static final String GC_GROUP = "[native] GC (G1)";

    /** OS thread names (15 chars) of threads Java does not list, and the group they are reported under. */
    private static final Map<Pattern, String> NATIVE = new LinkedHashMap<>();

    static {
        NATIVE.put(Pattern.compile("^(GC Thread|G1 |VM Periodic|GC ).*"), GC_GROUP);
        NATIVE.put(Pattern.compile("^(C1|C2) Compiler.*"), JIT_GROUP);
        NATIVE.put(Pattern.compile("^rocksdb.*"), "[native] RocksDB background (flush, compaction)");
        NATIVE.put(Pattern.compile("^VM Thread$"), "[native] VM thread (safepoints)");
    }

    private static final Path TASKS = Path.of("/proc/self/task");
    private final Map<String, Long> nativeStart = new HashMap<>();
    private final Map<String, Long> nativeLast = new HashMap<>();
    private final Map<String, String> nativeGroup = new HashMap<>();

    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final Function<String, String> grouping;
    private final Thread sampler;
    private final long startProcess;
    private final long startGcCollections;
    private final long startGc;
    private final long startNanos;
    private volatile boolean running = true;

    private CpuProfile(Function<String, String> grouping) {
        this.grouping = grouping;
        threads.setThreadCpuTimeEnabled(true);
        sample(true);
        startProcess = processCpuNanos();
        startGcCollections = gcCollections();
        startGc = gcMillis();
        startNanos = System.nanoTime();
        sampler = new Thread(
                () -> {
                    while (running) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                        sample(false);
                    }
                },
                "bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Java threads grouped by {@link #group}. */
    static CpuProfile start() {
        return new CpuProfile(CpuProfile::group);
    }

    /** Java threads grouped by {@code grouping} of their names; the native groups as always. */
    static CpuProfile start(Function<String, String> grouping) {
        return new CpuProfile(grouping);
    }

    private synchronized void sample(boolean baseline) {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (cpu < 0 || infos[i] == null) {
                continue;
            }
            if (baseline) {
                startCpu.put(ids[i], cpu);
            }
            lastCpu.put(ids[i], cpu);
            names.putIfAbsent(ids[i], infos[i].getThreadName());
        }
        sampleNative(baseline);
    }

    private void sampleNative(boolean baseline) {
        if (!Files.isDirectory(TASKS)) {
            return;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                try {
                    String group = nativeGroup.get(tid);
                    if (group == null) {
                        String comm = Files.readString(task.resolve("comm")).trim();
                        group = NATIVE.entrySet().stream()
                                .filter(e -> e.getKey().matcher(comm).matches())
                                .map(Map.Entry::getValue)
                                .findFirst()
                                .orElse("");
                        nativeGroup.put(tid, group);
                    }
                    if (group.isEmpty()) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // fields after the ")" that closes comm: state is field 3, utime 14, stime 15
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    if (baseline) {
                        nativeStart.put(tid, ticks);
                    }
                    nativeLast.put(tid, ticks);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            // no /proc: native threads stay in "everything else"
        }
    }

    Snapshot stop() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(false);
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000;
        Map<String, Long> groups = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<Long, Long> e : lastCpu.entrySet()) {
                long used = e.getValue() - startCpu.getOrDefault(e.getKey(), 0L);
                if (used > 0) {
                    String name = names.get(e.getKey());
                    groups.merge(name == null ? "?" : grouping.apply(name), used / 1_000_000, Long::sum);
                }
            }
            for (Map.Entry<String, Long> e : nativeLast.entrySet()) {
                long ticks = e.getValue() - nativeStart.getOrDefault(e.getKey(), 0L);
                if (ticks > 0) {
                    groups.merge(nativeGroup.get(e.getKey()), ticks * 10, Long::sum); // USER_HZ = 100
                }
            }
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> ordered = new LinkedHashMap<>();
        sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return new Snapshot(
                ordered,
                (processCpuNanos() - startProcess) / 1_000_000,
                gcCollections() - startGcCollections,
                gcMillis() - startGc,
                elapsed);
    }

    /** Task threads lose their subtask suffix; other threads their numbers (pools become one group). */
    static String group(String name) {
        if (name == null) {
            return "?";
        }
        if (SUBTASK.matcher(name).find()) {
            return SUBTASK.matcher(name).replaceAll("");
        }
        return DIGITS.matcher(name).replaceAll("N");
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static long gcCollections() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionCount());
        }
        return total;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
