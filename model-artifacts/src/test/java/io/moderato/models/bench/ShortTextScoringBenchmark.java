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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: every shipped text model on short texts (the committed tweets and comments), one thread, batches of
 * {@value #BATCH} through the SPARSE graph as the DetectionJob scores them — featurize alone, score alone, and
 * featurize + score end to end. {@code text-spam:1.0.0} (word n-grams only) is the baseline the newer models'
 * character n-grams are compared with in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ShortTextScoringBenchmark {

    static final int BATCH = 64;

    @Param({"text-spam:1.0.0", "text-spam:2.0.0", "text-abuse:1.0.0"})
    public String model;

    private ModelRegistry registry;
    private OnnxModel onnx;
    private TextFeaturizer featurizer;
    private List<String> texts;
    private List<SparseVector> features;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
        String[] id = model.split(":", 2);
        onnx = registry.model(id[0], id[1], InputEncoding.SPARSE);
        featurizer = new TextFeaturizer(onnx.manifest().featurizer());
        texts = BenchmarkTexts.shortTexts().texts();
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

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int shortFeaturize() {
        int nonZeros = 0;
        for (int k = 0; k < BATCH; k++) {
            nonZeros += featurizer.featurize(texts.get(next())).nonZeros();
        }
        return nonZeros;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ScoreBatch shortScoreBatch64() {
        List<SparseVector> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(features.get(next()));
        }
        return onnx.score(batch);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ScoreBatch shortFeaturizeAndScoreBatch64() {
        List<SparseVector> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(featurizer.featurize(texts.get(next())));
        }
        return onnx.score(batch);
    }
}
