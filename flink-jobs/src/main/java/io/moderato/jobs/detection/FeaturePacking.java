package io.moderato.jobs.detection;

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
 * Packs captured model inputs into bytes between the scorer and the decider, and unpacks them into
 * the wire record. Boxed arrays of a few hundred numbers per event cost about as much to move
 * between operators as scoring them did (measured by the detection benchmark).
 */
final class FeaturePacking {

    private FeaturePacking() {}

    static PackedFeatures pack(String modality, ModelVersion model, int dimensions, int[] indices, float[] values) {
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
    static FeatureVector unpack(PackedFeatures packed) {
        IntBuffer indices = packed.getIndices().duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        FloatBuffer values = packed.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return new FeatureVector(packed.getModality(), packed.getModel(), packed.getDimensions(),
                new IntListView(indices), new FloatListView(values));
    }

    static List<FeatureVector> unpackAll(List<PackedFeatures> packed) {
        List<FeatureVector> out = new ArrayList<>(packed.size());
        for (PackedFeatures p : packed) {
            out.add(unpack(p));
        }
        return out;
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
