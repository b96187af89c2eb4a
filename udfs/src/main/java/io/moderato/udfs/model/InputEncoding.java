package io.moderato.udfs.model;

/**
 * How a model graph takes its feature vectors; both return {@code probabilities} float[N, P].
 * <ul>
 *   <li>DENSE: input {@code input} float[N, D].</li>
 *   <li>SPARSE, flattened over the batch (COO, no padding): {@code indices} int64[NNZ] (the feature index
 *       of every non-zero of the batch, row after row), {@code values} float[NNZ], {@code rows} int64[NNZ]
 *       (the row of each non-zero, ascending) and {@code batch_size} int64[1] (N, so empty rows and a batch
 *       without any non-zero still get a score each). Its cost follows the batch's non-zeros, not N times
 *       the largest row, which is why it is preferred for hashed text features.</li>
 * </ul>
 */
public enum InputEncoding {
    DENSE,
    SPARSE
}
