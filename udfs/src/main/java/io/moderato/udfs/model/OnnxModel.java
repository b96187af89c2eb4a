package io.moderato.udfs.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.moderato.udfs.vector.SparseVector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model version: an ONNX Runtime session plus its manifest. Thread-safe (ORT sessions
 * allow concurrent {@code run} calls; the sparse input buffers are per thread); batch in, per-policy
 * probabilities out. The graph's inputs and output width are checked against the manifest when it is
 * loaded, so a mismatch fails at load time rather than on the first event.
 */
public final class OnnxModel implements AutoCloseable {

    static final String DENSE_INPUT = "input";
    static final String SPARSE_INDICES = "indices";
    static final String SPARSE_VALUES = "values";
    static final String SPARSE_ROWS = "rows";
    static final String SPARSE_BATCH_SIZE = "batch_size";
    static final String OUTPUT = "probabilities";

    private static final long[] BATCH_SIZE_SHAPE = {1};

    /**
     * Per-thread direct buffers for the SPARSE inputs, reused across calls and models (a call fills them,
     * wraps them in tensors and closes the tensors before returning, so nothing else on the thread can see
     * them in use). ORT reads native-order direct buffers in place, without a copy. Measured on batches of
     * 64 e-mails (~20k non-zeros): allocating and filling them per call took ~130 µs, filling reused ones
     * 30-50 µs (of ~160-200 µs per batch in all).
     */
    private static final ThreadLocal<SparseInputBuffers> SPARSE_BUFFERS =
            ThreadLocal.withInitial(SparseInputBuffers::new);

    /** Sessions created and not yet closed in this JVM: native memory ONNX Runtime holds for us. */
    private static final AtomicInteger OPEN_SESSIONS = new AtomicInteger();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final ModelManifest manifest;
    private final InputEncoding encoding;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String location;
    private final Calibration[] calibrations;
    private final boolean calibrated;

    private OnnxModel(
            ModelManifest manifest, InputEncoding encoding, OrtEnvironment env, OrtSession session, String location) {
        this.manifest = manifest;
        this.encoding = encoding;
        this.env = env;
        this.session = session;
        this.location = location;
        this.calibrations =
                manifest.policies().stream().map(manifest::calibrationFor).toArray(Calibration[]::new);
        this.calibrated = Arrays.stream(calibrations).anyMatch(c -> !"none".equals(c.method()));
    }

