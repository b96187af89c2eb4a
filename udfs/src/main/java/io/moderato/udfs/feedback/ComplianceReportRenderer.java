package io.moderato.udfs.feedback;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.Estimate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders {@link ComplianceReport}s as a Markdown transparency report: one table per policy with a
 * row per UTC day and a total row, followed by a plain-language explanation of every column and of
 * how precision and recall are estimated. Reports are re-emitted as late labels arrive, so of several
 * reports for the same (policy, day) only the one with the latest {@code generatedAtMillis} is shown
 * (on a tie, the later in the list). The output depends only on the reports given.
 */
public final class ComplianceReportRenderer {

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String DASH = "—";

    private ComplianceReportRenderer() {}

    /** The Markdown report with the default title. */
    public static String render(List<ComplianceReport> reports) {
        return render(reports, "Content moderation transparency report");
    }

    /** The Markdown report titled {@code title}. */
    public static String render(List<ComplianceReport> reports, String title) {
        Objects.requireNonNull(reports, "reports");
        Map<String, TreeMap<Long, ComplianceReport>> byPolicy = latestByPolicyAndDay(reports);
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        if (byPolicy.isEmpty()) {
            md.append("No compliance reports were found.\n\n");
            appendExplanation(md, new TreeSet<>());
            return md.toString();
        }
        appendSummary(md, byPolicy);
        TreeSet<Double> confidences = new TreeSet<>();
        for (Map.Entry<String, TreeMap<Long, ComplianceReport>> policy : byPolicy.entrySet()) {
            appendPolicy(md, policy.getKey(), policy.getValue().values(), confidences);
        }
        appendExplanation(md, confidences);
        return md.toString();
    }

    /** The period, the number of policies and policy-days, and when the latest figures were generated. */
    private static void appendSummary(StringBuilder md, Map<String, TreeMap<Long, ComplianceReport>> byPolicy) {
        long first =
                byPolicy.values().stream().mapToLong(TreeMap::firstKey).min().orElseThrow();
        long last = byPolicy.values().stream().mapToLong(TreeMap::lastKey).max().orElseThrow();
        long generated = byPolicy.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(ComplianceReport::getGeneratedAtMillis)
                .max()
                .orElseThrow();
        int days = byPolicy.values().stream().mapToInt(Map::size).sum();
        md.append("Per content policy and UTC day, from ")
                .append(DAY.format(Instant.ofEpochMilli(first)))
                .append(" to ")
                .append(DAY.format(Instant.ofEpochMilli(last)))
                .append(": ")
                .append(byPolicy.size())
                .append(byPolicy.size() == 1 ? " policy, " : " policies, ")
                .append(days)
                .append(days == 1 ? " policy-day" : " policy-days")
                .append(". Latest figures generated ")
                .append(TIME.format(Instant.ofEpochMilli(generated)))
                .append(". A day counts the items decided on that day (by event time), including reviews, labels and")
                .append(" appeals that came later; see *How to read this report* below.\n\n");
    }

    /** One policy's table (a row per day, a total row when there are several) and its withheld figures. */
    private static void appendPolicy(
            StringBuilder md, String policyId, Collection<ComplianceReport> days, TreeSet<Double> confidences) {
        md.append("## Policy `").append(policyId).append("`\n\n");
        md.append("| day (UTC) | decisions | automated actions | actions after review | median time to action:")
                .append(
                        " all / automated / after review | review tasks | labels: review / audit / appeal / adjudication")
                .append(" | estimated precision | estimated recall | appeals | overturned | overturn rate |\n");
        md.append("|---|---:|---:|---:|---|---:|---|---|---|---:|---:|---:|\n");
        Totals totals = new Totals();
        List<String> withheld = new ArrayList<>();
        for (ComplianceReport r : days) {
            r.getWithheld()
                    .forEach((field, reason) ->
                            withheld.add("- " + DAY.format(Instant.ofEpochMilli(r.getDayStartMillis())) + ", " + field
                                    + " withheld: " + reason));
            confidences.add(r.getIntervalConfidence());
            totals.add(r);
            appendDay(md, r);
        }
        if (days.size() > 1) {
            appendTotals(md, totals);
        }
        md.append('\n');
        if (!withheld.isEmpty()) {
            md.append("Not published, because the labels cannot support them at the stated confidence:\n\n");
            withheld.forEach(line -> md.append(line).append('\n'));
            md.append('\n');
        }
    }

