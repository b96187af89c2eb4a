package io.moderato.jobs.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A DetectionJob or FeedbackJob on embedded Kafka that a test starts, stops with a savepoint and
 * starts again from it, at any parallelism: its job name (consumer groups, transactional ids) and
 * options stay the same across restarts, as in a production upgrade. Runs never restart on failure.
 */
public final class RunningJob {

    /** How long {@link #awaitConsumed} waits. */
    public static final Duration AWAIT = Duration.ofSeconds(120);

    private final String name;
    private final Configuration conf;
    private final boolean detection;
    private final List<String> inputs;
    private JobClient client;
    private String savepoint;

    /**
     * @param detection a DetectionJob ({@link DetectionJobRun}), else a FeedbackJob ({@link FeedbackJobRun})
     * @param inputs    the input topics (unscoped names) {@link #awaitConsumed} waits for
     */
    public RunningJob(String name, Configuration conf, boolean detection, List<String> inputs) {
        this.name = name;
        this.conf = conf;
        this.detection = detection;
        this.inputs = inputs;
    }

    public List<String> inputs() {
        return inputs;
    }

    /** The savepoint of the last {@link #stop}, or null. */
    public String savepoint() {
        return savepoint;
    }

    /** Starts the job at {@code parallelism}, from {@code fromSavepoint} unless it is null, checkpointing under {@code tmp}. */
    public void start(TopicScope run, Path tmp, int parallelism, String fromSavepoint) throws Exception {
        Path checkpoints = tmp.resolve(name + "-checkpoints-" + System.nanoTime());
        Configuration overrides = DetectionJobRun.noRestarts();
        if (fromSavepoint != null) {
            overrides.addAll(Checkpoints.restoreFrom(fromSavepoint));
        }
        StreamExecutionEnvironment env = detection
                ? DetectionJobRun.environment(checkpoints, overrides)
                : FeedbackJobRun.environment(checkpoints, overrides);
        env.setParallelism(parallelism);
        if (detection) {
            DetectionJobRun.build(env, run, conf, name, UnaryOperator.identity());
        } else {
            FeedbackJobRun.build(env, run, conf, name, UnaryOperator.identity());
        }
        client = env.executeAsync(name);
    }

    /**
     * Until a completed checkpoint holds every record now in the job's input topics (their offsets are
     * committed); if the job ended meanwhile, the failure says why.
     */
    public void awaitConsumed(TopicScope run) throws Exception {
        try {
            for (String input : inputs) {
                run.kafka().awaitConsumed(name + "." + run.topic(input), run.topic(input), AWAIT);
            }
        } catch (IllegalStateException notConsumed) {
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                try {
                    client.getJobExecutionResult().get();
                } catch (Exception ended) {
                    notConsumed.addSuppressed(ended); // why the run ended: the test's real failure
                }
            }
            throw notConsumed;
        }
    }

    /** Stops with a savepoint under {@code tmp}; {@code drain} first ends event time, so every window and timer fires. */
    public void stop(Path tmp, boolean drain) throws Exception {
        savepoint = Checkpoints.stopWithSavepoint(client, tmp.resolve(name + "-savepoints"), drain);
        client = null;
    }

    /** Cancels the job if it is running (after a failed test, so the next one finds free slots). */
    public void cancelIfRunning() throws Exception {
        if (client != null) {
            client.cancel().get();
            client = null;
        }
    }
}
