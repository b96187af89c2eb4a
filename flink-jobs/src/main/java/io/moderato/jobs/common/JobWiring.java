package io.moderato.jobs.common;

import io.moderato.jobs.serde.RegistryAvroDeserializer;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** What every job's wiring does the same way: decode raw Kafka records, load policy defaults, read arguments and options. */
public final class JobWiring {

    private JobWiring() {}

    /** Decodes Confluent-framed Avro into {@code type}; bad bytes and records failing {@code check} go to {@link DeadLetters#TAG}. */
    public static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decode(
            DataStream<KafkaRecord> raw,
            Class<T> type,
            String registry,
            RecordCheck<T> check,
            String job,
            String uid,
            String name) {
        return decode(raw, type, registry, RegistryAvroDeserializer.DEFAULT_OUTAGE_MAX_WAIT, check, job, uid, name);
    }

    /** As above; a registry outage stalls decoding at most {@code outageMaxWait}, then records needing it are dead-lettered. */
    public static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decode(
            DataStream<KafkaRecord> raw,
            Class<T> type,
            String registry,
            java.time.Duration outageMaxWait,
            RecordCheck<T> check,
            String job,
            String uid,
            String name) {
        return raw.process(
                        new DecodeAvro<>(
                                RegistryAvroDeserializer.of(type, registry).withOutageMaxWait(outageMaxWait),
                                check,
                                job),
                        new AvroTypeInfo<>(type))
                .uid(uid)
                .name(name);
    }

    /**
     * Policy configs in force before policy.config has any: a classpath resource or a file at
     * {@code location}, the value of {@code option} (named in the error when neither exists).
     */
    public static List<PolicyConfig> policyDefaults(String location, ConfigOption<String> option) {
        try (InputStream in = open(location, option)) {
            return PolicyDefaults.read(in, location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy defaults " + location, e);
        }
    }

    private static InputStream open(String location, ConfigOption<String> option) throws IOException {
        InputStream in = JobWiring.class.getClassLoader().getResourceAsStream(location);
        if (in != null) {
            return in;
        }
        Path path = Path.of(location);
        if (Files.isRegularFile(path)) {
            return Files.newInputStream(path);
        }
        throw new IOException("no classpath resource or file '" + location + "' (key " + option.key() + ")");
    }

    /** {@code --key value} pairs into a map; a key without a value is an error naming it. */
    public static Map<String, String> parseArgs(String[] args) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got '" + args[i] + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            map.put(args[i].substring(2), args[++i]);
        }
        return map;
    }

    /** The public static {@link ConfigOption} constants declared by {@code holder}. */
    public static List<ConfigOption<?>> optionsOf(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
