package io.moderato.models.embedding;

import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Labelled synthetic embeddings for exercising the image / audio / video heads. There is no labelled
 * embedding data here, so these heads are trained on this generator and claim no quality.
 *
 * <p>The generative model, per head of dimension D with policies 1..P:
 * <ol>
 *   <li>each policy p gets a fixed random unit direction {@code u_p} (standard normal vector, normalised);</li>
 *   <li>each item draws its labels independently: {@code y_p ~ Bernoulli(prevalence_p)} (multi-label);</li>
 *   <li>its raw vector is {@code g + separation / sqrt(D) · Σ_p y_p u_p}, with {@code g ~ N(0, I / D)}
 *       (so {@code |g| ≈ 1} and g's component along any unit direction has standard deviation 1/sqrt(D));</li>
 *   <li>the embedding is that vector scaled to unit length, as encoders such as CLIP emit.</li>
 * </ol>
 * Along {@code u_p}, positives are shifted by {@code separation} standard deviations, so a perfect
 * linear scorer reaches about ROC-AUC Φ(separation / √2) on one policy (0.96 for separation 2.5).
 *
 * <p>Randomness: {@code java.util.Random}, whose sequences (including {@code nextGaussian}) the JDK
 * specifies, so the same spec and seeds give the same data on every JVM. Directions use
 * {@code Random(seed)}; each sample set uses its own stream seed.
 */
public final class SyntheticEmbeddingGenerator {

    /** Parameters of one head's data. */
    public record Spec(int dimensions, List<String> policies, double[] prevalence, double separation, long seed) {
        public Spec {
            Objects.requireNonNull(policies, "policies");
            Objects.requireNonNull(prevalence, "prevalence");
            if (dimensions < 2) {
                throw new IllegalArgumentException("dimensions must be >= 2, got " + dimensions);
            }
            if (policies.isEmpty() || policies.size() != prevalence.length) {
                throw new IllegalArgumentException(
                        policies.size() + " policies but " + prevalence.length + " prevalences");
            }
            for (double p : prevalence) {
                if (!(p > 0 && p < 1)) {
                    throw new IllegalArgumentException("prevalence must be in (0, 1), got " + p);
                }
            }
            if (!(separation >= 0)) {
                throw new IllegalArgumentException("separation must be >= 0, got " + separation);
            }
            policies = List.copyOf(policies);
            prevalence = prevalence.clone();
        }
    }

    /** {@code embeddings[i]} is item i (unit length); {@code labels[i][p]} says whether it violates policy p. */
    public record Samples(float[][] embeddings, boolean[][] labels) {
        public int size() {
            return embeddings.length;
        }

        public boolean[] labelsOf(int policy) {
            boolean[] out = new boolean[labels.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = labels[i][policy];
            }
            return out;
        }

        public int positives(int policy) {
            int n = 0;
            for (boolean[] row : labels) {
                n += row[policy] ? 1 : 0;
            }
            return n;
        }
    }

    private final Spec spec;
    private final double[][] directions; // [P][D], unit length

    public SyntheticEmbeddingGenerator(Spec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        Random rnd = new Random(spec.seed());
        directions = new double[spec.policies().size()][spec.dimensions()];
        for (double[] u : directions) {
            double norm = 0;
            for (int d = 0; d < u.length; d++) {
                u[d] = rnd.nextGaussian();
                norm += u[d] * u[d];
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < u.length; d++) {
                u[d] /= norm;
            }
        }
    }

    public Spec spec() {
        return spec;
    }

    /** The unit direction of policy {@code p} (a copy). */
    public double[] direction(int p) {
        return directions[p].clone();
    }

    /** {@code n} items drawn from the stream {@code streamSeed}; different streams give independent sets. */
    public Samples generate(int n, long streamSeed) {
        int dims = spec.dimensions();
        int policies = directions.length;
        double sigma = 1.0 / Math.sqrt(dims);
        double shift = spec.separation() * sigma;
        Random rnd = new Random(streamSeed);
        float[][] x = new float[n][dims];
        boolean[][] y = new boolean[n][policies];
        double[] v = new double[dims];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < policies; p++) {
                y[i][p] = rnd.nextDouble() < spec.prevalence()[p];
            }
            for (int d = 0; d < dims; d++) {
                v[d] = rnd.nextGaussian() * sigma;
            }
            for (int p = 0; p < policies; p++) {
                if (y[i][p]) {
                    for (int d = 0; d < dims; d++) {
                        v[d] += shift * directions[p][d];
                    }
                }
            }
            double norm = 0;
            for (double c : v) {
                norm += c * c;
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < dims; d++) {
                x[i][d] = (float) (v[d] / norm);
            }
        }
        return new Samples(x, y);
    }
}
