package io.moderato.udfs.window;

import java.util.Arrays;

/**
 * A user's fused risks over a sliding event-time window, kept as fixed-size buckets instead of
 * items so that state stays O(length / slide) however much the user posts.
 *
 * <p>Buckets are right-closed slide intervals on the epoch grid: an item at event time e belongs to
 * the bucket {@code (E − slide, E]} with {@code E = e} rounded up to a multiple of slide.
 * {@link #aggregate(long) aggregate(t)} covers every bucket that overlaps {@code (t − length, t]}
 * (bucket end E with {@code t − length < E ≤ t} rounded up): exactly the items in
 * {@code (t − length, t]} when t is on the grid, otherwise those plus the other items of the two
 * partly covered buckets (at most one slide more at either end).
 *
 * <p>The ring holds two window lengths of buckets, so aggregates stay exact for out-of-order items
 * up to one window length behind the newest one (far more than any watermark delay);
 * {@link #add} refuses an item two lengths behind.
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
    /** Ring of 2 × length / slide buckets; slot = (end / slide) mod size. {@code Long.MIN_VALUE} = unused. */
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
            throw new IllegalArgumentException("window length " + lengthMillis + " ms must be a positive multiple of slide "
                    + slideMillis + " ms");
        }
        if (lengthMillis / slideMillis > MAX_BUCKETS) {
            throw new IllegalArgumentException("window length / slide = " + lengthMillis / slideMillis
                    + " buckets must be <= " + MAX_BUCKETS);
        }
        this.lengthMillis = lengthMillis;
        this.slideMillis = slideMillis;
        // two lengths: a query up to one length behind the newest bucket still finds all its buckets
        int n = (int) (2 * (lengthMillis / slideMillis));
        bucketEnds = new long[n];
        Arrays.fill(bucketEnds, NO_BUCKET);
        counts = new int[n];
        borderlineCounts = new int[n];
        riskSums = new double[n];
        riskMaxes = new double[n];
    }

    /**
     * Adds an item. Returns false (and ignores it) when the item's bucket is at least two window
     * lengths older than the newest bucket, because its slot holds newer data; the job routes late
     * items to its late side output long before that.
     *
     * @throws IllegalArgumentException for a NaN risk
     */
    public boolean add(long eventTimeMillis, double risk, boolean borderline) {
        if (Double.isNaN(risk)) {
            throw new IllegalArgumentException("risk = NaN cannot enter the window");
        }
        long end = bucketEnd(eventTimeMillis);
        long latest = latestBucketEnd();
        if (latest != NO_BUCKET && end <= latest - ringMillis()) {
            return false;
        }
        int slot = slot(end);
        if (bucketEnds[slot] != end) {
            // the slot is free or holds a bucket a whole ring older, which no window near this item covers
            clear(slot);
            bucketEnds[slot] = end;
            riskMaxes[slot] = risk;
        }
        counts[slot]++;
        if (borderline) {
            borderlineCounts[slot]++;
        }
        riskSums[slot] += risk;
        riskMaxes[slot] = Math.max(riskMaxes[slot], risk);
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
            if (counts[i] > 0 && bucketEnds[i] > lower && bucketEnds[i] <= upper) {
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
        long lower = t - lengthMillis;
        for (int i = 0; i < bucketEnds.length; i++) {
            if (bucketEnds[i] != NO_BUCKET && bucketEnds[i] <= lower) {
                clear(i);
            }
        }
    }

    /** True when no item is held (the job then clears the state and deletes its timer). */
    public boolean isEmpty() {
        for (int c : counts) {
            if (c > 0) {
                return false;
            }
        }
        return true;
    }

    /** End of the newest bucket holding items; {@code Long.MIN_VALUE} when empty. */
    public long latestBucketEnd() {
        long latest = NO_BUCKET;
        for (int i = 0; i < bucketEnds.length; i++) {
            if (counts[i] > 0) {
                latest = Math.max(latest, bucketEnds[i]);
            }
        }
        return latest;
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

    private long ringMillis() {
        return bucketEnds.length * slideMillis;
    }

    private int slot(long bucketEnd) {
        return (int) Math.floorMod(Math.floorDiv(bucketEnd, slideMillis), (long) bucketEnds.length);
    }

    private void clear(int slot) {
        bucketEnds[slot] = NO_BUCKET;
        counts[slot] = 0;
        borderlineCounts[slot] = 0;
        riskSums[slot] = 0.0;
        riskMaxes[slot] = 0.0;
    }
}
