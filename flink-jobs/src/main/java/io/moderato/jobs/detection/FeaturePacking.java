package io.moderato.jobs.detection;

import io.moderato.jobs.internal.PackedFeatures;
import io.moderato.schemas.FeatureVector;
import io.moderato.schemas.ModelVersion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

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

    static FeatureVector unpack(PackedFeatures packed) {
        ByteBuffer idx = packed.getIndices().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer val = packed.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> indices = new ArrayList<>(idx.remaining() / Integer.BYTES);
        while (idx.remaining() >= Integer.BYTES) {
            indices.add(idx.getInt());
        }
        List<Float> values = new ArrayList<>(val.remaining() / Float.BYTES);
        while (val.remaining() >= Float.BYTES) {
            values.add(val.getFloat());
        }
        return new FeatureVector(packed.getModality(), packed.getModel(), packed.getDimensions(), indices, values);
    }

    static List<FeatureVector> unpackAll(List<PackedFeatures> packed) {
        List<FeatureVector> out = new ArrayList<>(packed.size());
        for (PackedFeatures p : packed) {
            out.add(unpack(p));
        }
        return out;
    }
}
