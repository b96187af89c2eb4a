package io.moderato.udfs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.apache.flink.util.InstantiationUtil;

/**
 * The udfs classes the jobs keep as keyed state: Flink's own POJO check ({@link
 * PojoTestUtils#assertSerializedAsPojoWithoutKryo}; the jobs run with generic types disabled) and a
 * restore through the very serializer a checkpoint uses.
 */
public final class FlinkPojoState {

    private FlinkPojoState() {}

    /** Flink serializes {@code type} as a POJO, never with Kryo (whose state cannot evolve). */
    public static void assertPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }

    /** As {@link #assertPojoWithoutKryo}, and the house rule for per-key state: no collection fields. */
    public static void assertPojoWithoutKryoOrCollections(Class<?> type) {
        assertPojoWithoutKryo(type);
        assertThat(Arrays.stream(type.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers())))
                .as("instance fields of %s", type.getSimpleName())
                .isNotEmpty()
                .noneMatch(FlinkPojoState::isCollection);
    }

    /** {@code value} written and read back by Flink's serializer for its class, as on a checkpoint restore. */
    @SuppressWarnings("unchecked")
    public static <T> T restored(T value) throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer =
                TypeInformation.of((Class<T>) value.getClass()).createSerializer(config);
        return InstantiationUtil.deserializeFromByteArray(
                serializer, InstantiationUtil.serializeToByteArray(serializer, value));
    }

    private static boolean isCollection(Field field) {
        return Collection.class.isAssignableFrom(field.getType()) || Map.class.isAssignableFrom(field.getType());
    }
}
