package io.moderato.jobs.testing;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * Flink's {@code TwoInputStreamOperatorTestHarness} for a non-keyed two-input operator, but on a
 * caller-built {@link MockEnvironment}, so the operator's metrics can be read and generic types
 * are disabled. Same calls into the operator.
 */
public final class TwoInputHarness<IN1, IN2, OUT> extends AbstractStreamOperatorTestHarness<OUT> {

    private final MockEnvironment env;

    public TwoInputHarness(TwoInputStreamOperator<IN1, IN2, OUT> operator, MockEnvironment env) throws Exception {
        super(operator, env);
        this.env = env;
    }

    @SuppressWarnings("unchecked")
    private TwoInputStreamOperator<IN1, IN2, OUT> twoInput() {
        return (TwoInputStreamOperator<IN1, IN2, OUT>) operator;
    }

    public void processElement1(IN1 value, long timestamp) throws Exception {
        twoInput().processElement1(new StreamRecord<>(value, timestamp));
    }

    public void processElement2(IN2 value, long timestamp) throws Exception {
        twoInput().processElement2(new StreamRecord<>(value, timestamp));
    }

    public void processWatermark1(long timestamp) throws Exception {
        twoInput().processWatermark1(new Watermark(timestamp));
    }

    public void processWatermark2(long timestamp) throws Exception {
        twoInput().processWatermark2(new Watermark(timestamp));
    }

    public void endInput1() throws Exception {
        ((BoundedMultiInput) operator).endInput(1);
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
