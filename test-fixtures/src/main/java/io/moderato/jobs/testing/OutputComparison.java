package io.moderato.jobs.testing;

import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.PolicyDecision;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Compares what two runs of a job committed to one output: as multisets of records (how many the
 * other run lost, how many it duplicated) and in per-partition order within the groups whose order
 * the job guarantees (e.g. one user's decisions from one writer). Records are compared as strings
 * with their processing-time fields blanked ({@link #decision}, {@link #task}, ...): everything else
 * a deterministic job writes must be identical.
 */
public final class OutputComparison {

    private OutputComparison() {}

    /**
     * The comparison of one output: record counts, lost and duplicated records (with a few examples),
     * how many order groups were compared and which ones differ.
     */
    public record Report(
            String output,
            int expected,
            int actual,
            int lost,
            int duplicated,
            List<String> examples,
            int orderGroups,
            List<String> orderProblems) {

        public boolean identical() {
            return lost == 0 && duplicated == 0 && orderProblems.isEmpty();
        }

        @Override
        public String toString() {
            return output + ": " + actual + " records vs " + expected + " in the reference run, " + lost + " lost, "
                    + duplicated + " duplicated, " + orderGroups + " order groups, " + orderProblems.size()
                    + " out of order"
                    + (examples.isEmpty() && orderProblems.isEmpty()
                            ? ""
                            : "; e.g. " + examples + " "
                                    + orderProblems.stream().limit(3).toList());
        }
    }

    /**
     * @param normal     the record as a string without its processing-time fields
     * @param orderGroup the group within which the job keeps the reference run's order (with the
     *                   partition added here), or null for outputs whose order is not guaranteed
     */
    public static <T> Report compare(
            String output,
            List<Committed<T>> reference,
            List<Committed<T>> other,
            Function<T, String> normal,
            Function<Committed<T>, String> orderGroup) {
        Map<String, Integer> counts = new HashMap<>();
        reference.forEach(c -> counts.merge(normal.apply(c.value()), 1, Integer::sum));
        other.forEach(c -> counts.merge(normal.apply(c.value()), -1, Integer::sum));
        int lost = 0;
        int duplicated = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > 0) {
                lost += e.getValue();
            } else if (e.getValue() < 0) {
                duplicated -= e.getValue();
            }
            if (e.getValue() != 0 && examples.size() < 3) {
                examples.add((e.getValue() > 0 ? "lost " : "extra ") + abbreviate(e.getKey()));
            }
        }
        List<String> orderProblems = new ArrayList<>();
        int groups = 0;
        if (orderGroup != null) {
            Map<String, List<String>> expected = groups(reference, normal, orderGroup);
            Map<String, List<String>> actual = groups(other, normal, orderGroup);
            groups = expected.size();
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                if (!e.getValue().equals(actual.get(e.getKey()))) {
                    orderProblems.add(e.getKey());
                }
            }
            actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(orderProblems::add);
        }
        return new Report(output, reference.size(), other.size(), lost, duplicated, examples, groups, orderProblems);
    }

    /** Records by "partition | group", each list in offset order. */
    private static <T> Map<String, List<String>> groups(
            List<Committed<T>> records, Function<T, String> normal, Function<Committed<T>, String> orderGroup) {
        Map<String, List<String>> groups = new TreeMap<>();
        List<Committed<T>> sorted = new ArrayList<>(records);
        sorted.sort(java.util.Comparator.comparingInt((Committed<T> c) -> c.partition())
                .thenComparingLong(Committed::offset));
        for (Committed<T> c : sorted) {
            groups.computeIfAbsent(c.partition() + " | " + orderGroup.apply(c), k -> new ArrayList<>())
                    .add(normal.apply(c.value()));
        }
        return groups;
    }

    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?");

    /**
     * {@code text} with every decimal number rounded to 12 significant digits: for statistics summed in
     * arrival order (double addition is not associative, so a different interleaving of the same inputs
     * moves the last bits), never for values that must match exactly.
     */
    public static String roundedDecimals(String text) {
        java.util.regex.Matcher m = DECIMAL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String rounded = new java.math.BigDecimal(m.group())
                    .round(new java.math.MathContext(12))
                    .stripTrailingZeros()
                    .toPlainString();
            m.appendReplacement(out, rounded);
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "…";
    }

    // ------------------------------------------------------------------ DetectionJob outputs without processing time

    public static String decision(RiskDecision d) {
        return RiskDecision.newBuilder(d).setDecidedAtMillis(0).build().toString();
    }

    public static String task(ReviewTask t) {
        return ReviewTask.newBuilder(t).setCreatedAtMillis(0).build().toString();
    }

    public static String action(EnforcementAction a) {
        return EnforcementAction.newBuilder(a).setDecidedAtMillis(0).build().toString();
    }

    public static String audit(ConfigAudit a) {
        return ConfigAudit.newBuilder(a).setProcessedAtMillis(0).build().toString();
    }

    /**
     * The writer of a decision: the decider's own sink, or (for an item sent to review) the router's. Each
     * keeps one user's decisions in event-time order; between the two writers there is no order.
     */
    public static String writerOf(RiskDecision d) {
        boolean routed = false;
        for (PolicyDecision p : d.getPolicies()) {
            routed |= p.getBand().equals("REVIEW") || p.getBand().equals("HOLD") || p.getAuditSampled();
        }
        return routed ? "routed" : "decider";
    }
}
