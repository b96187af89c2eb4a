package io.moderato.udfs.vector;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sparse float vector of fixed dimension: {@code indices} are strictly ascending and in
 * [0, dimensions), {@code values[i]} belongs to {@code indices[i]}. Instances are immutable by
 * contract (arrays are not copied for speed; callers must not modify them).
 */
public record SparseVector(int dimensions, int[] indices, float[] values) {

    public SparseVector {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(values, "values");
        if (dimensions <= 0) {
            throw new IllegalArgumentException("dimensions must be positive, got " + dimensions);
        }
        if (indices.length != values.length) {
            throw new IllegalArgumentException(
                    "indices and values differ in length: " + indices.length + " vs " + values.length);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= dimensions) {
                throw new IllegalArgumentException(
                        "index " + indices[i] + " at position " + i + " is outside [0, " + dimensions + ")");
            }
            if (i > 0 && indices[i] <= indices[i - 1]) {
                throw new IllegalArgumentException("indices must be strictly ascending at position " + i);
            }
        }
    }

    public static SparseVector empty(int dimensions) {
        return new SparseVector(dimensions, new int[0], new float[0]);
    }

    public int nonZeros() {
        return indices.length;
    }

    public float[] toDense() {
        float[] dense = new float[dimensions];
        writeDense(dense, 0);
        return dense;
    }

    /** Writes this vector into {@code target[offset .. offset + dimensions)}, which must be zeroed. */
    public void writeDense(float[] target, int offset) {
        for (int i = 0; i < indices.length; i++) {
            target[offset + indices[i]] = values[i];
        }
    }

    public double dot(float[] dense) {
        double sum = 0;
        for (int i = 0; i < indices.length; i++) {
            sum += (double) values[i] * dense[indices[i]];
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector other
                && dimensions == other.dimensions
                && Arrays.equals(indices, other.indices)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dimensions + Arrays.hashCode(indices)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "SparseVector[dimensions=" + dimensions + ", nonZeros=" + indices.length + "]";
    }
}
