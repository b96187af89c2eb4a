package io.moderato.models.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Seeded stratified split of a labelled list into two parts: within each class, items are sorted by
 * their key, shuffled with {@code java.util.Random(seed)} (whose sequence the JDK specifies, so the
 * split is the same on every JVM), and the first {@code round(fraction · n_class)} go to the second part.
 * Both parts come back sorted by key.
 */
public final class StratifiedSplit {

    private StratifiedSplit() {
    }

    public record Parts<T>(List<T> first, List<T> second) {
    }

    public static <T> Parts<T> split(List<T> items, Predicate<T> positive, Function<T, String> key,
                                     double secondFraction, long seed) {
        if (!(secondFraction > 0 && secondFraction < 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1), got " + secondFraction);
        }
        List<T> first = new ArrayList<>();
        List<T> second = new ArrayList<>();
        for (boolean cls : new boolean[]{false, true}) {
            List<T> members = new ArrayList<>(items.stream().filter(t -> positive.test(t) == cls).toList());
            members.sort(Comparator.comparing(key));
            Collections.shuffle(members, new Random(seed + (cls ? 1 : 0)));
            int take = (int) Math.round(secondFraction * members.size());
            second.addAll(members.subList(0, take));
            first.addAll(members.subList(take, members.size()));
        }
        first.sort(Comparator.comparing(key));
        second.sort(Comparator.comparing(key));
        return new Parts<>(first, second);
    }

    /** A stratified sample of about {@code size} items (class proportions kept), sorted by key. */
    public static <T> List<T> sample(List<T> items, Predicate<T> positive, Function<T, String> key, int size,
                                     long seed) {
        if (size >= items.size()) {
            List<T> all = new ArrayList<>(items);
            all.sort(Comparator.comparing(key));
            return all;
        }
        return split(items, positive, key, (double) size / items.size(), seed).second();
    }
}
