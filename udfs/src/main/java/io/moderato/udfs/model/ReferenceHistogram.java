package io.moderato.udfs.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The score distribution of one policy on held-out data at training time; drift detectors compare
 * live scores against it. {@code binEdges} has one more entry than {@code counts}, ascending.
 */
public record ReferenceHistogram(double[] binEdges, double[] counts) {

    public ReferenceHistogram {
        Objects.requireNonNull(binEdges, "binEdges");
        Objects.requireNonNull(counts, "counts");
        if (binEdges.length != counts.length + 1 || counts.length == 0) {
            throw new IllegalArgumentException("referenceHistogram needs binEdges.length == counts.length + 1 > 1, got "
                    + binEdges.length + " edges and " + counts.length + " counts");
        }
        for (int i = 1; i < binEdges.length; i++) {
            if (!(binEdges[i] > binEdges[i - 1])) {
                throw new IllegalArgumentException("referenceHistogram.binEdges must be strictly ascending at " + i);
            }
        }
        for (double c : counts) {
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("referenceHistogram.counts must be finite and >= 0, got " + c);
            }
        }
    }

    /** {@code bins} equal-width bins on [0, 1] filled with {@code scores}. */
    public static ReferenceHistogram of(double[] scores, int bins) {
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = (double) i / bins;
        }
        double[] counts = new double[bins];
        for (double s : scores) {
            counts[Math.min(bins - 1, Math.max(0, (int) Math.floor(s * bins)))]++;
        }
        return new ReferenceHistogram(edges, counts);
    }

    public double total() {
        double sum = 0;
        for (double c : counts) {
            sum += c;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReferenceHistogram other
                && Arrays.equals(binEdges, other.binEdges)
                && Arrays.equals(counts, other.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(binEdges) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ReferenceHistogram[bins=" + counts.length + ", total=" + total() + "]";
    }
}
