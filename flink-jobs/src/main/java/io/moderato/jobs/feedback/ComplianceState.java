package io.moderato.jobs.feedback;

import io.moderato.udfs.feedback.ComplianceDay;

/** One policy × day in the compliance operator: the accumulator and when it was last reported. A Flink POJO. */
public class ComplianceState {

    public ComplianceDay day;
    /** The day's first report (at its end) went out. */
    public boolean reported;
    /** Changed since the last report. */
    public boolean dirty;
    /** Pending re-emission timer, 0 when none. */
    public long updateTimer;

    public ComplianceState() {}
}
