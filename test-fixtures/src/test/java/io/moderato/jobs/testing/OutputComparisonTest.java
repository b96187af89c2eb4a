package io.moderato.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The reliability checks themselves must catch what they claim to: loss, duplicates, disorder, gaps. */
class OutputComparisonTest {

    private static Committed<String> at(int partition, long offset, String value) {
        return new Committed<>(partition, offset, null, value);
    }

    private static OutputComparison.Report compare(List<Committed<String>> reference, List<Committed<String>> other) {
        return OutputComparison.compare(
                "t", reference, other, Function.identity(), c -> c.value().substring(0, 1));
    }

    @Test
    void shouldCountLostAndDuplicatedRecordsAndFindOrderBreaks() {
        List<Committed<String>> reference = List.of(at(0, 0, "a1"), at(0, 1, "a2"), at(1, 0, "b1"), at(1, 1, "b2"));

        assertThat(compare(reference, List.of(at(1, 5, "b1"), at(1, 6, "b2"), at(0, 7, "a1"), at(0, 9, "a2")))
                        .identical())
                .isTrue();
        OutputComparison.Report lossAndDuplicate =
                compare(reference, List.of(at(0, 0, "a1"), at(0, 1, "a1"), at(1, 0, "b1"), at(1, 1, "b2")));
        assertThat(lossAndDuplicate.lost()).isEqualTo(1);
        assertThat(lossAndDuplicate.duplicated()).isEqualTo(1);
        OutputComparison.Report swapped =
                compare(reference, List.of(at(0, 0, "a2"), at(0, 1, "a1"), at(1, 0, "b1"), at(1, 1, "b2")));
        assertThat(swapped.lost() + swapped.duplicated()).isZero();
        assertThat(swapped.orderProblems()).containsExactly("0 | a");
    }

    @Test
    void shouldRoundOnlyTheLastDigitsOfDecimals() {
        assertThat(OutputComparison.roundedDecimals("{\"x\": 0.07333644859813081, \"n\": 42, \"y\": 1.0E-7}"))
                .isEqualTo(OutputComparison.roundedDecimals("{\"x\": 0.07333644859813084, \"n\": 42, \"y\": 1.0E-7}"))
                .isNotEqualTo(OutputComparison.roundedDecimals("{\"x\": 0.0733364486, \"n\": 42, \"y\": 1.0E-7}"));
    }

    @Test
    void shouldFindGapsRepeatsAndDisorderPerKey() {
        List<Committed<String>> records = List.of(
                at(0, 0, "u1:0"),
                at(0, 1, "u1:1"),
                at(0, 2, "u1:1"),
                at(1, 0, "u2:0"),
                at(1, 1, "u2:2"),
                at(1, 2, "u3:1"),
                at(1, 3, "u3:0"));
        Map<String, List<Long>> sequences =
                SequenceCheck.sequences(records, c -> c.value().split(":")[0], v -> Long.parseLong(v.split(":")[1]));

        assertThat(SequenceCheck.repeatsOrDisorder(sequences))
                .containsExactly("u1: repeats 1 after 1", "u3: goes back to 0 after 1");
        assertThat(SequenceCheck.gaps(
                        sequences,
                        Map.of(
                                "u1",
                                SequenceCheck.range(0, 1),
                                "u2",
                                SequenceCheck.range(0, 2),
                                "u3",
                                SequenceCheck.range(0, 1))))
                .containsExactly("u2: missing [1], unexpected []");
    }
}
