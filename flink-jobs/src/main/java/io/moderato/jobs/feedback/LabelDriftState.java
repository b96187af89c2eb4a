package io.moderato.jobs.feedback;

import io.moderato.udfs.drift.Adwin;
import io.moderato.udfs.drift.PageHinkley;

/**
 * The label-based change detectors of one policy × model version (all surfaces): ADWIN and
 * Page-Hinkley on the error indicator (label ≠ auto-action) and on the positive indicator (label),
 * fed with each item's first review-sample verdict. They watch one policy config version: an item
 * decided under a newer version resets them (a threshold or audit-rate change alone shifts both
 * rates of reviewed items), items decided under an older one are skipped. A Flink POJO.
 */
public class LabelDriftState {

    public long configVersion = Long.MIN_VALUE;
    public Adwin errorAdwin;
    public Adwin positiveAdwin;
    public PageHinkley errorPageHinkley;
    public PageHinkley positivePageHinkley;
    /** Event-time span (decision times) of the items fed since the last reset. */
    public long firstEventTimeMillis = Long.MAX_VALUE;

    public long lastEventTimeMillis = Long.MIN_VALUE;
    public long items;

    public LabelDriftState() {}

    /** Fresh detectors watching {@code version}. */
    public static LabelDriftState watching(long version, QualityMetricsFunction.LabelDrift settings) {
        LabelDriftState state = new LabelDriftState();
        state.configVersion = version;
        state.errorAdwin = new Adwin(settings.adwinDelta());
        state.positiveAdwin = new Adwin(settings.adwinDelta());
        // errors matter when they rise; the positive rate (prevalence among reviewed items) either way
        state.errorPageHinkley = new PageHinkley(
                settings.phDelta(),
                settings.phLambda(),
                PageHinkley.DEFAULT_ALPHA,
                PageHinkley.DEFAULT_MIN_INSTANCES,
                false);
        state.positivePageHinkley = new PageHinkley(
                settings.phDelta(),
                settings.phLambda(),
                PageHinkley.DEFAULT_ALPHA,
                PageHinkley.DEFAULT_MIN_INSTANCES,
                true);
        return state;
    }

    public void observed(long eventTimeMillis) {
        items++;
        firstEventTimeMillis = Math.min(firstEventTimeMillis, eventTimeMillis);
        lastEventTimeMillis = Math.max(lastEventTimeMillis, eventTimeMillis);
    }
}
