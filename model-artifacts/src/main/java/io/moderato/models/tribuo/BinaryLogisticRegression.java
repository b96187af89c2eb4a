package io.moderato.models.tribuo;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A Tribuo logistic regression for one binary policy, and its conversion to a linear head over a
 * fixed feature index space. Tribuo trains a 2-class softmax model ({@code LinearSGDTrainer} with
 * the {@code LogMulticlass} objective, i.e. Tribuo's {@code LogisticRegressionTrainer} with an explicit
 * seed); its positive-class probability equals {@code sigmoid(x·w + b)} with
 * {@code w = w_pos − w_neg} and {@code b = b_pos − b_neg}, which is what {@link #head} returns.
 *
 * <p>Feature names encode the input index (see {@link #featureName}), so the head's row {@code i}
 * belongs to input index {@code i} regardless of Tribuo's internal feature id order; indices never
 * seen in training get weight 0, which is also how Tribuo treats unknown features at prediction.
 */
public final class BinaryLogisticRegression {

    public static final String POSITIVE = "positive";
    public static final String NEGATIVE = "negative";

    private static final LabelFactory LABELS = new LabelFactory();
    private static final Label POSITIVE_LABEL = new Label(POSITIVE);
    private static final Label NEGATIVE_LABEL = new Label(NEGATIVE);
    // fixed so the dataset provenance (and nothing else) never depends on the wall clock
    private static final OffsetDateTime EPOCH = OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final LinearSGDModel model;
    private final String prefix;
    private final double bias;

    private BinaryLogisticRegression(LinearSGDModel model, String prefix) {
        this.model = model;
        this.prefix = prefix;
        DenseMatrix w = model.getWeightsCopy();
        int last = w.getDimension2Size() - 1;
        int pos = model.getOutputIDInfo().getID(POSITIVE_LABEL);
        int neg = model.getOutputIDInfo().getID(NEGATIVE_LABEL);
        if (pos < 0 || neg < 0) {
            throw new IllegalArgumentException("training data must hold both classes");
        }
        this.bias = w.get(pos, last) - w.get(neg, last);
    }

    /**
     * SGD settings. {@link #TRIBUO_DEFAULTS} are exactly those of Tribuo's {@code LogisticRegressionTrainer}
     * (AdaGrad, learning rate 1.0, epsilon 0.1, 5 epochs, minibatch 1); only the seed differs.
     */
    public record Settings(int epochs, double learningRate, double epsilon, int minibatchSize) {
        public static final Settings TRIBUO_DEFAULTS = new Settings(5, 1.0, 0.1, 1);

        public Settings {
            if (epochs < 1 || minibatchSize < 1 || !(learningRate > 0) || !(epsilon > 0)) {
                throw new IllegalArgumentException("invalid SGD settings " + this);
            }
        }
    }

    /**
     * One training row: sparse features (ascending indices), the label, and the example weight Tribuo's SGD
     * multiplies the row's loss gradient by (1 unless given; e.g. 1/propensity for review-sampled labels).
     */
    public record Row(int[] indices, double[] values, boolean positive, double weight) {
        public Row {
            Objects.requireNonNull(indices, "indices");
            Objects.requireNonNull(values, "values");
            if (indices.length != values.length) {
                throw new IllegalArgumentException("indices and values differ in length");
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("row weight must be finite and > 0, got " + weight);
            }
        }

        /** An unweighted row (weight 1). */
        public Row(int[] indices, double[] values, boolean positive) {
            this(indices, values, positive, 1.0);
        }
    }

    /** The Tribuo feature name for input index {@code index}: prefix + 8 digits (sorts like the index). */
    public static String featureName(String prefix, int index) {
        return prefix + String.format("%08d", index);
    }

    /**
     * Trains on {@code rows} in their given order; the same rows, settings and seed always give the same
     * weights. Each row's weight becomes its Tribuo example weight (a float). Rows without any feature are
     * skipped (Tribuo cannot use them).
     *
     * @param prefix          feature-name prefix, e.g. "h" for hashed text features
     * @param loggingInterval Tribuo logs the running loss every so many examples
     */
    public static BinaryLogisticRegression train(
            List<Row> rows, String prefix, Settings settings, long seed, int loggingInterval, String description) {
        MutableDataset<Label> dataset =
                new MutableDataset<>(new SimpleDataSourceProvenance(description, EPOCH, LABELS), LABELS);
        int maxIndex = -1;
        for (Row row : rows) {
            for (int index : row.indices()) {
                maxIndex = Math.max(maxIndex, index);
            }
        }
        String[] names = new String[maxIndex + 1]; // one String per feature, shared by all rows
        for (Row row : rows) {
            if (row.indices().length > 0) {
                Example<Label> example = example(prefix, row.indices(), row.values(), row.positive(), names);
                example.setWeight((float) row.weight());
                dataset.add(example);
            }
        }
        LinearSGDTrainer trainer = new LinearSGDTrainer(
                new LogMulticlass(),
                new AdaGrad(settings.learningRate(), settings.epsilon()),
                settings.epochs(),
                loggingInterval,
                settings.minibatchSize(),
                seed);
        return new BinaryLogisticRegression((LinearSGDModel) trainer.train(dataset), prefix);
    }

    /**
     * Tribuo's probability of the positive class. A row with no feature known to the model scores
     * {@code sigmoid(b)}, which is what the head (and the serving graph) gives for it; Tribuo itself
     * refuses such rows.
     */
    public double probability(int[] indices, double[] values) {
        boolean anyKnown = false;
        ImmutableFeatureMap features = model.getFeatureIDMap();
        for (int index : indices) {
            if (features.getID(featureName(prefix, index)) >= 0) {
                anyKnown = true;
                break;
            }
        }
        if (!anyKnown) {
            return sigmoid(bias);
        }
        return model.predict(example(prefix, indices, values, false, null))
                .getOutputScores()
                .get(POSITIVE)
                .getScore();
    }

    public LinearSGDModel tribuoModel() {
        return model;
    }

    public int knownFeatures() {
        return model.getFeatureIDMap().size();
    }

    /**
     * The head over input indices {@code 0..dimensions-1}: element {@code dimensions} of the result is the bias.
     *
     * @param indexOf parses a Tribuo feature name back to its input index
     */
    public double[] head(int dimensions, ToIntFunction<String> indexOf) {
        DenseMatrix w = model.getWeightsCopy(); // [outputs][features + 1], bias last
        int pos = model.getOutputIDInfo().getID(POSITIVE_LABEL);
        int neg = model.getOutputIDInfo().getID(NEGATIVE_LABEL);
        double[] head = new double[dimensions + 1];
        for (VariableInfo info : model.getFeatureIDMap()) {
            int id = ((VariableIDInfo) info).getID();
            int index = indexOf.applyAsInt(info.getName());
            if (index < 0 || index >= dimensions) {
                throw new IllegalStateException(
                        "feature " + info.getName() + " maps to index " + index + " outside [0, " + dimensions + ")");
            }
            head[index] = w.get(pos, id) - w.get(neg, id);
        }
        head[dimensions] = bias;
        return head;
    }

    /** Inverse of {@link #featureName} for names with this model's prefix. */
    public int indexOf(String featureName) {
        if (!featureName.startsWith(prefix)) {
            throw new IllegalArgumentException("feature " + featureName + " lacks prefix " + prefix);
        }
        return Integer.parseInt(featureName.substring(prefix.length()));
    }

    private static Example<Label> example(
            String prefix, int[] indices, double[] values, boolean positive, String[] nameCache) {
        String[] names = new String[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = indices[i];
            if (nameCache == null) {
                names[i] = featureName(prefix, index);
            } else {
                if (nameCache[index] == null) {
                    nameCache[index] = featureName(prefix, index);
                }
                names[i] = nameCache[index];
            }
        }
        return new ArrayExample<>(positive ? POSITIVE_LABEL : NEGATIVE_LABEL, names, values.clone());
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
