package io.moderato.models.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    record Item(String id, int cls) {
        boolean positive() {
            return cls == 1;
        }
    }

    private static List<Item> items(int... perClass) {
        List<Item> items = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++) {
            for (int i = 0; i < perClass[c]; i++) {
                items.add(new Item(String.format("%d-%04d-%05d", c, i * 7919 % 10_000, i), c));
            }
        }
        Collections.shuffle(items, new Random(1));
        return items;
    }

    /** The binary split exactly as text-spam 1.0.0 was trained with (its files must stay reproducible). */
    private static List<Item> legacySecond(List<Item> items, double fraction, long seed) {
        List<Item> second = new ArrayList<>();
        for (boolean cls : new boolean[] {false, true}) {
            List<Item> members = new ArrayList<>(
                    items.stream().filter(t -> t.positive() == cls).toList());
            members.sort(Comparator.comparing(Item::id));
            Collections.shuffle(members, new Random(seed + (cls ? 1 : 0)));
            second.addAll(members.subList(0, (int) Math.round(fraction * members.size())));
        }
        second.sort(Comparator.comparing(Item::id));
        return second;
    }

    @Test
    void shouldKeepTheBinarySplitOfEarlierModelsBitForBit() {
        List<Item> items = items(2500, 500);
        assertThat(StratifiedSplit.split(items, Item::positive, Item::id, 0.2, 42)
                        .second())
                .isEqualTo(legacySecond(items, 0.2, 42));
        List<Item> onlyPositives = items(0, 40);
        assertThat(StratifiedSplit.split(onlyPositives, Item::positive, Item::id, 0.25, 7)
                        .second())
                .isEqualTo(legacySecond(onlyPositives, 0.25, 7));
    }

    @Test
    void shouldKeepEveryStratumsShareInAMultiClassSplit() {
        List<Item> items = items(1165, 15324, 3318);
        StratifiedSplit.Parts<Item> parts = StratifiedSplit.splitBy(items, Item::cls, Item::id, 0.2, 42);
        Map<Integer, Long> second =
                parts.second().stream().collect(Collectors.groupingBy(Item::cls, Collectors.counting()));
        assertThat(second).containsEntry(0, 233L).containsEntry(1, 3065L).containsEntry(2, 664L);
        assertThat(parts.first().size() + parts.second().size()).isEqualTo(items.size());
        assertThat(Collections.disjoint(new java.util.HashSet<>(parts.first()), parts.second()))
                .isTrue();
        assertThat(StratifiedSplit.splitBy(new ArrayList<>(items), Item::cls, Item::id, 0.2, 42))
                .isEqualTo(parts);
        assertThat(StratifiedSplit.splitBy(items, Item::cls, Item::id, 0.2, 43).second())
                .isNotEqualTo(parts.second());
    }

    @Test
    void shouldDealFoldsRoundRobinWithinEachStratum() {
        List<Item> items = items(100, 23);
        int[] folds = StratifiedSplit.folds(items, Item::cls, Item::id, 5, 3);
        Function<Integer, Map<Integer, Long>> perFold = cls -> {
            Map<Integer, Long> counts = new java.util.TreeMap<>();
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).cls() == cls) {
                    counts.merge(folds[i], 1L, Long::sum);
                }
            }
            return counts;
        };
        assertThat(perFold.apply(0).values()).containsOnly(20L);
        assertThat(perFold.apply(1).values()).containsExactlyInAnyOrder(5L, 5L, 5L, 4L, 4L);
        assertThat(StratifiedSplit.folds(items, Item::cls, Item::id, 5, 3)).isEqualTo(folds);
    }
}
