package io.moderato.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ReplayFunctionTest {

    @Test
    void shouldReplayEveryItemExactlyOnceWithSubtasksInterleavedInEventTime() {
        long count = 1_000;
        int parallelism = 2;
        BitSet seen = new BitSet();
        for (long index = 0; index < count; index++) {
            int item = ReplayFunction.item(index, count, parallelism);
            assertThat(seen.get(item)).as("item %d replayed twice", item).isFalse();
            seen.set(item);
        }
        assertThat(seen.cardinality()).isEqualTo((int) count);
        // subtask 0 gets the first half of the indices, subtask 1 the second: they emit even and odd items
        assertThat(ReplayFunction.item(0, count, parallelism)).isEqualTo(0);
        assertThat(ReplayFunction.item(1, count, parallelism)).isEqualTo(2);
        assertThat(ReplayFunction.item(500, count, parallelism)).isEqualTo(1);
        assertThat(ReplayFunction.item(999, count, parallelism)).isEqualTo(999);
    }

    @Test
    void shouldRefuseACountThatTheSubtasksCannotShareEvenly() {
        assertThatThrownBy(() -> new ReplayFunction("x", 1_001, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of the parallelism");
    }
}
