package io.moderato.models.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

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
        b = new float[]{-1.5f, 0.25f, 2.0f};
        exporter = new LinearHeadOnnxExporter(w, b);
    }

    @Test
    void shouldMatchDirectSigmoidOfLinearMapOnDenseGraph() throws OrtException {
        float[][] x = randomDense(new SplittableRandom(11));
        try (OrtSession session = env.createSession(exporter.denseBytes("test", 1, "test"));
             OnnxTensor input = OnnxTensor.createTensor(env, x);
             OrtSession.Result result = session.run(Map.of(LinearHeadOnnxExporter.DENSE_INPUT, input))) {
            float[][] probs = (float[][]) result.get(LinearHeadOnnxExporter.OUTPUT).orElseThrow().getValue();
            assertThat(probs.length).isEqualTo(N);
            for (int n = 0; n < N; n++) {
                assertThat(probs[n]).hasSize(P);
                double[] expected = expectedDense(x[n]);
                for (int j = 0; j < P; j++) {
                    assertThat((double) probs[n][j]).as("row %d policy %d", n, j)
                            .isCloseTo(expected[j], offset(1e-6));
                }
            }
        }
    }

    @Test
    void shouldMatchDirectSigmoidOfLinearMapOnSparseGraphWithPaddedRows() throws OrtException {
        SplittableRandom rnd = new SplittableRandom(13);
        int k = 40;
        long[][] indices = new long[N][k];
        float[][] values = new float[N][k];
        for (int n = 0; n < N; n++) {
            // row n has n*2 non-zeros (row 0 has none: all padding), strictly ascending indices
            int nnz = Math.min(k, n * 2 + (n == N - 1 ? k : 0));
            int[] picked = rnd.ints(0, D).distinct().limit(nnz).sorted().toArray();
            for (int i = 0; i < nnz; i++) {
                indices[n][i] = picked[i];
                values[n][i] = (float) rnd.nextDouble(-1, 1);
            }
        }
        try (OrtSession session = env.createSession(exporter.sparseBytes("test", 1, "test"));
             OnnxTensor idx = OnnxTensor.createTensor(env, indices);
             OnnxTensor val = OnnxTensor.createTensor(env, values);
             OrtSession.Result result = session.run(Map.of(
                     LinearHeadOnnxExporter.SPARSE_INDICES, idx, LinearHeadOnnxExporter.SPARSE_VALUES, val))) {
            float[][] probs = (float[][]) result.get(LinearHeadOnnxExporter.OUTPUT).orElseThrow().getValue();
            assertThat(probs.length).isEqualTo(N);
            for (int n = 0; n < N; n++) {
                float[] dense = new float[D];
                for (int i = 0; i < k; i++) {
                    dense[(int) indices[n][i]] += values[n][i];
                }
                double[] expected = expectedDense(dense);
                for (int j = 0; j < P; j++) {
                    assertThat((double) probs[n][j]).as("row %d policy %d", n, j)
                            .isCloseTo(expected[j], offset(1e-6));
                }
            }
            // the all-padding row scores sigmoid(b)
            assertThat((double) probs[0][2]).isCloseTo(sigmoid(b[2]), offset(1e-6));
        }
    }

    @Test
    void shouldScoreBiasOnlyWhenTheBatchHasNoNonZerosAtAll() throws OrtException {
        // a batch of empty texts: K = 0
        try (OrtSession session = env.createSession(exporter.sparseBytes("test", 1, "test"));
             OnnxTensor idx = OnnxTensor.createTensor(env, java.nio.LongBuffer.allocate(0), new long[]{2, 0});
             OnnxTensor val = OnnxTensor.createTensor(env, java.nio.FloatBuffer.allocate(0), new long[]{2, 0});
             OrtSession.Result result = session.run(Map.of(
                     LinearHeadOnnxExporter.SPARSE_INDICES, idx, LinearHeadOnnxExporter.SPARSE_VALUES, val))) {
            float[][] probs = (float[][]) result.get(LinearHeadOnnxExporter.OUTPUT).orElseThrow().getValue();
            assertThat(probs.length).isEqualTo(2);
            for (float[] row : probs) {
                for (int j = 0; j < P; j++) {
                    assertThat((double) row[j]).isCloseTo(sigmoid(b[j]), offset(1e-6));
                }
            }
        }
    }

    @Test
    void shouldDeclareTheServingContractOnBothGraphs() throws OrtException {
        try (OrtSession dense = env.createSession(exporter.denseBytes("test", 1, "test"));
             OrtSession sparse = env.createSession(exporter.sparseBytes("test", 1, "test"))) {
            assertThat(dense.getInputNames()).containsExactly(LinearHeadOnnxExporter.DENSE_INPUT);
            assertThat(dense.getOutputNames()).containsExactly(LinearHeadOnnxExporter.OUTPUT);
            assertThat(dense.getInputInfo().get("input").getInfo().toString()).contains("FLOAT").contains(", " + D + "]");
            assertThat(sparse.getInputNames()).containsExactlyInAnyOrder("indices", "values");
            assertThat(sparse.getInputInfo().get("indices").getInfo().toString()).contains("INT64");
            assertThat(sparse.getInputInfo().get("values").getInfo().toString()).contains("FLOAT");
            assertThat(sparse.getOutputNames()).containsExactly(LinearHeadOnnxExporter.OUTPUT);
        }
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
        assertThatThrownBy(() -> new LinearHeadOnnxExporter(new float[][]{{1f, 2f}, {3f}}, new float[]{0f, 0f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1");
        assertThatThrownBy(() -> new LinearHeadOnnxExporter(new float[0][], new float[]{0f}))
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
        double[] out = new double[P];
        for (int j = 0; j < P; j++) {
            double z = b[j];
            for (int i = 0; i < D; i++) {
                z += (double) x[i] * w[i][j];
            }
            out[j] = sigmoid(z);
        }
        return out;
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
