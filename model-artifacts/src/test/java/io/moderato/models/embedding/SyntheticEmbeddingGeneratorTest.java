package io.moderato.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticEmbeddingGeneratorTest {

    private static final SyntheticEmbeddingGenerator.Spec SPEC =
            new SyntheticEmbeddingGenerator.Spec(64, List.of("a", "b"), new double[] {0.2, 0.05}, 2.5, 11L);

    @Test
    void shouldEmitUnitLengthEmbeddingsWithTheConfiguredPrevalence() {
        SyntheticEmbeddingGenerator.Samples s = new SyntheticEmbeddingGenerator(SPEC).generate(5_000, 1L);
        for (float[] x : s.embeddings()) {
            double norm = 0;
            for (float v : x) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, offset(1e-5));
        }
        assertThat(s.positives(0) / 5_000.0).isCloseTo(0.2, offset(0.02));
        assertThat(s.positives(1) / 5_000.0).isCloseTo(0.05, offset(0.01));
    }

    @Test
    void shouldShiftPositivesAlongThePolicyDirection() {
        SyntheticEmbeddingGenerator generator = new SyntheticEmbeddingGenerator(SPEC);
        SyntheticEmbeddingGenerator.Samples s = generator.generate(4_000, 2L);
        double[] u = generator.direction(0);
        double pos = 0;
        double neg = 0;
        for (int i = 0; i < s.size(); i++) {
            double proj = 0;
            for (int d = 0; d < u.length; d++) {
                proj += s.embeddings()[i][d] * u[d];
            }
            if (s.labels()[i][0]) {
                pos += proj / s.positives(0);
            } else {
                neg += proj / (s.size() - s.positives(0));
            }
        }
        // mean gap ≈ separation / sqrt(D) before normalisation (norms stay close to 1)
        assertThat(pos - neg).isCloseTo(2.5 / Math.sqrt(64), offset(0.08));
    }

    @Test
    void shouldBeDeterministicPerSeedAndIndependentAcrossStreams() {
        SyntheticEmbeddingGenerator.Samples a = new SyntheticEmbeddingGenerator(SPEC).generate(10, 3L);
        SyntheticEmbeddingGenerator.Samples b = new SyntheticEmbeddingGenerator(SPEC).generate(10, 3L);
        SyntheticEmbeddingGenerator.Samples c = new SyntheticEmbeddingGenerator(SPEC).generate(10, 4L);
        assertThat(b.embeddings()).isDeepEqualTo(a.embeddings());
        assertThat(b.labels()).isDeepEqualTo(a.labels());
        assertThat(c.embeddings()[0]).isNotEqualTo(a.embeddings()[0]);
    }

    @Test
    void shouldRejectInconsistentSpecs() {
        assertThatThrownBy(() -> new SyntheticEmbeddingGenerator.Spec(8, List.of("a"), new double[] {0.1, 0.2}, 1, 1))
                .hasMessageContaining("prevalences");
        assertThatThrownBy(() -> new SyntheticEmbeddingGenerator.Spec(8, List.of("a"), new double[] {1.0}, 1, 1))
                .hasMessageContaining("prevalence");
    }
}
