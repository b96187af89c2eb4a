package io.moderato.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.ReleasedSchemas.Released;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every topic record survives binary encoding, with the current schema and across the released one. */
class RoundTripTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldDecodeToAnEqualRecord(Topic topic) throws IOException {
        SpecificRecord sample = SampleRecords.of(topic);

        SpecificRecord decoded = decode(encode(sample), new SpecificDatumReader<>(topic.schema()));

        assertThat(decoded).isInstanceOf(topic.recordClass()).isEqualTo(sample);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldUseAFullyPopulatedSample(Topic topic) {
        List<String> empty = new ArrayList<>();
        findEmpty(topic.schema().getName(), SampleRecords.of(topic), empty);

        assertThat(empty)
                .as("sample leaves these unset or empty, so their branch is not round-tripped")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topic.class)
    void shouldCrossTheLatestReleasedSchemaBothWays(Topic topic) throws IOException {
        Released latest = latestReleased(topic);
        SpecificRecord sample = SampleRecords.of(topic);

        // a consumer still on the released schema reads what we write now ...
        GenericRecord asOldReader = decode(encode(sample), new GenericDatumReader<>(topic.schema(), latest.schema()));
        // ... and what it writes is read into the current generated class
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(latest.schema()).write(asOldReader, encoder);
        encoder.flush();
        SpecificRecord back = decode(out.toByteArray(), new SpecificDatumReader<>(latest.schema(), topic.schema()));

        String identity = topic.keyField().orElse("sourceTopic");
        int pos = topic.schema().getField(identity).pos();
        assertThat(String.valueOf(asOldReader.get(identity))).isEqualTo(sample.get(pos));
        assertThat(back).isInstanceOf(topic.recordClass());
        assertThat(back.get(pos)).isEqualTo(sample.get(pos));
    }

    private static Released latestReleased(Topic topic) {
        List<Released> released = ReleasedSchemas.of(topic.schema().getName());
        assertThat(released)
                .as("released versions of %s", topic.schema().getName())
                .isNotEmpty();
        return released.get(released.size() - 1);
    }

    private static byte[] encode(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        DatumWriter<SpecificRecord> writer = new SpecificDatumWriter<>(record.getSchema());
        writer.write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static <T> T decode(byte[] bytes, DatumReader<T> reader) throws IOException {
        return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    private static void findEmpty(String path, Object value, List<String> empty) {
        if (value == null) {
            empty.add(path);
        } else if (value instanceof SpecificRecord record) {
            for (Schema.Field f : record.getSchema().getFields()) {
                findEmpty(path + "." + f.name(), record.get(f.pos()), empty);
            }
        } else if (value instanceof Collection<?> items) {
            if (items.isEmpty()) {
                empty.add(path + "[]");
            }
            items.forEach(item -> findEmpty(path + "[]", item, empty));
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                empty.add(path + "{}");
            }
            map.values().forEach(v -> findEmpty(path + "{}", v, empty));
        }
    }
}
