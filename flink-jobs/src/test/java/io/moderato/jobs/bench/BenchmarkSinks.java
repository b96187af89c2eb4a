package io.moderato.jobs.bench;

import io.moderato.jobs.detection.DetectionJob;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Discarding sinks for the job's outputs: the decision sink records each decision's arrival in the
 * run's {@link RunTiming}; the others only count. Nothing is serialized or kept, so the sinks cost
 * next to nothing and the measurement is the job's own work up to the sink operator.
 */
final class BenchmarkSinks implements DetectionJob.Sinks {

    private static final Map<String, AtomicLong> COUNTERS = new ConcurrentHashMap<>();

    private final String timingId;
    private final String prefix = java.util.UUID.randomUUID() + "/";

    BenchmarkSinks(RunTiming timing) {
        this.timingId = timing.id;
        for (String name : new String[] {"tasks", "actions", "audit", "deadletters", "prepublish"}) {
            COUNTERS.put(prefix + name, new AtomicLong());
        }
    }

    long count(String name) {
        return COUNTERS.get(prefix + name).get();
    }

    void release() {
        COUNTERS.keySet().removeIf(k -> k.startsWith(prefix));
    }

    @Override
    public Sink<RiskDecision> decisions() {
        return new DecisionSink(timingId);
    }

    @Override
    public Sink<RiskDecision> routedDecisions() {
        return new DecisionSink(timingId);
    }

    @Override
    public Sink<ReviewTask> reviewTasks() {
        return new CountingSink<>(prefix + "tasks");
    }

    @Override
    public Sink<EnforcementAction> enforcementActions() {
        return new CountingSink<>(prefix + "actions");
    }

    @Override
    public Sink<ConfigAudit> configAudit() {
        return new CountingSink<>(prefix + "audit");
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return new CountingSink<>(prefix + "deadletters");
    }

    @Override
    public Sink<PrepublishVerdict> prepublishVerdicts() {
        return new CountingSink<>(prefix + "prepublish");
    }

    /** Records arrival time and decide→sink delay of each decision; counts checkpoint flushes. */
    static final class DecisionSink implements Sink<RiskDecision> {

        private static final long serialVersionUID = 1L;
        private final String timingId;

        DecisionSink(String timingId) {
            this.timingId = timingId;
        }

        @Override
        public SinkWriter<RiskDecision> createWriter(WriterInitContext context) {
            RunTiming timing = RunTiming.get(timingId);
            return new SinkWriter<>() {
                @Override
                public void write(RiskDecision decision, Context ctx) {
                    long now = System.nanoTime();
                    String id = decision.getContentId();
                    int item = id.startsWith(BenchmarkInputs.CONTENT_PREFIX)
                            ? Integer.parseInt(id, BenchmarkInputs.CONTENT_PREFIX.length(), id.length(), 10)
                            : -1;
                    timing.arrived(item, now, System.currentTimeMillis() - decision.getDecidedAtMillis());
                    if (decision.getLate()) {
                        timing.late.incrementAndGet();
                    }
                    if (decision.getPolicies().stream()
                            .anyMatch(p ->
                                    p.getBand().equals("REVIEW") || p.getBand().equals("HOLD"))) {
                        timing.reviewRouted.incrementAndGet();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (!endOfInput) {
                        timing.sinkFlushes.incrementAndGet();
                    }
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Counts and drops. */
    static final class CountingSink<T> implements Sink<T> {

        private static final long serialVersionUID = 1L;
        private final String key;

        CountingSink(String key) {
            this.key = key;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            AtomicLong counter = COUNTERS.get(key);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    counter.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
