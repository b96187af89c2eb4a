package io.moderato.jobs.serde;

import io.moderato.jobs.serde.testing.ProbeEvent;
import io.moderato.jobs.serde.testing.ProbeSurface;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/** Test fixtures: probe records, an evolved writer schema, and hand-built Confluent frames. */
final class Probes {

    private Probes() {}

    static ProbeEvent probe(String contentId) {
        return ProbeEvent.newBuilder()
                .setContentId(contentId)
                .setUserId("user-" + contentId)
                .setScore(0.875)
                .setSurface(ProbeSurface.COMMENT)
                .setLabels(List.of("spam", "harassment"))
                .setLocale("de-DE")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .build();
    }

    /** ProbeEvent as a newer producer writes it: same name, one extra field with a default. */
    static Schema probeV2Schema() {
        List<Schema.Field> fields = copyFields(f -> true);
        fields.add(new Schema.Field("severity", Schema.create(Schema.Type.INT), "added in v2", 0));
        return record(fields);
    }

    /** ProbeEvent without the required {@code score}: the reader cannot fill it in. */
    static Schema probeWithoutScoreSchema() {
        return record(copyFields(f -> !f.name().equals("score")));
    }

    private static List<Schema.Field> copyFields(Predicate<Schema.Field> keep) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : ProbeEvent.getClassSchema().getFields()) {
            if (keep.test(f)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return fields;
    }

    private static Schema record(List<Schema.Field> fields) {
        Schema v1 = ProbeEvent.getClassSchema();
        // Through JSON, so that the result is a plain parsed schema like one from the registry.
        return new Schema.Parser()
                .parse(Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields)
                        .toString());
    }

    static GenericRecord probeV2(Schema v2, String contentId, int severity) {
        GenericRecord r = new GenericData.Record(v2);
        ProbeEvent v1 = probe(contentId);
        r.put("contentId", v1.getContentId());
        r.put("userId", v1.getUserId());
        r.put("score", v1.getScore());
        r.put(
                "surface",
                new GenericData.EnumSymbol(
                        v2.getField("surface").schema(), v1.getSurface().name()));
        r.put("labels", v1.getLabels());
        r.put("locale", v1.getLocale());
        r.put("eventTime", v1.getEventTime().toEpochMilli());
        r.put("severity", severity);
        return r;
    }

    /** The Confluent frame built by hand: 0, big-endian id, Avro binary of {@code body}. */
    static byte[] frame(int schemaId, byte[] body) {
        byte[] out = new byte[5 + body.length];
        out[0] = 0;
        out[1] = (byte) (schemaId >>> 24);
        out[2] = (byte) (schemaId >>> 16);
        out[3] = (byte) (schemaId >>> 8);
        out[4] = (byte) schemaId;
        System.arraycopy(body, 0, out, 5, body.length);
        return out;
    }

    static byte[] avroBody(ProbeEvent record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ProbeEvent.class).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    static byte[] avroBody(GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }
}
