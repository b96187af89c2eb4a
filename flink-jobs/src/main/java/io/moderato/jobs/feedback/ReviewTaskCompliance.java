package io.moderato.jobs.feedback;

import io.moderato.schemas.ReviewReason;
import io.moderato.schemas.ReviewTask;
import io.moderato.udfs.feedback.ComplianceDay;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * One review task as compliance deltas: one per policy it was queued for ({@link ReviewTask#getReasons()}),
 * on the UTC day of the task's event time, counting the task ({@link ComplianceDay#addTask}).
 */
public final class ReviewTaskCompliance implements FlatMapFunction<ReviewTask, ComplianceDelta> {

    @Override
    public void flatMap(ReviewTask task, Collector<ComplianceDelta> out) {
        long day = ComplianceDay.dayStartMillis(task.getEventTimeMillis());
        for (ReviewReason reason : task.getReasons()) {
            out.collect(ComplianceDelta.of(reason.getPolicyId(), day, new ComplianceDay().addTask(task, reason)));
        }
    }
}
