package io.moderato.udfs.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.jobs.internal.PackedFeatures;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class FeaturePackingTest {

    private static final ModelVersion MODEL = new ModelVersion("text", "text-spam", "1.0.0");

    /** The unpacked record equals, hashes and serializes exactly like one built from boxed lists. */
    @Test
    void shouldUnpackToTheSameRecordAsBoxedListsByValueHashAndAvroBytes() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int[] indices = random.ints(400, 0, 65_536).sorted().distinct().toArray();
        float[] values = new float[indices.length];
        List<Integer> boxedIndices = new ArrayList<>();
        List<Float> boxedValues = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
            boxedIndices.add(indices[i]);
            boxedValues.add(values[i]);
        }
        FeatureVector expected = new FeatureVector("text", MODEL, 65_536, boxedIndices, boxedValues);

        FeatureVector unpacked = FeaturePacking.unpack(FeaturePacking.pack("text", MODEL, 65_536, indices, values));

        assertThat(unpacked).isEqualTo(expected);
        assertThat(expected).isEqualTo(unpacked);
        assertThat(unpacked.hashCode()).isEqualTo(expected.hashCode());
        assertThat(unpacked.toString()).isEqualTo(expected.toString());
        assertThat(avro(unpacked)).isEqualTo(avro(expected));
        assertThat(fromAvro(avro(unpacked))).isEqualTo(expected);
    }

    @Test
    void shouldReadEveryUnpackingFromTheStartOfThePackedBytes() {
        PackedFeatures packed = FeaturePacking.pack("text", MODEL, 8, new int[] {1, 5}, new float[] {0.25f, -2f});

        FeatureVector first = FeaturePacking.unpack(packed);
        first.getIndices().forEach(i -> {}); // walking one view must not move another's position
        FeatureVector second = FeaturePacking.unpack(packed);

        assertThat(second.getIndices()).containsExactly(1, 5);
        assertThat(second.getValues()).containsExactly(0.25f, -2f);
        assertThat(first).isEqualTo(second);
    }

    @Test
    void shouldHandleNoFeaturesAndRefuseChangesAndBadIndices() {
        FeatureVector empty = FeaturePacking.unpack(FeaturePacking.pack("text", MODEL, 8, new int[0], new float[0]));
        assertThat(empty.getIndices()).isEmpty();
        assertThat(empty.getValues()).isEmpty();

        FeatureVector one =
                FeaturePacking.unpack(FeaturePacking.pack("text", MODEL, 8, new int[] {3}, new float[] {1f}));
        assertThatThrownBy(() -> one.getIndices().add(4)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> one.getValues().set(0, 2f)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> one.getIndices().get(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> one.getValues().get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static byte[] avro(FeatureVector vector) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(FeatureVector.class).write(vector, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    private static FeatureVector fromAvro(byte[] bytes) throws Exception {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        return new SpecificDatumReader<>(FeatureVector.class).read(null, decoder);
    }

    @Test
    void shouldReadADenseWireVectorAsSparseWithoutItsZeros() {
        SparseVector v =
                FeaturePacking.toSparse(new FeatureVector("image", MODEL, 4, List.of(), List.of(0.5f, 0f, 0f, -1.25f)));

        assertThat(v.indices()).containsExactly(0, 3);
        assertThat(v.values()).containsExactly(0.5f, -1.25f);
    }

    @Test
    void shouldReadASparseWireVectorAsPackedAndRefuseUnpairedLists() {
        FeatureVector packed =
                FeaturePacking.unpack(FeaturePacking.pack("text", MODEL, 8, new int[] {1, 5}, new float[] {0.25f, 2f}));
        SparseVector v = FeaturePacking.toSparse(packed);
        assertThat(v.indices()).containsExactly(1, 5);
        assertThat(v.values()).containsExactly(0.25f, 2f);

        assertThatThrownBy(
                        () -> FeaturePacking.toSparse(new FeatureVector("text", MODEL, 8, List.of(1, 2), List.of(1f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("2 indices but 1 values");
        assertThatThrownBy(() -> FeaturePacking.toSparse(new FeatureVector("image", MODEL, 3, List.of(), List.of(1f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a dense vector of 1 values for 3 dimensions");
    }
}
