package io.moderato.models.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Seeded stratified splits of a labelled list: within each stratum (class), items are sorted by their key,
 * shuffled with {@code java.util.Random(seed + stratum number)} (whose sequence the JDK specifies, so the split is
 * the same on every JVM; strata are numbered 0, 1, … in their natural order, and for a binary label negatives are
 * always 0 and positives 1), and the first {@code round(fraction · n_stratum)} go to the second part. Both parts
 * come back sorted by key.
 */
public final class StratifiedSplit {

    private StratifiedSplit() {}

    public record Parts<T>(List<T> first, List<T> second) {}

    /** Binary strata: the split every model before 2.0 used (negatives shuffled with seed, positives with seed + 1). */
    public static <T> Parts<T> split(
            List<T> items, Predicate<T> positive, Function<T, String> key, double secondFraction, long seed) {
        TreeMap<Integer, List<T>> byClass = strata(items, t -> positive.test(t) ? 1 : 0, key);
        return split(byClass, (Integer cls) -> cls, key, secondFraction, seed);
    }

    /** Stratified by {@code stratum} (e.g. a class number); see the class comment for the order. */
    public static <T, S extends Comparable<S>> Parts<T> splitBy(
            List<T> items, Function<T, S> stratum, Function<T, String> key, double secondFraction, long seed) {
        TreeMap<S, List<T>> strata = strata(items, stratum, key);
        List<S> order = new ArrayList<>(strata.keySet());
        return split(strata, s -> order.indexOf(s), key, secondFraction, seed);
    }

    private static <T, S extends Comparable<S>> Parts<T> split(
            TreeMap<S, List<T>> strata,
            Function<S, Integer> number,
            Function<T, String> key,
            double secondFraction,
            long seed) {
        if (!(secondFraction > 0 && secondFraction < 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1), got " + secondFraction);
        }
        List<T> first = new ArrayList<>();
        List<T> second = new ArrayList<>();
        for (var stratum : strata.entrySet()) {
            List<T> members = stratum.getValue();
            Collections.shuffle(members, new Random(seed + number.apply(stratum.getKey())));
            int take = (int) Math.round(secondFraction * members.size());
            second.addAll(members.subList(0, take));
            first.addAll(members.subList(take, members.size()));
        }
        first.sort(Comparator.comparing(key));
        second.sort(Comparator.comparing(key));
        return new Parts<>(first, second);
    }

    /**
     * A fold number in [0, k) per item (same order as {@code items}): each stratum, sorted by key and shuffled as
     * above, is dealt round-robin, so every fold holds about 1/k of every stratum.
     */
    public static <T, S extends Comparable<S>> int[] folds(
            List<T> items, Function<T, S> stratum, Function<T, String> key, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + k);
        }
        java.util.IdentityHashMap<T, Integer> fold = new java.util.IdentityHashMap<>();
        int number = 0;
        for (List<T> members : strata(items, stratum, key).values()) {
            Collections.shuffle(members, new Random(seed + number++));
            for (int i = 0; i < members.size(); i++) {
                fold.put(members.get(i), i % k);
            }
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fold.get(items.get(i));
        }
        return out;
    }

    /** Items grouped by stratum, strata in natural order, each sorted by key. */
    private static <T, S extends Comparable<S>> TreeMap<S, List<T>> strata(
            List<T> items, Function<T, S> stratum, Function<T, String> key) {
        TreeMap<S, List<T>> strata = new TreeMap<>();
        for (T item : items) {
            strata.computeIfAbsent(stratum.apply(item), s -> new ArrayList<>()).add(item);
        }
        strata.values().forEach(members -> members.sort(Comparator.comparing(key)));
        return strata;
    }

    /** A stratified sample of about {@code size} items (class proportions kept), sorted by key. */
    public static <T> List<T> sample(
            List<T> items, Predicate<T> positive, Function<T, String> key, int size, long seed) {
        if (size >= items.size()) {
            List<T> all = new ArrayList<>(items);
            all.sort(Comparator.comparing(key));
            return all;
        }
        return split(items, positive, key, (double) size / items.size(), seed).second();
    }
}
