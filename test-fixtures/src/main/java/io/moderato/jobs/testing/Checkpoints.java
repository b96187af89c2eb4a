package io.moderato.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.util.TestUtils;
import org.apache.flink.util.ExceptionUtils;

/** Retained checkpoints and savepoints: what a job leaves behind to start again from. */
public final class Checkpoints {

    private Checkpoints() {}

    /**
     * Overrides for a run that keeps its checkpoints when it fails or is cancelled and does not
     * restart: a failure ends it, as a job whose restarts are exhausted ends in production.
     */
    public static Configuration retainedWithoutRestarts() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }

    /** Overrides that start a job from {@code checkpointOrSavepoint}. */
    public static Configuration restoreFrom(String checkpointOrSavepoint) {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpointOrSavepoint);
        return conf;
    }

    /** The most recent completed checkpoint under {@code checkpointDir} (its {@code chk-N} directory). */
    public static String latest(Path checkpointDir) throws Exception {
        return TestUtils.getMostRecentCompletedCheckpoint(checkpointDir.toFile())
                .toURI()
                .toString();
    }

    /**
     * Stops {@code job} with a savepoint (canonical format, the one that may be restored at another
     * parallelism or after a state schema change) under {@code dir}; with {@code drain} the job first
     * ends event time, so every window and timer fires. Returns the savepoint's path.
     */
    public static String stopWithSavepoint(JobClient job, Path dir, boolean drain) throws Exception {
        try {
            return job.stopWithSavepoint(drain, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            job.cancel();
            throw e;
        }
    }

    /** Runs {@code run}, which must end in a {@link FailureInjection.PlannedFailure} (and nothing else). */
    public static void expectPlannedFailure(Callable<?> run) {
        Throwable thrown = catchThrowable(run::call);
        assertThat(thrown).as("the run fails").isNotNull();
        // the cause may arrive as a SerializedThrowable: find it by its message
        assertThat(ExceptionUtils.findThrowableWithMessage(thrown, "planned failure"))
                .as("the run fails with the planned failure, not %s", thrown)
                .isPresent();
    }
}
