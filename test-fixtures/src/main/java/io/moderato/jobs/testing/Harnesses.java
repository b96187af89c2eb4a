package io.moderato.jobs.testing;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * Operator-harness plumbing shared by the job tests: a {@link MockEnvironment} with the production
 * serializer rule ({@code pipeline.generic-types=false}, so any state or record type that would
 * fall back to Kryo fails), a chosen subtask and recorded metrics; the two state backends; and
 * backend-independent views of keyed state for cleanup assertions.
 */
public final class Harnesses {

    public static final int MAX_PARALLELISM = 128;

    private Harnesses() {}

    /** The state backends a harness can run on; RocksDB serializes every access, so it proves the serializers. */
    public enum Backend {
        HEAP,
        ROCKSDB;

        public StateBackend create() {
            if (this == HEAP) {
                return new HashMapStateBackend();
            }
            // a harness has no managed memory to share: let RocksDB size its own buffers
            Configuration conf = new Configuration();
            conf.set(RocksDBOptions.USE_MANAGED_MEMORY, false);
            return new EmbeddedRocksDBStateBackend().configure(conf, Harnesses.class.getClassLoader());
        }
    }

    /** Subtask {@code subtaskIndex} of {@code parallelism}, generic types disabled, metrics into {@code metrics}. */
    public static MockEnvironment environment(int parallelism, int subtaskIndex, OperatorMetrics metrics) {
        return environment(parallelism, subtaskIndex, metrics, Harnesses.class.getClassLoader());
    }

    /** As {@link #environment(int, int, OperatorMetrics)}, restoring state classes through {@code userCode}. */
    public static MockEnvironment environment(
            int parallelism, int subtaskIndex, OperatorMetrics metrics, ClassLoader userCode) {
        ExecutionConfig executionConfig = new ExecutionConfig();
        Configuration strict = new Configuration();
        strict.set(PipelineOptions.GENERIC_TYPES, false);
        executionConfig.configure(strict, Harnesses.class.getClassLoader());
        return new MockEnvironmentBuilder()
                .setTaskName("harness")
                .setMaxParallelism(MAX_PARALLELISM)
                .setParallelism(parallelism)
                .setSubtaskIndex(subtaskIndex)
                .setExecutionConfig(executionConfig)
                .setMetricGroup(metrics.taskGroup())
                .setUserCodeClassLoader(userCode)
                .build();
    }

    /** All keyed state entries of the operator (per key and state; a RocksDB map state counts per map entry). */
    public static int keyedStateEntries(AbstractStreamOperator<?> operator) {
        KeyedStateBackend<?> backend = operator.getKeyedStateBackend();
        if (backend instanceof HeapKeyedStateBackend<?> heap) {
            return heap.numKeyValueStateEntries();
        }
        if (backend instanceof RocksDBKeyedStateBackend<?> rocks) {
            return rocks.numKeyValueStateEntries();
        }
        throw new IllegalStateException("cannot count the entries of " + backend);
    }

    /** The keys that hold state {@code stateName} (any backend). */
    public static Set<String> keys(AbstractStreamOperator<?> operator, String stateName) {
        KeyedStateBackend<?> backend = operator.getKeyedStateBackend();
        try (Stream<?> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