    private static void appendDay(StringBuilder md, ComplianceReport r) {
        md.append("| ")
                .append(DAY.format(Instant.ofEpochMilli(r.getDayStartMillis())))
                .append(" | ")
                .append(count(r.getDecisions()))
                .append(" | ")
                .append(count(r.getActionsAutomated()))
                .append(" | ")
                .append(count(r.getActionsAfterReview()))
                .append(" | ")
                .append(duration(r.getMedianTimeToActionMillis()))
                .append(" / ")
                .append(duration(r.getMedianTimeToAutomatedActionMillis()))
                .append(" / ")
                .append(duration(r.getMedianTimeToReviewedActionMillis()))
                .append(" | ")
                .append(count(r.getReviewTasks()))
                .append(" | ")
                .append(labels(r.getLabelsBySource()))
                .append(" | ")
                .append(estimate(r.getPrecision(), r.getWithheld().containsKey("precision")))
                .append(" | ")
                .append(estimate(r.getRecall(), r.getWithheld().containsKey("recall")))
                .append(" | ")
                .append(count(r.getAppeals()))
                .append(" | ")
                .append(count(r.getAppealsOverturned()))
                .append(" | ")
                .append(percent(r.getAppealOverturnRate()))
                .append(" |\n");
    }

    private static void appendTotals(StringBuilder md, Totals totals) {
        md.append("| **total** | ")
                .append(count(totals.decisions))
                .append(" | ")
                .append(count(totals.automated))
                .append(" | ")
                .append(count(totals.afterReview))
                .append(" | ")
                .append(DASH)
                .append(" | ")
                .append(count(totals.tasks))
                .append(" | ")
                .append(labels(totals.labels))
                .append(" | ")
                .append(DASH)
                .append(" | ")
                .append(DASH)
                .append(" | ")
                .append(count(totals.appeals))
                .append(" | ")
                .append(count(totals.overturned))
                .append(" | ")
                .append(percent(totals.appeals > 0 ? (double) totals.overturned / totals.appeals : null))
                .append(" |\n");
    }

    /** Per policy (sorted), per day (ascending), the report with the latest generatedAtMillis. */
    static Map<String, TreeMap<Long, ComplianceReport>> latestByPolicyAndDay(List<ComplianceReport> reports) {
        Map<String, TreeMap<Long, ComplianceReport>> byPolicy = new TreeMap<>();
        for (ComplianceReport r : reports) {
            byPolicy.computeIfAbsent(r.getPolicyId(), p -> new TreeMap<>())
                    .merge(
                            r.getDayStartMillis(),
                            r,
                            (old, neu) -> neu.getGeneratedAtMillis() >= old.getGeneratedAtMillis() ? neu : old);
        }
        return byPolicy;
    }

    private static void appendExplanation(StringBuilder md, TreeSet<Double> confidences) {
        String level = confidences.isEmpty()
                ? "95%"
                : String.join(
                        ", ",
                        confidences.stream().map(c -> trimPercent(c * 100)).toList());
        appendReadingGuide(md);
        appendColumnTable(md);
        appendEstimationMethod(md, level);
    }

    private static void appendReadingGuide(StringBuilder md) {
        md.append("## How to read this report\n\n")
                .append("Every row is one content policy on one UTC day. The day is a **cohort**: it counts the items")
                .append(
                        " whose automated decision happened on that day (by the item's event time), and everything that")
                .append(
                        " happened to those items afterwards — human reviews, labels and appeals — even if it happened on")
                .append(" a later day. Recent days therefore still grow while reviews and appeals come in; the figures")
                .append(" shown are the latest available.\n\n");
    }

    private static void appendColumnTable(StringBuilder md) {
        md.append("| column | meaning |\n|---|---|\n")
                .append("| decisions | Items the automated system decided for this policy. |\n")
                .append(
                        "| automated actions | Items removed, limited or blocked automatically, without a human looking at them")
                .append(" first (decision band ACTION, or BLOCK for content checked before publication). |\n")
                .append(
                        "| actions after review | Items not actioned automatically that human reviewers found violating")
                .append(
                        " (sent to review, held before publication, or picked by the random quality audit), so they were")
                .append(" actioned after human review. |\n")
                .append(
                        "| median time to action | Half of the actions were taken faster than this. Measured from when the")
                .append(
                        " content was posted to the automated decision (automated actions) or to the reviewer's decisive")
                .append(
                        " verdict (actions after review). Shown for all actions, automated ones and reviewed ones; times")
                .append(" are read from a histogram and are accurate to within about 4%. |\n")
                .append("| review tasks | Review requests sent to human moderators for this policy (above the review")
                .append(" threshold, a repeat-offender escalation, or a random audit sample). |\n")
                .append("| labels | Human verdicts given, by where they came from: *review* (a review task), *audit*")
                .append(" (a random quality sample, including of items the system allowed or actioned), *appeal* (the")
                .append(" author's complaint against a decision) and *adjudication* (a senior ruling when reviewers")
                .append(" disagreed). Repeated deliveries of the same verdict are counted once. |\n")
                .append(
                        "| estimated precision | Of the items the system actions automatically, the estimated share that")
                .append(" really violate the policy. |\n")
                .append(
                        "| estimated recall | Of all items that really violate the policy, the estimated share the system")
                .append(" actions automatically. |\n")
                .append("| appeals | Items where an appeal decided the final verdict. |\n")
                .append("| overturned | Appeals whose verdict differs from the decision appealed against (the")
                .append(" reviewers' verdict, or the automated decision when no reviewer had looked at the item). |\n")
                .append("| overturn rate | overturned / appeals. |\n\n")
                .append("A dash (")
                .append(DASH)
                .append(") means there is nothing to measure yet (for example no action,")
                .append(" no appeal, or no reviewed item above the action threshold).\n\n");
    }

