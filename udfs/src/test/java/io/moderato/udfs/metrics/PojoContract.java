package io.moderato.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Test helper: checks the rules Flink's POJO analysis applies (public class, public no-arg
 * constructor, every field reachable through a bean getter/setter pair) and restricts field
 * types to primitives, primitive arrays and String so the PojoSerializer never falls back to
 * Kryo; {@link #copyViaAccessors} does what the PojoSerializer does on restore.
 */
public final class PojoContract {

    private PojoContract() {}

    /** Asserts that {@code type} is a Flink POJO made of primitive fields only. */
    public static void assertFlinkPojoOfPrimitives(Class<?> type) throws Exception {
        assertThat(Modifier.isPublic(type.getModifiers())).as(type + " is public").isTrue();
        assertThat(type.getConstructor().getModifiers() & Modifier.PUBLIC)
                .as(type + " has a public no-arg constructor").isNotZero();
        int stateFields = 0;
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers)) {
                continue;
            }
            stateFields++;
            Class<?> fieldType = field.getType();
            assertThat(fieldType.isPrimitive()
                            || (fieldType.isArray() && fieldType.getComponentType().isPrimitive())
                            || fieldType == String.class)
                    .as("field %s.%s has a primitive type", type.getSimpleName(), field.getName())
                    .isTrue();
            Method getter = getter(type, field);
            assertThat(getter.getReturnType()).isEqualTo(fieldType);
            Method setter = type.getMethod(setterName(field), fieldType);
            assertThat(Modifier.isPublic(setter.getModifiers())).isTrue();
        }
        assertThat(stateFields).as(type + " has state fields").isPositive();
    }

    /** A new instance whose every field was set from {@code source}'s getters (deep-copying arrays). */
    @SuppressWarnings("unchecked")
    public static <T> T copyViaAccessors(T source) throws Exception {
        Class<T> type = (Class<T>) source.getClass();
        T copy = type.getConstructor().newInstance();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers)) {
                continue;
            }
            Object value = getter(type, field).invoke(source);
            if (value != null && value.getClass().isArray()) {
                value = cloneArray(value);
            }
            type.getMethod(setterName(field), field.getType()).invoke(copy, value);
        }
        return copy;
    }

    private static Object cloneArray(Object array) {
        if (array instanceof double[] d) {
            return d.clone();
        }
        if (array instanceof long[] l) {
            return l.clone();
        }
        if (array instanceof int[] i) {
            return i.clone();
        }
        throw new IllegalArgumentException("unexpected array type " + array.getClass());
    }

    private static Method getter(Class<?> type, Field field) throws NoSuchMethodException {
        String suffix = capitalised(field.getName());
        try {
            return type.getMethod("get" + suffix);
        } catch (NoSuchMethodException e) {
            if (field.getType() == boolean.class) {
                return type.getMethod("is" + suffix);
            }
            throw e;
        }
    }

    private static String setterName(Field field) {
        return "set" + capitalised(field.getName());
    }

    private static String capitalised(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
