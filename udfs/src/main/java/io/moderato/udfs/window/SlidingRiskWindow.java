package io.moderato.udfs.window;

import java.util.Arrays;

/**
 * A user's fused risks over a sliding event-time window, kept as buckets instead of items so that
 * state stays O(length / slide) however much the user posts.
 *
 * <p>Buckets are right-closed slide intervals on the epoch grid: an item at event time e belongs to
 * the bucket {@code (E − slide, E]} with {@code E = e} rounded up to a multiple of slide.
 * {@link #aggregate(long) aggregate(t)} covers every bucket that overlaps {@code (t − length, t]}
 * (bucket end E with {@code t − length < E ≤ t} rounded up): exactly the items in
 * {@code (t − length, t]} when t is on the grid, otherwise those plus the other items of the two
 * partly covered buckets (at most one slide more at either end).
 *
 * <p>Only buckets holding items are stored, oldest first, and only those within two window lengths
 * of the newest: aggregates stay exact for out-of-order items up to one window length behind the
 * newest one (far more than any watermark delay), and {@link #add} refuses an item two lengths
 * behind. Storing only occupied buckets keeps a typical user's state at a few dozen bytes — this
 * state is rewritten on every item, and its size is what a RocksDB checkpoint has to flush
 * synchronously (a dense ring of 2 × length / slide buckets made that flush stall the decider).
 *
 * <p>A Flink POJO (public no-arg constructor, public mutable fields, primitive arrays, no
 * collections), so it lives in keyed state per user and policy. Length must be a multiple of slide.
 */
public final class SlidingRiskWindow {

    public static final long DEFAULT_LENGTH_MILLIS = 15 * 60_000L;
    public static final long DEFAULT_SLIDE_MILLIS = 60_000L;
    /** Upper bound on length / slide, so that a mistyped option cannot blow up keyed state. */
    public static final int MAX_BUCKETS = 10_000;

    private static final long NO_BUCKET = Long.MIN_VALUE;

    public long lengthMillis;
    public long slideMillis;
    /** Ends of the occupied buckets, ascending; the other arrays are parallel to it. */
    public long[] bucketEnds;

    public int[] counts;
    public int[] borderlineCounts;
    public double[] riskSums;
    public double[] riskMaxes;

    /** 15-minute window sliding by 1 minute. */
    public SlidingRiskWindow() {
        this(DEFAULT_LENGTH_MILLIS, DEFAULT_SLIDE_MILLIS);
    }

    public SlidingRiskWindow(long lengthMillis, long slideMillis) {
        if (slideMillis <= 0 || lengthMillis <= 0 || lengthMillis % slideMillis != 0) {
            throw new IllegalArgumentException("window length " + lengthMillis
                    + " ms must be a positive multiple of slide " + slideMillis + " ms");
        }
        if (lengthMillis / slideMillis > MAX_BUCKETS) {
            throw new IllegalArgumentException(
                    "window length / slide = " + lengthMillis / slideMillis + " buckets must be <= " + MAX_BUCKETS);
        }
        this.lengthMillis = lengthMillis;
        this.slideMillis = slideMillis;
        bucketEnds = new long[0];
        counts = new int[0];
        borderlineCounts = new int[0];
        riskSums = new double[0];
        riskMaxes = new double[0];
    }

    /**
     * Adds an item. Returns false (and ignores it) when the item's bucket is at least two window
     * lengths older than the newest bucket; the job routes late items to its late path long before that.
     *
     * @throws IllegalArgumentException for a NaN risk
     */
    public boolean add(long eventTimeMillis, double risk, boolean borderline) {
        if (Double.isNaN(risk)) {
            throw new IllegalArgumentException("risk = NaN cannot enter the window");
        }
        long end = bucketEnd(eventTimeMillis);
        long latest = latestBucketEnd();
        if (latest != NO_BUCKET && end <= latest - spanMillis()) {
            return false;
        }
        int at = Arrays.binarySearch(bucketEnds, end);
        if (at < 0) {
            at = insert(-at - 1, end, risk);
            if (at == bucketEnds.length - 1) {
                at -= dropEndingAtOrBefore(end - spanMillis());
            }
        }
        counts[at]++;
        if (borderline) {
            borderlineCounts[at]++;
        }
        riskSums[at] += risk;
        riskMaxes[at] = Math.max(riskMaxes[at], risk);
        return true;
    }

