package io.moderato.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearHeadOnnxExporterTest {

    private static final int D = 300;
    private static final int P = 3;
    private static final int N = 16;

    private static OrtEnvironment env;
    private static float[][] w;
    private static float[] b;
    private static LinearHeadOnnxExporter exporter;

    @BeforeAll
    static void setUp() {
        env = OrtEnvironment.getEnvironment();
        SplittableRandom rnd = new SplittableRandom(7);
        w = new float[D][P];
        for (float[] row : w) {
            for (int j = 0; j < P; j++) {
                row[j] = (float) rnd.nextGaussian(0, 0.5);
            }
        }
        b = new float[] {-1.5f, 0.25f, 2.0f};
        exporter = new LinearHeadOnnxExporter(w, b);
    }

    @Test
    void shouldMatchDirectSigmoidOfLinearMapOnDenseGraph() throws OrtException {
        float[][] x = randomDense(new SplittableRandom(11));
        try (OrtSession session = env.createSession(exporter.denseBytes("test", 1, "test"));
                OnnxTensor input = OnnxTensor.createTensor(env, x);
                OrtSession.Result result = session.run(Map.of(LinearHeadOnnxExporter.DENSE_INPUT, input))) {
            float[][] probs = (float[][])
                    result.get(LinearHeadOnnxExporter.OUTPUT).orElseThrow().getValue();
            assertThat(probs.length).isEqualTo(N);
            for (int n = 0; n < N; n++) {
                assertThat(probs[n]).hasSize(P);
                double[] expected = expectedDense(x[n]);
                for (int j = 0; j < P; j++) {
                    assertThat((double) probs[n][j])
                            .as("row %d policy %d", n, j)
                            .isCloseTo(expected[j], offset(1e-6));
                }
            }
        }
    }

    @Test
    void shouldMatchDirectSigmoidOfLinearMapOnFlattenedSparseGraphWithEmptyRows() throws OrtException {
        assertSparseGraphMatches(exporter, w, b, new SplittableRandom(13));
    }

    @Test
    void shouldMatchOnTheSinglePolicySparseGraph() throws OrtException {
        // P = 1 builds the per-policy copies with Unsqueeze instead of Expand: check that variant too
        float[][] w1 = new float[D][1];
        for (int i = 0; i < D; i++) {
            w1[i][0] = w[i][1];
        }
        float[] b1 = {-0.75f};
        assertSparseGraphMatches(new LinearHeadOnnxExporter(w1, b1), w1, b1, new SplittableRandom(17));
    }

    private static void assertSparseGraphMatches(
            LinearHeadOnnxExporter head, float[][] weights, float[] bias, SplittableRandom rnd) throws OrtException {
        // row n has (n * 7) % 41 non-zeros: rows 0 and the last are empty, one row reaches 40
        int[][] picked = new int[N][];
        int nnz = 0;
        for (int n = 0; n < N; n++) {
            int count = n == N - 1 ? 0 : (n * 7) % 41;
            picked[n] = rnd.ints(0, D).distinct().limit(count).sorted().toArray();
            nnz += count;
        }
        long[] indices = new long[nnz];
        float[] values = new float[nnz];
        long[] rows = new long[nnz];
        float[][] dense = new float[N][D];
        int k = 0;
        for (int n = 0; n < N; n++) {
            for (int index : picked[n]) {
                indices[k] = index;
                values[k] = (float) rnd.nextDouble(-1, 1);
                rows[k] = n;
                dense[n][index] = values[k];
                k++;
            }
        }
        float[][] probs = runSparse(head, indices, values, rows, N);
        assertThat(probs.length).isEqualTo(N);
        for (int n = 0; n < N; n++) {
            assertThat(probs[n]).hasSize(bias.length);
            double[] expected = expectedDense(dense[n], weights, bias);
            for (int j = 0; j < bias.length; j++) {
                assertThat((double) probs[n][j]).as("row %d policy %d", n, j).isCloseTo(expected[j], offset(1e-6));
            }
        }
        // empty rows score sigmoid(b)
        for (int j = 0; j < bias.length; j++) {
            assertThat((double) probs[0][j]).isCloseTo(sigmoid(bias[j]), offset(1e-6));
            assertThat((double) probs[N - 1][j]).isCloseTo(sigmoid(bias[j]), offset(1e-6));
        }
    }

    @Test
    void shouldScoreBiasOnlyWhenTheBatchHasNoNonZerosAtAll() throws OrtException {
        // a batch of two empty texts: NNZ = 0, batch_size = 2
        float[][] probs = runSparse(exporter, new long[0], new float[0], new long[0], 2);
        assertThat(probs.length).isEqualTo(2);
        for (float[] row : probs) {
            for (int j = 0; j < P; j++) {
                assertThat((double) row[j]).isCloseTo(sigmoid(b[j]), offset(1e-6));
            }
        }
    }

    @Test
    void shouldSumRepeatedIndicesOfOneRow() throws OrtException {
        // not produced by SparseVector (indices strictly ascending), but the graph's meaning is a sum
        float[][] probs =
                runSparse(exporter, new long[] {5, 5, 9}, new float[] {0.5f, 0.25f, 1f}, new long[] {1, 1, 1}, 2);
        float[] dense = new float[D];
        dense[5] = 0.75f;
        dense[9] = 1f;
        double[] expected = expectedDense(dense, w, b);
        for (int j = 0; j < P; j++) {
            assertThat((double) probs[0][j]).isCloseTo(sigmoid(b[j]), offset(1e-6));
            assertThat((double) probs[1][j]).isCloseTo(expected[j], offset(1e-6));
        }
    }

    private static float[][] runSparse(
            LinearHeadOnnxExporter head, long[] indices, float[] values, long[] rows, long batchSize)
            throws OrtException {
        long[] shape = {indices.length};
        try (OrtSession session = env.createSession(head.sparseBytes("test", 1, "test"));
                OnnxTensor idx = OnnxTensor.createTensor(env, LongBuffer.wrap(indices), shape);
                OnnxTensor val = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
                OnnxTensor row = OnnxTensor.createTensor(env, LongBuffer.wrap(rows), shape);
                OnnxTensor n = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {batchSize}), new long[] {1});
                OrtSession.Result result = session.run(Map.of(
                        LinearHeadOnnxExporter.SPARSE_INDICES,
                        idx,
                        LinearHeadOnnxExporter.SPARSE_VALUES,
                        val,
                        LinearHeadOnnxExporter.SPARSE_ROWS,
                        row,
                        LinearHeadOnnxExporter.SPARSE_BATCH_SIZE,
                        n))) {
            return (float[][])
                    result.get(LinearHeadOnnxExporter.OUTPUT).orElseThrow().getValue();
        }
    }

    @Test
    void shouldDeclareTheServingContractOnBothGraphs() throws Exception {
        try (OrtSession dense = env.createSession(exporter.denseBytes("test", 1, "test"));
                OrtSession sparse = env.createSession(exporter.sparseBytes("test", 1, "test"))) {
            assertThat(dense.getInputNames()).containsExactly(LinearHeadOnnxExporter.DENSE_INPUT);
            assertThat(dense.getOutputNames()).containsExactly(LinearHeadOnnxExporter.OUTPUT);
            assertThat(dense.getInputInfo().get("input").getInfo().toString())
                    .contains("FLOAT")
                    .contains(", " + D + "]");
            assertThat(sparse.getInputNames()).containsExactlyInAnyOrder("indices", "values", "rows", "batch_size");
            assertThat(shape(sparse, "indices")).containsExactly(-1L);
            assertThat(shape(sparse, "values")).containsExactly(-1L);
            assertThat(shape(sparse, "rows")).containsExactly(-1L);
            assertThat(shape(sparse, "batch_size")).containsExactly(1L);
            assertThat(sparse.getInputInfo().get("indices").getInfo().toString())
                    .contains("INT64");
            assertThat(sparse.getInputInfo().get("values").getInfo().toString()).contains("FLOAT");
            assertThat(sparse.getInputInfo().get("rows").getInfo().toString()).contains("INT64");
            assertThat(sparse.getInputInfo().get("batch_size").getInfo().toString())
                    .contains("INT64");
            assertThat(sparse.getOutputNames()).containsExactly(LinearHeadOnnxExporter.OUTPUT);
            assertThat(shape(sparse, LinearHeadOnnxExporter.OUTPUT)).containsExactly(-1L, P);
        }
        assertThat(exporter.denseModel("test", 1, "test").getOpsetImport(0).getVersion())
                .isEqualTo(LinearHeadOnnxExporter.OPSET);
        assertThat(exporter.sparseModel("test", 1, "test").getOpsetImport(0).getVersion())
                .isEqualTo(LinearHeadOnnxExporter.SPARSE_OPSET);
        assertThat(exporter.sparseModel("test", 1, "test").getGraph().getNodeList())
                .extracting(n -> n.getOpType())
                .contains("GatherElements", "Mul", "ScatterElements", "Sigmoid")
                .doesNotContain("ReduceSum", "Gather");
    }

    private static long[] shape(OrtSession session, String name) throws OrtException {
        var info = session.getInputInfo().containsKey(name)
                ? session.getInputInfo().get(name)
                : session.getOutputInfo().get(name);
        return ((TensorInfo) info.getInfo()).getShape();
    }

    @Test
    void shouldProduceIdenticalBytesForTheSameHead(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.onnx");
        exporter.writeSparse(a, "test", 3, "doc");
        byte[] again = new LinearHeadOnnxExporter(w, b).sparseBytes("test", 3, "doc");
        assertThat(Files.readAllBytes(a)).isEqualTo(again);
        assertThat(again.length).isGreaterThan(D * P * 4);
    }

    @Test
    void shouldRejectMismatchedShapes() {
        assertThatThrownBy(() -> new LinearHeadOnnxExporter(new float[][] {{1f, 2f}, {3f}}, new float[] {0f, 0f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1");
        assertThatThrownBy(() -> new LinearHeadOnnxExporter(new float[0][], new float[] {0f}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static float[][] randomDense(SplittableRandom rnd) {
        float[][] x = new float[N][D];
        for (float[] row : x) {
            for (int i = 0; i < D; i++) {
                row[i] = rnd.nextDouble() < 0.3 ? (float) rnd.nextGaussian(0, 0.2) : 0f;
            }
        }
        return x;
    }

    private static double[] expectedDense(float[] x) {
        return expectedDense(x, w, b);
    }

    private static double[] expectedDense(float[] x, float[][] weights, float[] bias) {
        double[] out = new double[bias.length];
        for (int j = 0; j < bias.length; j++) {
            double z = bias[j];
            for (int i = 0; i < D; i++) {
                z += (double) x[i] * weights[i][j];
            }
            out[j] = sigmoid(z);
        }
        return out;
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
