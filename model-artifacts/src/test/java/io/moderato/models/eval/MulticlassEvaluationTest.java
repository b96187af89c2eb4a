package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class MulticlassEvaluationTest {

    @Test
    void shouldWeightPerClassFiguresBySupport() {
        // class 0: 2 items (1 right), class 1: 2 items (2 right); predictions: 0→0, 0→1, 1→1, 1→1
        MulticlassEvaluation e =
                MulticlassEvaluation.of(List.of("a", "b"), new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 1});
        assertThat(e.precision(0)).isEqualTo(1.0);
        assertThat(e.recall(0)).isEqualTo(0.5);
        assertThat(e.precision(1)).isCloseTo(2.0 / 3, offset(1e-12));
        assertThat(e.recall(1)).isEqualTo(1.0);
        assertThat(e.weightedF1()).isCloseTo(0.5 * (2.0 / 3) + 0.5 * 0.8, offset(1e-12));
        assertThat(e.accuracy()).isEqualTo(0.75);
        assertThat(e.confusion()[0][1]).isEqualTo(1);
        assertThat(e.markdown()).contains("| a | 1.0000 | 0.5000 |").contains("predicted b");
    }
}
