package io.moderato.jobs.testing;

import io.moderato.jobs.detection.DetectionJob;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PrepublishVerdict;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * DetectionJob sinks that keep decisions and review tasks in JVM memory (the MiniCluster runs in the
 * test JVM), for tests whose subject is not Kafka: restarts ({@link #failingFirstAttempts}: the
 * decision writers of subtask 0 throw at their first write, or at the end of input, in each of the
 * first attempts) and back pressure ({@link #slow}: every decision write takes a fixed time). Not
 * transactional: a record written before a failure stays written. The other outputs are dropped.
 */
public final class InMemorySinks implements DetectionJob.Sinks {

    private static final Map<String, List<Object>> RECORDS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> HIGHEST_ATTEMPT = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final int failingAttempts;
    private final long millisPerDecision;

    private InMemorySinks(int failingAttempts, long millisPerDecision) {
        this.failingAttempts = failingAttempts;
        this.millisPerDecision = millisPerDecision;
        RECORDS.put(id, Collections.synchronizedList(new ArrayList<>()));
        HIGHEST_ATTEMPT.put(id, new AtomicInteger());
    }

    /** Sinks that fail the first {@code attempts} attempts of the job, so it restarts {@code attempts} times. */
    public static InMemorySinks failingFirstAttempts(int attempts) {
        return new InMemorySinks(attempts, 0);
    }

    /** Sinks whose decision writers take {@code millisPerDecision} per record: a slow downstream. */
    public static InMemorySinks slow(long millisPerDecision) {
        return new InMemorySinks(0, millisPerDecision);
    }

    /** Every decision written (both decision writers, every attempt). */
    public List<RiskDecision> writtenDecisions() {
        return written(RiskDecision.class);
    }

    public List<ReviewTask> writtenTasks() {
        return written(ReviewTask.class);
    }

    /** The highest attempt number any writer started with: the number of restarts. */
    public int restarts() {
        return HIGHEST_ATTEMPT.get(id).get();
    }

    private <T> List<T> written(Class<T> type) {
        List<Object> all = RECORDS.get(id);
        synchronized (all) {
            return all.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @Override
    public Sink<RiskDecision> decisions() {
        return writer(true);
    }

    @Override
    public Sink<RiskDecision> routedDecisions() {
        return writer(true);
    }

    @Override
    public Sink<ReviewTask> reviewTasks() {
        return writer(false);
    }

    @Override
    public Sink<EnforcementAction> enforcementActions() {
        return dropping();
    }

    @Override
    public Sink<ConfigAudit> configAudit() {
        return dropping();
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return dropping();
    }

    @Override
    public Sink<PrepublishVerdict> prepublishVerdicts() {
        return dropping();
    }

    private <T> Sink<T> writer(boolean decisions) {
        String sinks = id;
        int failing = decisions ? failingAttempts : 0;
        long delay = decisions ? millisPerDecision : 0;
        return context -> new Writer<>(sinks, failing, delay, context);
    }

    private static <T> Sink<T> dropping() {
        return context -> new Writer<>(null, 0, 0, context);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final List<Object> records;
        private final boolean fail;
        private final long delayMillis;

        Writer(String sinks, int failingAttempts, long delayMillis, WriterInitContext context) {
            int attempt = context.getTaskInfo().getAttemptNumber();
            this.records = sinks == null ? null : RECORDS.get(sinks);
            if (sinks != null) {
                HIGHEST_ATTEMPT.get(sinks).accumulateAndGet(attempt, Math::max);
            }
            this.fail = context.getTaskInfo().getIndexOfThisSubtask() == 0 && attempt < failingAttempts;
            this.delayMillis = delayMillis;
        }

        @Override
        public void write(T element, Context ctx) throws InterruptedException {
            failIfWanted();
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (records != null) {
                records.add(element);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (endOfInput) {
                failIfWanted();
            }
        }

        private void failIfWanted() {
            if (fail) {
                throw new IllegalStateException("injected failure (InMemorySinks)");
            }
        }

        @Override
        public void close() {}
    }
}
