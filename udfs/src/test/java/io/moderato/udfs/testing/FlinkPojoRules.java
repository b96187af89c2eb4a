package io.moderato.udfs.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks, without a Flink dependency, the rules that let Flink treat a class as a POJO (and not fall
 * back to Kryo, which the jobs forbid): public class, public no-arg constructor, every instance
 * field public and non-final; and the house rule for keyed state: no collections.
 */
public final class FlinkPojoRules {

    private FlinkPojoRules() {}

    public static void assertFlinkPojoWithoutCollections(Class<?> type) throws Exception {
        assertThat(Modifier.isPublic(type.getModifiers())).as("%s is public", type).isTrue();
        assertThat(Modifier.isPublic(type.getConstructor().getModifiers())).as("public no-arg constructor").isTrue();
        int instanceFields = 0;
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            instanceFields++;
            assertThat(Modifier.isPublic(f.getModifiers())).as("%s is public", f.getName()).isTrue();
            assertThat(Modifier.isFinal(f.getModifiers())).as("%s is final", f.getName()).isFalse();
            assertThat(Modifier.isTransient(f.getModifiers())).as("%s is transient", f.getName()).isFalse();
            Class<?> t = f.getType().isArray() ? f.getType().getComponentType() : f.getType();
            assertThat(t.isPrimitive()).as("%s is a primitive or a primitive array", f.getName()).isTrue();
            assertThat(Collection.class.isAssignableFrom(f.getType()) || Map.class.isAssignableFrom(f.getType()))
                    .as("%s is a collection", f.getName()).isFalse();
        }
        assertThat(instanceFields).isPositive();
    }
}
