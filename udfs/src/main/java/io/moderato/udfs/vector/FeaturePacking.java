package io.moderato.udfs.vector;

import io.moderato.jobs.internal.PackedFeatures;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The one codec of captured model inputs: packs them into little-endian bytes between the scorer and
 * the decider ({@link PackedFeatures}), unpacks them into the wire record ({@link FeatureVector}), and
 * reads a wire record back into a {@link SparseVector} (retraining). Boxed arrays of a few hundred
 * numbers per event cost about as much to move between operators as scoring them did (measured by
 * the detection benchmark).
 */
public final class FeaturePacking {

    private FeaturePacking() {}

    public static PackedFeatures pack(
            String modality, ModelVersion model, int dimensions, int[] indices, float[] values) {
        ByteBuffer idx = ByteBuffer.allocate(indices.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        idx.asIntBuffer().put(indices);
        ByteBuffer val = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        val.asFloatBuffer().put(values);
        return new PackedFeatures(modality, model, dimensions, idx, val);
    }

    /**
     * The wire record over the packed bytes: its index and value lists are read-only views that
     * decode on access, so nothing is boxed unless a serializer walks them (the decision sink does,
     * once; building boxed lists up front cost the decider a sixth of its CPU in the benchmark).
     */
    public static FeatureVector unpack(PackedFeatures packed) {
        IntBuffer indices =
                packed.getIndices().duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        FloatBuffer values =
                packed.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return new FeatureVector(
                packed.getModality(),
                packed.getModel(),
                packed.getDimensions(),
                new IntListView(indices),
                new FloatListView(values));
    }

    public static List<FeatureVector> unpackAll(List<PackedFeatures> packed) {
        List<FeatureVector> out = new ArrayList<>(packed.size());
        for (PackedFeatures p : packed) {
            out.add(unpack(p));
        }
        return out;
    }

    /**
     * The wire record as a sparse vector: a record without indices is dense (one value per dimension,
     * zeros dropped), otherwise indices and values pair up.
     *
     * @throws IllegalArgumentException when the lists do not fit the dimensions or each other (the
     *     message says how)
     */
    public static SparseVector toSparse(FeatureVector f) {
        int dims = f.getDimensions();
        List<Integer> indices = f.getIndices();
        List<Float> values = f.getValues();
        if (indices.isEmpty()) {
            if (values.size() != dims) {
                throw new IllegalArgumentException(
                        "a dense vector of " + values.size() + " values for " + dims + " dimensions");
            }
            int nonZero = 0;
            for (Float v : values) {
                nonZero += v != 0f ? 1 : 0;
            }
            int[] idx = new int[nonZero];
            float[] val = new float[nonZero];
            for (int i = 0, k = 0; i < dims; i++) {
                if (values.get(i) != 0f) {
                    idx[k] = i;
                    val[k++] = values.get(i);
                }
            }
            return new SparseVector(dims, idx, val);
        }
        if (indices.size() != values.size()) {
            throw new IllegalArgumentException(indices.size() + " indices but " + values.size() + " values");
        }
        int[] idx = new int[indices.size()];
        float[] val = new float[values.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices.get(i);
            val[i] = values.get(i);
        }
        return new SparseVector(dims, idx, val);
    }

    private static final class IntListView extends AbstractList<Integer> implements RandomAccess {
        private final IntBuffer buffer;

        IntListView(IntBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public Integer get(int index) {
            return buffer.get(Objects.checkIndex(index, buffer.limit()));
        }

        @Override
        public int size() {
            return buffer.limit();
        }
    }

    private static final class FloatListView extends AbstractList<Float> implements RandomAccess {
        private final FloatBuffer buffer;

        FloatListView(FloatBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public Float get(int index) {
            return buffer.get(Objects.checkIndex(index, buffer.limit()));
        }

        @Override
        public int size() {
            return buffer.limit();
        }
    }
}