    /**
     * Creates a session from {@code graphBytes} and verifies it against the manifest.
     *
     * @param location where the bytes came from, for error messages
     */
    static OnnxModel load(
            OrtEnvironment env,
            ModelManifest manifest,
            InputEncoding encoding,
            byte[] graphBytes,
            String location,
            ScoringOptions options) {
        OrtSession session;
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
            sessionOptions.setInterOpNumThreads(1);
            sessionOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(graphBytes, sessionOptions);
            OPEN_SESSIONS.incrementAndGet();
        } catch (OrtException e) {
            throw new ModelLoadException(
                    "Model " + manifest.id() + ": " + location + " is not a loadable ONNX graph: " + e.getMessage(), e);
        }
        OnnxModel model = new OnnxModel(manifest, encoding, env, session, location);
        try {
            model.verifySignature();
            model.verifyOutputWidth();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public InputEncoding encoding() {
        return encoding;
    }

    public int dimensions() {
        return manifest.inputDimensions();
    }

    public List<String> policies() {
        return manifest.policies();
    }

    /** Scores sparse feature vectors (text); each must have the manifest's dimension. */
    public ScoreBatch score(List<SparseVector> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).dimensions() != dimensions()) {
                throw dimensionMismatch(i, batch.get(i).dimensions());
            }
        }
        if (encoding == InputEncoding.SPARSE) {
            return runSparse(batch);
        }
        return runDense(batch.size(), (buffer, row) -> {
            SparseVector v = batch.get(row);
            int base = row * dimensions();
            for (int k = 0; k < v.nonZeros(); k++) {
                buffer.put(base + v.indices()[k], v.values()[k]);
            }
        });
    }

    /** Scores dense vectors (embeddings); each must have the manifest's dimension and finite values. */
    public ScoreBatch scoreDense(List<float[]> batch) {
        for (int i = 0; i < batch.size(); i++) {
            float[] row = batch.get(i);
            if (row == null || row.length != dimensions()) {
                throw dimensionMismatch(i, row == null ? 0 : row.length);
            }
            for (int d = 0; d < row.length; d++) {
                if (!Float.isFinite(row[d])) {
                    throw new IllegalArgumentException("Model " + manifest.id() + ": item " + i
                            + " has a non-finite value " + row[d] + " at dimension " + d);
                }
            }
        }
        if (encoding == InputEncoding.SPARSE) {
            return runSparse(batch.stream().map(OnnxModel::toSparse).toList());
        }
        return runDense(batch.size(), (buffer, row) -> buffer.put(row * dimensions(), batch.get(row)));
    }

    private IllegalArgumentException dimensionMismatch(int item, int actual) {
        return new IllegalArgumentException("Model " + manifest.id() + " (" + manifest.modality()
                + ") expects vectors of dimension " + dimensions() + " but item " + item + " has dimension " + actual);
    }

    private interface RowWriter {
        void write(FloatBuffer buffer, int row);
    }

    private ScoreBatch runDense(int rows, RowWriter writer) {
        if (rows == 0) {
            return new ScoreBatch(policies(), new float[0], 0);
        }
        // allocateDirect zero-fills, and ORT reads a direct buffer without another copy
        FloatBuffer input = ByteBuffer.allocateDirect(Math.multiplyExact(rows, dimensions()) * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int row = 0; row < rows; row++) {
            writer.write(input, row);
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {rows, dimensions()})) {
            return run(Map.of(DENSE_INPUT, tensor), rows);
        } catch (OrtException e) {
            throw new IllegalStateException("Model " + manifest.id() + " failed to score a batch of " + rows, e);
        }
    }

    /**
     * Most non-zeros one SPARSE call carries: a larger batch is scored in consecutive slices of rows (a row alone
     * may exceed it). ONNX Runtime's arena keeps the largest intermediate tensors it ever allocated, and with
     * character n-grams 64 long texts reach millions of non-zeros (hundreds of MB of [P, NNZ] intermediates);
     * slicing bounds that native memory without changing a score, since every row sums on its own.
     */
    static final int MAX_NON_ZEROS_PER_RUN = 1 << 17;

    private ScoreBatch runSparse(List<SparseVector> batch) {
        int rows = batch.size();
        long total = 0;
        for (SparseVector v : batch) {
            total += v.nonZeros();
        }
        if (total <= MAX_NON_ZEROS_PER_RUN || rows == 1) {
            return runSparseOnce(batch);
        }
        int columns = policies().size();
        float[] probabilities = new float[rows * columns];
        int from = 0;
        while (from < rows) {
            int to = from;
            long sliceNonZeros = 0;
            while (to < rows && (to == from || sliceNonZeros + batch.get(to).nonZeros() <= MAX_NON_ZEROS_PER_RUN)) {
                sliceNonZeros += batch.get(to).nonZeros();
                to++;
            }
            ScoreBatch slice = runSparseOnce(batch.subList(from, to));
            for (int i = 0; i < slice.size(); i++) {
                for (int p = 0; p < columns; p++) {
                    probabilities[(from + i) * columns + p] = slice.probability(i, p);
                }
            }
            from = to;
        }
        return new ScoreBatch(policies(), probabilities, rows);
    }

    /**
     * Flattens the batch into the SPARSE (COO) inputs: the non-zeros of all rows back to back, each with
     * its row number, plus the batch size so empty rows (and an all-empty batch) still get a score.
     */
    private ScoreBatch runSparseOnce(List<SparseVector> batch) {
        int rows = batch.size();
        if (rows == 0) {
            return new ScoreBatch(policies(), new float[0], 0);
        }
        int nonZeros = 0;
        for (SparseVector v : batch) {
            nonZeros = Math.addExact(nonZeros, v.nonZeros());
        }
        SparseInputBuffers buffers = SPARSE_BUFFERS.get().forNonZeros(nonZeros);
        LongBuffer indices = buffers.indices;
        FloatBuffer values = buffers.values;
        LongBuffer rowOf = buffers.rows;
        int k = 0;
        for (int row = 0; row < rows; row++) {
            SparseVector v = batch.get(row);
            int[] idx = v.indices();
            values.put(k, v.values());
            for (int i = 0; i < idx.length; i++) {
                indices.put(k + i, idx[i]);
                rowOf.put(k + i, row);
            }
            k += idx.length;
        }
        buffers.batchSize.put(0, rows);
        long[] shape = {nonZeros};
        try (OnnxTensor indexTensor = OnnxTensor.createTensor(env, indices.limit(nonZeros), shape);
                OnnxTensor valueTensor = OnnxTensor.createTensor(env, values.limit(nonZeros), shape);
                OnnxTensor rowTensor = OnnxTensor.createTensor(env, rowOf.limit(nonZeros), shape);
                OnnxTensor batchSizeTensor = OnnxTensor.createTensor(env, buffers.batchSize, BATCH_SIZE_SHAPE)) {
            return run(
                    Map.of(
                            SPARSE_INDICES,
                            indexTensor,
                            SPARSE_VALUES,
                            valueTensor,
                            SPARSE_ROWS,
                            rowTensor,
                            SPARSE_BATCH_SIZE,
                            batchSizeTensor),
                    rows);
        } catch (OrtException e) {
            throw new IllegalStateException("Model " + manifest.id() + " failed to score a batch of " + rows, e);
        }
    }

    /**
     * Growable native-order direct buffers for one thread's SPARSE inputs. A batch larger than
     * {@link #MAX_RETAINED_NON_ZEROS} gets buffers of its own that are not kept, so one huge batch does
     * not pin its memory to the thread for good.
     */
    static final class SparseInputBuffers {
        static final int INITIAL_NON_ZEROS = 1 << 12;
        static final int MAX_RETAINED_NON_ZEROS = 1 << 20; // 20 MiB of buffers per thread at most

        LongBuffer indices;
        FloatBuffer values;
        LongBuffer rows;
        final LongBuffer batchSize = ByteBuffer.allocateDirect(Long.BYTES)
                .order(ByteOrder.nativeOrder())
                .asLongBuffer();
        private int capacity;

        SparseInputBuffers() {
            allocate(INITIAL_NON_ZEROS);
        }

        private SparseInputBuffers(int capacity) {
            allocate(capacity);
        }

        /** Buffers holding at least {@code nonZeros} entries, with limits reset to their capacity. */
        SparseInputBuffers forNonZeros(int nonZeros) {
            if (nonZeros > MAX_RETAINED_NON_ZEROS) {
                return new SparseInputBuffers(nonZeros);
            }
            if (nonZeros > capacity) {
                allocate(Math.min(MAX_RETAINED_NON_ZEROS, Math.max(nonZeros, capacity * 2)));
            }
            indices.clear();
            values.clear();
            rows.clear();
            return this;
        }

        private void allocate(int nonZeros) {
            capacity = nonZeros;
            indices = ByteBuffer.allocateDirect(Math.multiplyExact(nonZeros, Long.BYTES))
                    .order(ByteOrder.nativeOrder())
                    .asLongBuffer();
            values = ByteBuffer.allocateDirect(Math.multiplyExact(nonZeros, Float.BYTES))
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            rows = ByteBuffer.allocateDirect(Math.multiplyExact(nonZeros, Long.BYTES))
                    .order(ByteOrder.nativeOrder())
                    .asLongBuffer();
        }
    }

    private ScoreBatch run(Map<String, OnnxTensor> inputs, int rows) throws OrtException {
        try (OrtSession.Result result = session.run(inputs)) {
            OnnxTensor output = (OnnxTensor) result.get(OUTPUT)
                    .orElseThrow(() -> new IllegalStateException("graph has no output '" + OUTPUT + "'"));
            FloatBuffer out = output.getFloatBuffer();
            int columns = policies().size();
            if (out.remaining() != rows * columns) {
                throw new IllegalStateException("Model " + manifest.id() + " returned " + out.remaining()
                        + " values for " + rows + " items × " + columns + " policies");
            }
            float[] probabilities = new float[rows * columns];
            out.get(probabilities);
            if (calibrated) {
                for (int i = 0; i < probabilities.length; i++) {
                    probabilities[i] = calibrations[i % columns].apply(probabilities[i]);
                }
            }
            return new ScoreBatch(policies(), probabilities, rows);
        }
    }

    private void verifySignature() {
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (encoding == InputEncoding.DENSE) {
                expectInputs(inputs, List.of(DENSE_INPUT));
                expectMatrix(inputs.get(DENSE_INPUT), DENSE_INPUT, OnnxJavaType.FLOAT, dimensions());
            } else {
                expectInputs(inputs, List.of(SPARSE_INDICES, SPARSE_VALUES, SPARSE_ROWS, SPARSE_BATCH_SIZE));
                expectVector(inputs.get(SPARSE_INDICES), SPARSE_INDICES, OnnxJavaType.INT64, -1);
                expectVector(inputs.get(SPARSE_VALUES), SPARSE_VALUES, OnnxJavaType.FLOAT, -1);
                expectVector(inputs.get(SPARSE_ROWS), SPARSE_ROWS, OnnxJavaType.INT64, -1);
                expectVector(inputs.get(SPARSE_BATCH_SIZE), SPARSE_BATCH_SIZE, OnnxJavaType.INT64, 1);
            }
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            if (!outputs.containsKey(OUTPUT)) {
                throw mismatch("has outputs " + outputs.keySet() + " but the scorer reads '" + OUTPUT + "'");
            }
            expectMatrix(
                    outputs.get(OUTPUT), OUTPUT, OnnxJavaType.FLOAT, policies().size());
        } catch (OrtException e) {
            throw new ModelLoadException(
                    "Model " + manifest.id() + ": cannot inspect " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs one all-zero row (SPARSE: no non-zeros at all, batch size 1): proves the graph executes and
     * yields one probability per manifest policy.
     */
    private void verifyOutputWidth() {
        ScoreBatch probe;
        try {
            probe = encoding == InputEncoding.SPARSE
                    ? runSparseOnce(List.of(SparseVector.empty(dimensions())))
                    : runDense(1, (buffer, row) -> {});
        } catch (RuntimeException e) {
            throw mismatch("fails on a probe row of dimension " + dimensions() + ": " + e.getMessage());
        }
        for (int p = 0; p < policies().size(); p++) {
            float value = probe.probability(0, p);
            if (!(value >= 0f && value <= 1f)) {
                throw mismatch("returns " + value + " for policy " + policies().get(p) + ", not a probability");
            }
        }
    }

    private void expectInputs(Map<String, NodeInfo> inputs, List<String> expected) {
        if (!inputs.keySet().equals(new java.util.HashSet<>(expected))) {
            throw mismatch(
                    "has inputs " + inputs.keySet() + " but a " + encoding + " graph must have exactly " + expected);
        }
    }

    /** A rank-2 tensor [batch, width]; {@code width} ≤ 0 accepts any. */
    private void expectMatrix(NodeInfo node, String name, OnnxJavaType type, long width) {
        long[] shape = expectTensor(node, name, type);
        if (shape.length != 2) {
            throw mismatch("'" + name + "' has shape " + Arrays.toString(shape) + ", expected rank 2 [batch, n]");
        }
        if (width > 0 && shape[1] > 0 && shape[1] != width) {
            throw mismatch("'" + name + "' has shape " + Arrays.toString(shape) + " but the manifest implies [batch, "
                    + width + "]");
        }
    }

    /** A rank-1 tensor; {@code length} ≤ 0 accepts any (a dynamic dimension is always accepted). */
    private void expectVector(NodeInfo node, String name, OnnxJavaType type, long length) {
        long[] shape = expectTensor(node, name, type);
        if (shape.length != 1) {
            throw mismatch("'" + name + "' has shape " + Arrays.toString(shape) + ", expected rank 1 (the " + encoding
                    + " contract is flattened over the batch, see InputEncoding)");
        }
        if (length > 0 && shape[0] > 0 && shape[0] != length) {
            throw mismatch("'" + name + "' has shape " + Arrays.toString(shape) + ", expected [" + length + "]");
        }
    }

    private long[] expectTensor(NodeInfo node, String name, OnnxJavaType type) {
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw mismatch("'" + name + "' is not a tensor");
        }
        if (info.type != type) {
            throw mismatch("'" + name + "' has element type " + info.type + ", expected " + type);
        }
        return info.getShape();
    }

    private ModelLoadException mismatch(String problem) {
        return new ModelLoadException("Model " + manifest.id() + ": graph " + location + " " + problem);
    }

    private static SparseVector toSparse(float[] dense) {
        int nonZeros = 0;
        for (float v : dense) {
            if (v != 0f) {
                nonZeros++;
            }
        }
        int[] indices = new int[nonZeros];
        float[] values = new float[nonZeros];
        int k = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0f) {
                indices[k] = i;
                values[k++] = dense[i];
            }
        }
        return new SparseVector(dense.length, indices, values);
    }

    /**
     * How many ONNX Runtime sessions this JVM has open (created and not closed): an operator that restarts
     * or swaps models must leave it where it found it, or native memory leaks with every restart.
     */
    public static int openSessions() {
        return OPEN_SESSIONS.get();
    }

    /** Closes the native session; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        OPEN_SESSIONS.decrementAndGet();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing session of " + manifest.id() + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + manifest.id() + ", " + encoding + ", " + location + "]";
    }
}