    /** Aggregate over items with event time in (t - length, t], at bucket granularity (see the class doc). */
    public WindowRisk aggregate(long t) {
        long upper = bucketEnd(t);
        long lower = t - lengthMillis;
        int items = 0;
        int borderline = 0;
        double sum = 0.0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < bucketEnds.length; i++) {
            if (bucketEnds[i] > lower && bucketEnds[i] <= upper) {
                items += counts[i];
                borderline += borderlineCounts[i];
                sum += riskSums[i];
                max = Math.max(max, riskMaxes[i]);
            }
        }
        return items == 0 ? WindowRisk.EMPTY : new WindowRisk(max, sum / items, borderline, items);
    }

    /** Drops the buckets that can no longer be inside any window ending at or after t (bucket end ≤ t − length). */
    public void evictBefore(long t) {
        dropEndingAtOrBefore(t - lengthMillis);
    }

    /** True when no item is held (the job then clears the state and deletes its timer). */
    public boolean isEmpty() {
        return bucketEnds.length == 0;
    }

    /** End of the newest bucket holding items; {@code Long.MIN_VALUE} when empty. */
    public long latestBucketEnd() {
        return bucketEnds.length == 0 ? NO_BUCKET : bucketEnds[bucketEnds.length - 1];
    }

    /**
     * The earliest time t at which {@code evictBefore(t)} empties the window (latest bucket end +
     * length): the event-time timer to register for clean-up. {@code Long.MIN_VALUE} when empty.
     */
    public long emptyAt() {
        long latest = latestBucketEnd();
        return latest == NO_BUCKET ? NO_BUCKET : latest + lengthMillis;
    }

    /** The end of the bucket holding event time t: t rounded up to a multiple of slide. */
    public long bucketEnd(long t) {
        return -Math.floorDiv(-t, slideMillis) * slideMillis;
    }

    /** How far behind the newest bucket a bucket is still kept: two window lengths. */
    private long spanMillis() {
        return 2 * lengthMillis;
    }

    /** Inserts an empty bucket ending at {@code end} at index {@code at}; returns {@code at}. */
    private int insert(int at, long end, double risk) {
        int n = bucketEnds.length;
        bucketEnds = Arrays.copyOf(bucketEnds, n + 1);
        counts = Arrays.copyOf(counts, n + 1);
        borderlineCounts = Arrays.copyOf(borderlineCounts, n + 1);
        riskSums = Arrays.copyOf(riskSums, n + 1);
        riskMaxes = Arrays.copyOf(riskMaxes, n + 1);
        int tail = n - at;
        if (tail > 0) {
            System.arraycopy(bucketEnds, at, bucketEnds, at + 1, tail);
            System.arraycopy(counts, at, counts, at + 1, tail);
            System.arraycopy(borderlineCounts, at, borderlineCounts, at + 1, tail);
            System.arraycopy(riskSums, at, riskSums, at + 1, tail);
            System.arraycopy(riskMaxes, at, riskMaxes, at + 1, tail);
        }
        bucketEnds[at] = end;
        counts[at] = 0;
        borderlineCounts[at] = 0;
        riskSums[at] = 0.0;
        riskMaxes[at] = risk;
        return at;
    }

    /** Removes the buckets ending at or before {@code bound} (a prefix); returns how many. */
    private int dropEndingAtOrBefore(long bound) {
        int drop = 0;
        while (drop < bucketEnds.length && bucketEnds[drop] <= bound) {
            drop++;
        }
        if (drop > 0) {
            int n = bucketEnds.length;
            bucketEnds = Arrays.copyOfRange(bucketEnds, drop, n);
            counts = Arrays.copyOfRange(counts, drop, n);
            borderlineCounts = Arrays.copyOfRange(borderlineCounts, drop, n);
            riskSums = Arrays.copyOfRange(riskSums, drop, n);
            riskMaxes = Arrays.copyOfRange(riskMaxes, drop, n);
        }
        return drop;
    }
}
