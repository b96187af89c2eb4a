package io.moderato.jobs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Flink's {@code KeyedBroadcastOperatorTestHarness}, but on a caller-built {@link MockEnvironment}
 * (Flink's builds its own, so its metrics cannot be read, generic types cannot be disabled
 * before {@code open()} and it cannot be a subtask other than 0 with a custom environment).
 * Same wiring: the function inside a {@link CoBroadcastWithKeyedOperator}, keyed input 1.
 */
public final class KeyedBroadcastHarness<K, IN1, IN2, OUT> extends AbstractStreamOperatorTestHarness<OUT> {

    private final MockEnvironment env;

    public KeyedBroadcastHarness(
            KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> function,
            KeySelector<IN1, K> keySelector,
            TypeInformation<K> keyType,
            MockEnvironment env,
            MapStateDescriptor<?, ?>... broadcastStates)
            throws Exception {
        super(new CoBroadcastWithKeyedOperator<>(function, List.of(broadcastStates)), env);
        this.env = env;
        config.setStatePartitioner(0, keySelector);
        config.setStateKeySerializer(keyType.createSerializer(executionConfig.getSerializerConfig()));
        config.serializeAllConfigs();
    }

    @SuppressWarnings("unchecked")
    private TwoInputStreamOperator<IN1, IN2, OUT> twoInput() {
        return (TwoInputStreamOperator<IN1, IN2, OUT>) operator;
    }

    public void processElement(IN1 value, long timestamp) throws Exception {
        StreamRecord<IN1> record = new StreamRecord<>(value, timestamp);
        twoInput().setKeyContextElement1(record);
        twoInput().processElement1(record);
    }

    public void processBroadcastElement(IN2 value, long timestamp) throws Exception {
        StreamRecord<IN2> record = new StreamRecord<>(value, timestamp);
        twoInput().setKeyContextElement2(record);
        twoInput().processElement2(record);
    }

    /** Advances both inputs' watermarks (the operator's watermark is their minimum). */
    public void watermark(long timestamp) throws Exception {
        twoInput().processWatermark1(new Watermark(timestamp));
        twoInput().processWatermark2(new Watermark(timestamp));
    }

    public <KS, V> BroadcastState<KS, V> getBroadcastState(MapStateDescriptor<KS, V> descriptor) throws Exception {
        return getOperator().getOperatorStateBackend().getBroadcastState(descriptor);
    }

    /** Values emitted on {@code tag}, in order; empty when none. */
    public <X> List<X> sideOutputValues(OutputTag<X> tag) {
        List<X> values = new ArrayList<>();
        var records = getSideOutput(tag);
        if (records != null) {
            records.forEach(r -> values.add(r.getValue()));
        }
        return values;
    }

    public int numKeyedStateEntries() {
        return Harnesses.keyedStateEntries(getOperator());
    }

    public Set<String> keysWithState(String stateName) {
        return Harnesses.keys(getOperator(), stateName);
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            env.close();
        }
    }
}