    private static void appendEstimationMethod(StringBuilder md, String level) {
        md.append("## How precision and recall are estimated\n\n")
                .append(
                        "Humans review only some items: everything the system is unsure about, plus a small random audit")
                .append(" sample of the items it allowed or actioned on its own. Counting only reviewed items would")
                .append(
                        " overstate the quality of the system, because the mistakes it is confident about are only seen")
                .append(
                        " through the audit sample. Each reviewed item therefore counts as many items as it stands for:")
                .append(" an item that had a 1-in-50 chance of being audited counts 50 times (inverse-propensity")
                .append(" weighting, the chance being recorded when the decision was made). With these weights the")
                .append(" shares are unbiased estimates for all items of the day, not only the reviewed ones.\n\n")
                .append("Only items that reached a reviewer through the review process or the random audit enter the")
                .append(
                        " estimates; items known only from an appeal do not, because authors choose what to appeal. Each")
                .append(" item counts once, with its final verdict (appeal over senior ruling over the reviewers'")
                .append(" majority). \"Actioned automatically\" means the item's risk score was at or above the action")
                .append(" threshold in force when it was decided.\n\n")
                .append("The range after each estimate is a ")
                .append(level)
                .append("% confidence interval (exact")
                .append(
                        " Clopper-Pearson interval on a conservative effective sample size of the weighted labels): with")
                .append(" the labels available, the true value lies in that range with ")
                .append(level)
                .append("% confidence.")
                .append(
                        " Few labels, or labels with large weights, give wide ranges; recall is usually the least certain")
                .append(" because missed violations are only found by the audit sample. A number the labels cannot")
                .append(
                        " support at that confidence (for recall: fewer than three audited misses) is withheld, and the")
                .append(" report says why.\n");
    }

    private static final class Totals {
        long decisions;
        long automated;
        long afterReview;
        long tasks;
        long appeals;
        long overturned;
        final Map<String, Long> labels = new LinkedHashMap<>();

        void add(ComplianceReport r) {
            decisions += r.getDecisions();
            automated += r.getActionsAutomated();
            afterReview += r.getActionsAfterReview();
            tasks += r.getReviewTasks();
            appeals += r.getAppeals();
            overturned += r.getAppealsOverturned();
            r.getLabelsBySource().forEach((k, v) -> labels.merge(k, v, Long::sum));
        }
    }

    static String labels(Map<String, Long> bySource) {
        List<String> known = List.of(
                LabelAdjudicator.REVIEW,
                LabelAdjudicator.AUDIT,
                LabelAdjudicator.APPEAL,
                LabelAdjudicator.ADJUDICATION);
        StringBuilder s = new StringBuilder();
        for (String source : known) {
            if (!s.isEmpty()) {
                s.append(" / ");
            }
            s.append(count(bySource.getOrDefault(source, 0L)));
        }
        long other = 0;
        List<String> others = new ArrayList<>(bySource.keySet());
        others.removeAll(known);
        others.sort(Comparator.naturalOrder());
        for (String source : others) {
            other += bySource.get(source);
        }
        if (other != 0) {
            s.append(" (+").append(count(other)).append(" other)");
        }
        return s.toString();
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String estimate(Estimate e, boolean withheld) {
        if (e == null) {
            return withheld ? "withheld" : DASH;
        }
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", e.getValue(), e.getLower(), e.getUpper());
    }

    static String percent(Double share) {
        return share == null ? DASH : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** A duration in the largest unit that keeps it readable: ms, s, min, h or d. */
    static String duration(Long millis) {
        if (millis == null) {
            return DASH;
        }
        long ms = millis;
        if (ms < 1_000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1e3);
        }
        if (ms < 3_600_000) {
            return String.format(Locale.ROOT, "%.1f min", ms / 6e4);
        }
        if (ms < 172_800_000) {
            return String.format(Locale.ROOT, "%.1f h", ms / 3.6e6);
        }
        return String.format(Locale.ROOT, "%.1f d", ms / 8.64e7);
    }

    private static String trimPercent(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p);
    }
}
