package io.moderato.jobs.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Per-key sequence check of what a stateful stage committed: every key's sequence numbers appear in
 * commit order strictly increasing (no repeat, nothing out of order) and, where the test knows them,
 * exactly the expected ones (no gap). Sequence numbers come from the input (a user's n-th item, a
 * label count, a window start), so a stage that lost or replayed state across a restart shows here.
 */
public final class SequenceCheck {

    private SequenceCheck() {}

    /** The per-key sequences of {@code records}, in partition/offset order (the key may include the partition). */
    public static <T> Map<String, List<Long>> sequences(
            List<Committed<T>> records, Function<Committed<T>, String> key, ToLongFunction<T> sequence) {
        List<Committed<T>> sorted = new ArrayList<>(records);
        sorted.sort(java.util.Comparator.comparingInt((Committed<T> c) -> c.partition())
                .thenComparingLong(Committed::offset));
        Map<String, List<Long>> byKey = new TreeMap<>();
        for (Committed<T> c : sorted) {
            byKey.computeIfAbsent(key.apply(c), k -> new ArrayList<>()).add(sequence.applyAsLong(c.value()));
        }
        return byKey;
    }

    /** Repeats and order breaks: one line per key whose sequence is not strictly increasing. */
    public static List<String> repeatsOrDisorder(Map<String, List<Long>> sequences) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<Long>> e : sequences.entrySet()) {
            List<Long> seq = e.getValue();
            for (int i = 1; i < seq.size(); i++) {
                if (seq.get(i) <= seq.get(i - 1)) {
                    problems.add(e.getKey() + ": " + (seq.get(i).equals(seq.get(i - 1)) ? "repeats " : "goes back to ")
                            + seq.get(i) + " after " + seq.get(i - 1));
                    break;
                }
            }
        }
        return problems;
    }

    /** Gaps (and extras): one line per key whose numbers are not exactly {@code expected}'s for that key. */
    public static List<String> gaps(
            Map<String, List<Long>> sequences, Map<String, ? extends SortedSet<Long>> expected) {
        List<String> problems = new ArrayList<>();
        Map<String, SortedSet<Long>> all = new HashMap<>(expected);
        sequences.keySet().forEach(k -> all.putIfAbsent(k, new TreeSet<>()));
        for (Map.Entry<String, SortedSet<Long>> e : new TreeMap<>(all).entrySet()) {
            SortedSet<Long> seen = new TreeSet<>(sequences.getOrDefault(e.getKey(), List.of()));
            SortedSet<Long> missing = new TreeSet<>(e.getValue());
            missing.removeAll(seen);
            SortedSet<Long> extra = new TreeSet<>(seen);
            extra.removeAll(e.getValue());
            if (!missing.isEmpty() || !extra.isEmpty()) {
                problems.add(e.getKey() + ": missing " + missing + ", unexpected " + extra);
            }
        }
        return problems;
    }

    /** {@code first, first + 1, …, last}. */
    public static SortedSet<Long> range(long first, long last) {
        SortedSet<Long> series = new TreeSet<>();
        for (long s = first; s <= last; s++) {
            series.add(s);
        }
        return series;
    }
}
