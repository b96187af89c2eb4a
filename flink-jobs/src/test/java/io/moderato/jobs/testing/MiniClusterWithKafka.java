package io.moderato.jobs.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What every job ITCase runs on, one per test class: a Flink MiniCluster with one TaskManager (jobs
 * submitted through {@code executeAsync} land on it) and an {@link EmbeddedKafka} broker, started before
 * the first test and closed after the last. Test methods share both and keep apart through their own
 * {@link TopicScope}. Test methods may take the MiniCluster's parameters ({@code @InjectMiniCluster}).
 * Register it as a static field:
 * {@code @RegisterExtension static final MiniClusterWithKafka CLUSTER = MiniClusterWithKafka.withSlots(2);}
 */
public final class MiniClusterWithKafka
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {

    private final MiniClusterExtension flink;
    private final List<RunningJob> jobsOfTheTest = new ArrayList<>();
    private EmbeddedKafka kafka;

    private MiniClusterWithKafka(MiniClusterExtension flink) {
        this.flink = flink;
    }

    /** A MiniCluster with {@code slots} task slots (a job at parallelism 2 takes 2) and a Kafka broker. */
    public static MiniClusterWithKafka withSlots(int slots) {
        return withSlots(slots, new Configuration());
    }

    /** As {@link #withSlots(int)}, with {@code clusterConfiguration} for the MiniCluster itself. */
    public static MiniClusterWithKafka withSlots(int slots, Configuration clusterConfiguration) {
        return new MiniClusterWithKafka(new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .setConfiguration(clusterConfiguration)
                .build()));
    }

    /** The broker; started for the whole test class. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the Kafka broker starts before the first test: register "
                    + getClass().getSimpleName() + " as a static @RegisterExtension field");
        }
        return kafka;
    }

    /**
     * Cancels {@code jobs} after the current test whatever its outcome (if still running), so a failed
     * test leaves its slots free for the next one.
     */
    public void cancelAfterTest(RunningJob... jobs) {
        jobsOfTheTest.addAll(List.of(jobs));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        flink.beforeAll(context);
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        flink.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (RunningJob job : jobsOfTheTest) {
                job.cancelIfRunning();
            }
        } finally {
            jobsOfTheTest.clear();
            flink.afterEach(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.supportsParameter(parameter, context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.resolveParameter(parameter, context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
                kafka = null;
            }
        } finally {
            flink.afterAll(context);
        }
    }
}
