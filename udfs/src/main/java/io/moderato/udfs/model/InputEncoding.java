package io.moderato.udfs.model;

/**
 * How a model graph takes its feature vector. DENSE: input {@code input} float[N, D]. SPARSE:
 * inputs {@code indices} int64[N, K] and {@code values} float[N, K], rows padded with index 0 and
 * value 0, K the largest non-zero count in the batch. Both return {@code probabilities} float[N, P].
 */
public enum InputEncoding {
    DENSE, SPARSE
}
