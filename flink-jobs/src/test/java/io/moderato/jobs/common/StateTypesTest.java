package io.moderato.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.moderato.jobs.detection.DetectionState;
import io.moderato.jobs.feedback.FeedbackState;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every keyed and broadcast state of both jobs gets a serializer with Kryo switched off, as in production
 * ({@code pipeline.generic-types: false}). A state type that is not a valid POJO or Avro record (a missing
 * no-argument constructor, a private field without accessors, an interface-typed field) would only fail when
 * the job first touches that state — on a production cluster, possibly hours after deployment.
 */
class StateTypesTest {

    @Test
    void shouldSerializeEveryStateWithoutKryo() throws Exception {
        List<StateDescriptor<?, ?>> descriptors = new ArrayList<>();
        descriptors.addAll(descriptorsOf(DetectionState.class));
        descriptors.addAll(descriptorsOf(FeedbackState.class));
        assertThat(descriptors)
                .extracting(StateDescriptor::getName)
                .contains("score-windows", "traffic-baselines", "user-signal");
        for (StateDescriptor<?, ?> descriptor : descriptors) {
            ExecutionConfig config = new ExecutionConfig();
            ((SerializerConfigImpl) config.getSerializerConfig()).setGenericTypes(false);
            assertThatCode(() -> descriptor.initializeSerializerUnlessSet(config))
                    .as("state %s", descriptor.getName())
                    .doesNotThrowAnyException();
            assertThat(usesKryo(descriptor.getSerializer()))
                    .as("state %s", descriptor.getName())
                    .isFalse();
        }
    }

    private static boolean usesKryo(TypeSerializer<?> serializer) {
        if (serializer instanceof MapSerializer<?, ?> map) {
            return usesKryo(map.getKeySerializer()) || usesKryo(map.getValueSerializer());
        }
        return serializer instanceof KryoSerializer;
    }

    /** The public static state descriptors of a state holder class: constants and no-argument factories. */
    private static List<StateDescriptor<?, ?>> descriptorsOf(Class<?> holder) throws Exception {
        List<StateDescriptor<?, ?>> out = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && StateDescriptor.class.isAssignableFrom(field.getType())) {
                out.add((StateDescriptor<?, ?>) field.get(null));
            }
        }
        for (Method method : holder.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())
                    && method.getParameterCount() == 0
                    && StateDescriptor.class.isAssignableFrom(method.getReturnType())) {
                out.add((StateDescriptor<?, ?>) method.invoke(null));
            }
        }
        return out;
    }
}
