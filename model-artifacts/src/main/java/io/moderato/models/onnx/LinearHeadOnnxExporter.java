package io.moderato.models.onnx;

import ai.onnx.proto.OnnxMl;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a multi-label linear head, {@code probabilities = sigmoid(x·W + b)} with one independent
 * column per policy, as the two ONNX graphs the udfs scorer loads:
 * <ul>
 *   <li>DENSE: input {@code input} float32 [N, D] → output {@code probabilities} float32 [N, P]
 *       (Gemm, Sigmoid);</li>
 *   <li>SPARSE: inputs {@code indices} int64 [N, K] and {@code values} float32 [N, K], rows padded with
 *       index 0 / value 0 → output {@code probabilities} float32 [N, P]
 *       (Gather rows of W, multiply by the values, ReduceSum over K, add b, Sigmoid).</li>
 * </ul>
 * Row {@code i} of W belongs to feature index {@code i} of the input space (for text: the hash index of
 * the featurizer). Graphs use ONNX opset {@value #OPSET} through Tribuo's ONNX builder; the output is
 * a pure function of W, b and the names given, so the same head always yields the same bytes.
 */
public final class LinearHeadOnnxExporter {

    public static final String DENSE_INPUT = "input";
    public static final String SPARSE_INDICES = "indices";
    public static final String SPARSE_VALUES = "values";
    public static final String OUTPUT = "probabilities";
    public static final int OPSET = 13;
    /** ONNX IR version 8 (ONNX 1.10): what opset 13 needs, readable by every ONNX Runtime since 1.10. */
    public static final long IR_VERSION = 8L;
    private static final String PRODUCER = "moderato-model-artifacts";

    private final float[][] weights; // [D][P]
    private final float[] bias;      // [P]
    private final int dimensions;
    private final int outputs;

    /**
     * @param weights W as [D][P]: row per input feature, column per policy
     * @param bias    b as [P]
     */
    public LinearHeadOnnxExporter(float[][] weights, float[] bias) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        if (weights.length == 0) {
            throw new IllegalArgumentException("weights must have at least one row (input dimension)");
        }
        if (bias.length == 0) {
            throw new IllegalArgumentException("bias must have at least one column (policy)");
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i].length != bias.length) {
                throw new IllegalArgumentException("weights row " + i + " has " + weights[i].length
                        + " columns but bias has " + bias.length);
            }
        }
        if (OPSET != ONNXOperators.getOpsetVersion()) {
            throw new IllegalStateException("Tribuo's ONNX operators target opset "
                    + ONNXOperators.getOpsetVersion() + ", this exporter was written for " + OPSET);
        }
        this.dimensions = weights.length;
        this.outputs = bias.length;
        this.weights = new float[dimensions][];
        for (int i = 0; i < dimensions; i++) {
            this.weights[i] = weights[i].clone();
        }
        this.bias = bias.clone();
    }

    /** Convenience for trainers that hold doubles; values are rounded to float32 as the graph stores them. */
    public static LinearHeadOnnxExporter fromDoubles(double[][] weights, double[] bias) {
        float[][] w = new float[weights.length][];
        for (int i = 0; i < weights.length; i++) {
            w[i] = new float[weights[i].length];
            for (int j = 0; j < weights[i].length; j++) {
                w[i][j] = (float) weights[i][j];
            }
        }
        float[] b = new float[bias.length];
        for (int j = 0; j < bias.length; j++) {
            b[j] = (float) bias[j];
        }
        return new LinearHeadOnnxExporter(w, b);
    }

    public int dimensions() {
        return dimensions;
    }

    public int outputs() {
        return outputs;
    }

    /** Dense graph: {@code input} float32 [N, D] → {@code probabilities} float32 [N, P]. */
    public OnnxMl.ModelProto denseModel(String modelName, long modelVersion, String docString) {
        ONNXContext ctx = new ONNXContext();
        ctx.setName(modelName + "-dense");
        ONNXPlaceholder input = ctx.floatInput(DENSE_INPUT, dimensions);
        ONNXPlaceholder output = ctx.floatOutput(OUTPUT, outputs);
        ONNXInitializer w = weightInitializer(ctx);
        ONNXInitializer b = ctx.array("b", bias);
        ONNXNode logits = input.apply(ONNXOperators.GEMM, List.of(w, b));
        ctx.assignTo(logits.apply(ONNXOperators.SIGMOID), output);
        return model(ctx.buildGraph(), modelVersion, docString, "DENSE");
    }

    /**
     * Sparse graph: {@code indices} int64 [N, K] and {@code values} float32 [N, K] →
     * {@code probabilities} float32 [N, P]. Padding entries (index 0, value 0) contribute nothing.
     */
    public OnnxMl.ModelProto sparseModel(String modelName, long modelVersion, String docString) {
        ONNXContext ctx = new ONNXContext();
        ctx.setName(modelName + "-sparse");
        // Tribuo's builder only makes float [batch, n] placeholders; the input declarations are replaced
        // below by the real int64/float [N, K] ones, the node graph only refers to them by name.
        ONNXPlaceholder indices = ctx.floatInput(SPARSE_INDICES, 1);
        ONNXPlaceholder values = ctx.floatInput(SPARSE_VALUES, 1);
        ONNXPlaceholder output = ctx.floatOutput(OUTPUT, outputs);
        ONNXInitializer w = weightInitializer(ctx);
        ONNXInitializer b = ctx.array("b", bias);
        ONNXInitializer unsqueezeAxes = ctx.array("values_unsqueeze_axes", new long[]{2});
        ONNXInitializer sumAxes = ctx.array("nonzero_sum_axes", new long[]{1});

        ONNXNode gathered = w.apply(ONNXOperators.GATHER, indices, Map.of("axis", 0));   // [N, K, P]
        ONNXNode values3 = values.apply(ONNXOperators.UNSQUEEZE, unsqueezeAxes);          // [N, K, 1]
        ONNXNode weighted = gathered.apply(ONNXOperators.MUL, values3);                   // [N, K, P]
        ONNXNode summed = weighted.apply(ONNXOperators.REDUCE_SUM, sumAxes,
                Map.of("keepdims", 0));                                                    // [N, P]
        ONNXNode logits = summed.apply(ONNXOperators.ADD, b);
        ctx.assignTo(logits.apply(ONNXOperators.SIGMOID), output);

        OnnxMl.GraphProto graph = ctx.buildGraph().toBuilder()
                .clearInput()
                .addInput(valueInfo(SPARSE_INDICES, OnnxMl.TensorProto.DataType.INT64))
                .addInput(valueInfo(SPARSE_VALUES, OnnxMl.TensorProto.DataType.FLOAT))
                .build();
        return model(graph, modelVersion, docString, "SPARSE");
    }

    public byte[] denseBytes(String modelName, long modelVersion, String docString) {
        return denseModel(modelName, modelVersion, docString).toByteArray();
    }

    public byte[] sparseBytes(String modelName, long modelVersion, String docString) {
        return sparseModel(modelName, modelVersion, docString).toByteArray();
    }

    public void writeDense(Path file, String modelName, long modelVersion, String docString) throws IOException {
        write(file, denseBytes(modelName, modelVersion, docString));
    }

    public void writeSparse(Path file, String modelName, long modelVersion, String docString) throws IOException {
        write(file, sparseBytes(modelName, modelVersion, docString));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, bytes);
    }

    private ONNXInitializer weightInitializer(ONNXContext ctx) {
        return ctx.floatTensor("W", List.of(dimensions, outputs), buf -> {
            for (float[] row : weights) {
                buf.put(row);
            }
        });
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("nonzeros"))
                .build();
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    private OnnxMl.ModelProto model(OnnxMl.GraphProto graph, long modelVersion, String docString, String encoding) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setProducerName(PRODUCER)
                .setDomain("io.moderato")
                .setModelVersion(modelVersion)
                .setDocString(docString == null ? "" : docString)
                .setGraph(graph)
                .addMetadataProps(meta("moderato.encoding", encoding))
                .addMetadataProps(meta("moderato.input_dimensions", Integer.toString(dimensions)))
                .addMetadataProps(meta("moderato.outputs", Integer.toString(outputs)))
                .build();
    }

    private static OnnxMl.StringStringEntryProto meta(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
