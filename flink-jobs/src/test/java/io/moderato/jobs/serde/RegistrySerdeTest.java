package io.moderato.jobs.serde;

import static io.moderato.jobs.serde.Probes.avroBody;
import static io.moderato.jobs.serde.Probes.frame;
import static io.moderato.jobs.serde.Probes.probe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.jobs.serde.DecodeResult.Failure;
import io.moderato.jobs.serde.testing.ProbeEvent;
import io.moderato.registry.RegistryException;
import io.moderato.registry.SchemaRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Serializer, deserializer and coder against the in-JVM registry ({@code mock://}). */
class RegistrySerdeTest {

    private static final String TOPIC = "content.events";
    private static final String SUBJECT = "content.events-value";

    private String scope;
    private String url;
    private RegistryAvroSerializer<ProbeEvent> serializer;
    private RegistryAvroDeserializer<ProbeEvent> deserializer;

    @BeforeEach
    void setUp() {
        scope = "serde-" + UUID.randomUUID();
        url = "mock://" + scope;
        serializer = RegistryAvroSerializer.forTopic(ProbeEvent.class, url, TOPIC);
        serializer.open(null);
        deserializer = RegistryAvroDeserializer.of(ProbeEvent.class, url);
    }

    @AfterEach
    void dropScope() {
        SchemaRegistry.dropMockScope(scope);
    }

    @Test
    void shouldRoundTripThroughTheInJvmRegistry() throws Exception {
        ProbeEvent event = probe("c-1");

        DecodeResult<ProbeEvent> result = deserializer.decode(serializer.serialize(event));

        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.record()).isEqualTo(event);
        assertThat(result.record().getEventTime()).isEqualTo(event.getEventTime());
    }

    @Test
    void shouldFrameBytesAsMagicByteThenRegisteredIdThenPlainAvro() throws Exception {
        byte[] bytes = serializer.serialize(probe("c-2"));

        int registeredId;
        try (SchemaRegistry registry = SchemaRegistry.connect(url)) {
            registeredId = registry.idOf(SUBJECT, ProbeEvent.getClassSchema().toString());
        }
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBody(probe("c-2")));
        assertThat(deserializer.decode(bytes).schemaId()).isEqualTo(registeredId);
    }

    @Test
    void shouldRegisterOnlyUnderTheTopicValueSubject() throws Exception {
        serializer.serialize(probe("c-3"));

        try (SchemaRegistry registry = SchemaRegistry.connect(url)) {
            String schema = ProbeEvent.getClassSchema().toString();
            assertThat(registry.idOf(SUBJECT, schema)).isEqualTo(serializer.writerSchemaId());
            assertThatThrownBy(() -> registry.idOf("content.events-key", schema))
                    .isInstanceOfSatisfying(
                            RegistryException.class,
                            e -> assertThat(e.isNotFound()).isTrue());
        }
    }

    @Test
    void shouldDecodeAHandBuiltConfluentFrame() throws Exception {
        int id;
        try (SchemaRegistry registry = SchemaRegistry.connect(url)) {
            id = registry.register(SUBJECT, ProbeEvent.getClassSchema().toString());
        }
        DecodeResult<ProbeEvent> result = deserializer.decode(frame(id, avroBody(probe("c-4"))));

        assertThat(result.record()).isEqualTo(probe("c-4"));
    }

    @Test
    void shouldReadARecordWrittenWithANewerSchemaThatHasAnExtraField() throws Exception {
        Schema v2 = Probes.probeV2Schema();
        ConfluentSchemaCoder coder =
                ConfluentSchemaCoder.Provider.forTopicValues(url, TOPIC).get();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        coder.writeSchema(v2, out);
        out.write(avroBody(Probes.probeV2(v2, "c-5", 3)));

        DecodeResult<ProbeEvent> result = deserializer.decode(out.toByteArray());

        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.record()).isEqualTo(probe("c-5"));
        assertThat(result.schemaId()).isEqualTo(coder.idOf(v2)).isNotEqualTo(serializer.writerSchemaId());
    }

    @Test
    void shouldReportASchemaMismatchWhenTheWriterLacksARequiredField() throws Exception {
        Schema noScore = Probes.probeWithoutScoreSchema();
        int id;
        try (SchemaRegistry registry = SchemaRegistry.connect(url)) {
            id = registry.register("other-value", noScore.toString());
        }
        GenericRecord v2 = Probes.probeV2(Probes.probeV2Schema(), "c-6", 1);
        GenericRecord partial = new org.apache.avro.generic.GenericData.Record(noScore);
        noScore.getFields().forEach(f -> partial.put(f.name(), v2.get(f.name())));
        partial.put(
                "surface",
                new org.apache.avro.generic.GenericData.EnumSymbol(
                        noScore.getField("surface").schema(), "FEED"));

        DecodeResult<ProbeEvent> result = deserializer.decode(frame(id, avroBody(partial)));

        assertThat(result.isOk()).isFalse();
        assertThat(result.failure()).isEqualTo(Failure.SCHEMA_MISMATCH);
        assertThat(result.error()).contains("score");
    }

    @Test
    void shouldReportGarbageAsAFailureNotAnException() throws Exception {
        DecodeResult<ProbeEvent> result = deserializer.decode("{\"not\":\"avro\"}".getBytes());

        assertThat(result.failure()).isEqualTo(Failure.UNKNOWN_MAGIC_BYTE);
        assertThat(result.error()).contains("first byte is 123");
        assertThat(result.schemaId()).isEqualTo(-1);
        assertThatThrownBy(result::record).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReportAWrongMagicByte() throws Exception {
        byte[] bytes = serializer.serialize(probe("c-7"));
        bytes[0] = 1;

        assertThat(deserializer.decode(bytes).failure()).isEqualTo(Failure.UNKNOWN_MAGIC_BYTE);
    }

    @Test
    void shouldReportAnUnknownSchemaId() throws Exception {
        DecodeResult<ProbeEvent> result = deserializer.decode(frame(4242, avroBody(probe("c-8"))));

        assertThat(result.failure()).isEqualTo(Failure.UNKNOWN_SCHEMA_ID);
        assertThat(result.schemaId()).isEqualTo(4242);
        assertThat(result.error()).contains("4242");
    }

    @Test
    void shouldReportTruncatedHeadersAndBodies() throws Exception {
        byte[] bytes = serializer.serialize(probe("c-9"));

        assertThat(deserializer.decode(new byte[0]).failure()).isEqualTo(Failure.TRUNCATED_HEADER);
        assertThat(deserializer.decode(Arrays.copyOf(bytes, 3)).failure()).isEqualTo(Failure.TRUNCATED_HEADER);
        assertThat(deserializer.decode(Arrays.copyOf(bytes, 5)).failure()).isEqualTo(Failure.TRUNCATED_BODY);
        assertThat(deserializer.decode(Arrays.copyOf(bytes, bytes.length - 1)).failure())
                .isEqualTo(Failure.TRUNCATED_BODY);
    }

    @Test
    void shouldReportTrailingBytesAfterACompleteRecord() throws Exception {
        byte[] bytes = serializer.serialize(probe("c-10"));

        DecodeResult<ProbeEvent> result = deserializer.decode(Arrays.copyOf(bytes, bytes.length + 2));

        assertThat(result.failure()).isEqualTo(Failure.TRAILING_BYTES);
    }

    @Test
    void shouldReportANullPayload() throws Exception {
        assertThat(deserializer.decode(null).failure()).isEqualTo(Failure.NULL_PAYLOAD);
        assertThat(serializer.serialize(null)).isNull();
    }

    @Test
    void shouldRefuseAHugeLengthPrefixWithoutAllocatingIt() throws Exception {
        byte[] valid = serializer.serialize(probe("c-11"));
        // contentId's length prefix as a 5-byte zig-zag varint for 2^30 bytes.
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'};
        byte[] bytes = frame(ByteBuffer.wrap(valid, 1, 4).getInt(), body);

        DecodeResult<ProbeEvent> result = deserializer.decode(bytes);

        assertThat(result.failure()).isEqualTo(Failure.TRUNCATED_BODY);
        assertThat(result.error()).contains("string of 1073741824 bytes, but only 1 bytes left");
    }

    @Test
    void shouldKeepDecodingCorrectlyAfterFailures() throws Exception {
        byte[] good = serializer.serialize(probe("c-12"));
        byte[] longer = Arrays.copyOf(good, good.length + 7);
        byte[] shorter = Arrays.copyOf(good, good.length - 4);

        assertThat(deserializer.decode(longer).isOk()).isFalse();
        assertThat(deserializer.decode(shorter).isOk()).isFalse();
        assertThat(deserializer.decode(good).record()).isEqualTo(probe("c-12"));
    }

    @Test
    void shouldNeverThrowOnRandomBodiesBehindAValidHeader() throws Exception {
        int id = ByteBuffer.wrap(serializer.serialize(probe("c-13")), 1, 4).getInt();
        Random random = new Random(42);
        int ok = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            DecodeResult<ProbeEvent> result = deserializer.decode(frame(id, body));
            ok += result.isOk() ? 1 : 0;
        }
        // Random bytes hardly ever form a whole ProbeEvent with nothing left over.
        assertThat(ok).isLessThan(50);
        assertThat(deserializer.decode(serializer.serialize(probe("c-13"))).isOk())
                .isTrue();
    }

    @Test
    void shouldWorkAfterJavaSerializationAsFlinkShipsIt() throws Exception {
        RegistryAvroSerializer<ProbeEvent> shippedSerializer =
                roundTripJava(RegistryAvroSerializer.forTopic(ProbeEvent.class, url, TOPIC));
        RegistryAvroDeserializer<ProbeEvent> shippedDeserializer =
                roundTripJava(RegistryAvroDeserializer.of(ProbeEvent.class, url));

        DecodeResult<ProbeEvent> result = shippedDeserializer.decode(shippedSerializer.serialize(probe("c-14")));

        assertThat(result.record()).isEqualTo(probe("c-14"));
    }

    @Test
    void shouldBeInterchangeableWithFlinkAvrosOwnRegistrySchemas() throws Exception {
        ConfluentSchemaCoder.Provider provider = ConfluentSchemaCoder.Provider.forTopicValues(url, TOPIC);
        RegistryAvroSerializationSchema<ProbeEvent> flinkSerializer =
                RegistryAvroSerializationSchema.forSpecific(ProbeEvent.class, provider);
        RegistryAvroDeserializationSchema<ProbeEvent> flinkDeserializer =
                new RegistryAvroDeserializationSchema<>(ProbeEvent.class, null, provider);

        byte[] ours = serializer.serialize(probe("c-15"));
        byte[] theirs = flinkSerializer.serialize(probe("c-15"));

        assertThat(theirs).isEqualTo(ours);
        assertThat(flinkDeserializer.deserialize(ours)).isEqualTo(probe("c-15"));
        assertThat(deserializer.decode(theirs).record()).isEqualTo(probe("c-15"));
    }

    @Test
    void shouldWriteOnlyAlreadyRegisteredSchemasWhenAutoRegistrationIsOff() throws Exception {
        RegistryAvroSerializer<ProbeEvent> strict = new RegistryAvroSerializer<>(
                ProbeEvent.class, new ConfluentSchemaCoder.Provider(url, "strict-value", false, java.util.Map.of()));

        assertThatThrownBy(() -> strict.serialize(probe("c-16")))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasCauseInstanceOf(RegistryException.class);

        try (SchemaRegistry registry = SchemaRegistry.connect(url)) {
            registry.register("strict-value", ProbeEvent.getClassSchema().toString());
        }
        assertThat(deserializer.decode(strict.serialize(probe("c-16"))).record())
                .isEqualTo(probe("c-16"));
    }

    @Test
    void shouldRetryAnUnreachableRegistryForTheOutageBudgetOnceThenAnswerRegistryUnavailable() throws Exception {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        RegistryAvroDeserializer<ProbeEvent> offline = RegistryAvroDeserializer.of(
                        ProbeEvent.class, "http://127.0.0.1:9")
                .withOutageMaxWait(java.time.Duration.ofMillis(300));

        long started = System.nanoTime();
        DecodeResult<ProbeEvent> first = offline.decode(frame(1, new byte[] {2, 'a'}));
        long firstMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(first.failure()).isEqualTo(DecodeResult.Failure.REGISTRY_UNAVAILABLE);
        assertThat(first.error())
                .startsWith("REGISTRY_UNAVAILABLE: schema registry unreachable for ")
                .contains("outage budget 300 ms");
        assertThat(firstMillis).isGreaterThanOrEqualTo(300);

        // the budget belongs to the outage, not to each record: the next record is not held another 300 ms
        started = System.nanoTime();
        assertThat(offline.decode(frame(2, new byte[] {2, 'b'})).failure())
                .isEqualTo(DecodeResult.Failure.REGISTRY_UNAVAILABLE);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(300);
    }

    @Test
    void shouldRejectUrlsThatAreNeitherMockNorHttp() {
        assertThatThrownBy(() -> SchemaRegistry.connect("kafka://broker:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mock://");
        assertThatThrownBy(() -> SchemaRegistry.connect("mock://")).isInstanceOf(IllegalArgumentException.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTripJava(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
