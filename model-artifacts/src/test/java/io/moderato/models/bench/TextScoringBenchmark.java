package io.moderato.models.bench;

import io.moderato.udfs.model.InputEncoding;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.OnnxModel;
import io.moderato.udfs.model.ScoreBatch;
import io.moderato.udfs.text.TextFeaturizer;
import io.moderato.udfs.vector.SparseVector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Text scoring cost split into its steps, every figure in items per second: featurization alone;
 * the scoring step alone (tensor build + ONNX run on pre-computed features) at batch 1 and 64,
 * for the sparse (the batch's non-zeros flattened: indices, values, rows, batch_size;
 * GatherElements/ScatterElements) and the dense (float[N, D]) graph; and
 * featurize + score end to end. Items cycle through the benchmark texts in a fixed order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TextScoringBenchmark {

    static final int BATCH = 64;

    private ModelRegistry registry;
    private OnnxModel sparseModel;
    private OnnxModel denseModel;
    private TextFeaturizer featurizer;
    private List<String> texts;
    private List<SparseVector> features;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
        String version = System.getProperty("moderato.bench.model-version", "1.0.0");
        sparseModel = registry.model("text-spam", version, InputEncoding.SPARSE);
        denseModel = registry.model("text-spam", version, InputEncoding.DENSE);
        featurizer = new TextFeaturizer(sparseModel.manifest().featurizer());
        texts = BenchmarkTexts.load().texts();
        features = new ArrayList<>(texts.size());
        for (String text : texts) {
            features.add(featurizer.featurize(text));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    private int next() {
        int i = cursor;
        cursor = (cursor + 1) % texts.size();
        return i;
    }

    private List<SparseVector> nextFeatures(int n) {
        List<SparseVector> batch = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            batch.add(features.get(next()));
        }
        return batch;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int featurize() {
        int nonZeros = 0;
        for (int k = 0; k < BATCH; k++) {
            nonZeros += featurizer.featurize(texts.get(next())).nonZeros();
        }
        return nonZeros;
    }

    @Benchmark
    public ScoreBatch scoreSparseBatch1() {
        return sparseModel.score(nextFeatures(1));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ScoreBatch scoreSparseBatch64() {
        return sparseModel.score(nextFeatures(BATCH));
    }

    @Benchmark
    public ScoreBatch scoreDenseBatch1() {
        return denseModel.score(nextFeatures(1));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ScoreBatch scoreDenseBatch64() {
        return denseModel.score(nextFeatures(BATCH));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ScoreBatch featurizeAndScoreBatch64() {
        List<SparseVector> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(featurizer.featurize(texts.get(next())));
        }
        return sparseModel.score(batch);
    }
}
