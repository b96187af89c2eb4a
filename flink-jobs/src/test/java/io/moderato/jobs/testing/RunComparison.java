package io.moderato.jobs.testing;

import io.moderato.schemas.ComplianceReport;
import io.moderato.schemas.ConfigAudit;
import io.moderato.schemas.DeadLetter;
import io.moderato.schemas.DriftAlert;
import io.moderato.schemas.EnforcementAction;
import io.moderato.schemas.MetricSnapshot;
import io.moderato.schemas.ReviewLabel;
import io.moderato.schemas.ReviewTask;
import io.moderato.schemas.RiskDecision;
import io.moderato.schemas.TrainingExample;
import java.util.List;

/**
 * Every output of two runs of a job over the same input topics, compared with {@link OutputComparison}:
 * the reference run wrote to {@code <reference>.<topic>}, the other to {@code <other>.<topic>}
 * ({@link DetectionJobRun#writingTo}, {@link FeedbackJobRun#writingTo}). Each output is compared in
 * the order groups the job guarantees.
 */
public final class RunComparison {

    private RunComparison() {}

    /** The DetectionJob's outputs; {@code decisions} is how many decisions the other run must have committed. */
    public static List<OutputComparison.Report> detection(TopicScope run, String reference, String other, int decisions)
            throws Exception {
        List<Committed<RiskDecision>> otherDecisions =
                run.readCommitted(other + ".risk.decisions", RiskDecision.class, decisions);
        List<Committed<ReviewTask>> otherTasks = run.readCommitted(other + ".review.tasks", ReviewTask.class, 0);
        List<Committed<EnforcementAction>> otherActions =
                run.readCommitted(other + ".enforcement.actions", EnforcementAction.class, 0);
        List<Committed<ConfigAudit>> otherAudits = run.readCommitted(other + ".config.audit", ConfigAudit.class, 0);
        return List.of(
                OutputComparison.compare(
                        "risk.decisions",
                        run.readCommitted(reference + ".risk.decisions", RiskDecision.class, otherDecisions.size()),
                        otherDecisions,
                        OutputComparison::decision,
                        c -> c.value().getUserId() + " " + OutputComparison.writerOf(c.value())),
                OutputComparison.compare(
                        "review.tasks",
                        run.readCommitted(reference + ".review.tasks", ReviewTask.class, otherTasks.size()),
                        otherTasks,
                        OutputComparison::task,
                        c -> c.value().getQueue()),
                OutputComparison.compare(
                        "enforcement.actions",
                        run.readCommitted(
                                reference + ".enforcement.actions", EnforcementAction.class, otherActions.size()),
                        otherActions,
                        OutputComparison::action,
                        c -> c.value().getUserId()),
                OutputComparison.compare(
                        "config.audit",
                        run.readCommitted(reference + ".config.audit", ConfigAudit.class, otherAudits.size()),
                        otherAudits,
                        OutputComparison::audit,
                        c -> c.value().getPolicyId()),
                OutputComparison.compare(
                        "deadletter",
                        run.readCommitted(reference + ".deadletter", DeadLetter.class, 0),
                        run.readCommitted(other + ".deadletter", DeadLetter.class, 0),
                        DeadLetter::toString,
                        null));
    }

    /**
     * The FeedbackJob's outputs. Quality metrics are compared to 12 significant digits: their calibration
     * error and Brier score are sums of doubles in label arrival order, which two runs interleave differently.
     */
    public static List<OutputComparison.Report> feedback(TopicScope run, String reference, String other)
            throws Exception {
        List<Committed<TrainingExample>> examples =
                run.readCommitted(other + ".training.examples", TrainingExample.class, 1);
        List<Committed<MetricSnapshot>> snapshots =
                run.readCommitted(other + ".quality.metrics", MetricSnapshot.class, 1);
        List<Committed<ComplianceReport>> compliance =
                run.readCommitted(other + ".compliance.reports", ComplianceReport.class, 1);
        List<Committed<DriftAlert>> alerts = run.readCommitted(other + ".drift.alerts", DriftAlert.class, 0);
        return List.of(
                OutputComparison.compare(
                        "training.examples",
                        run.readCommitted(reference + ".training.examples", TrainingExample.class, examples.size()),
                        examples,
                        TrainingExample::toString,
                        c -> c.value().getContentId()),
                OutputComparison.compare(
                        "quality.metrics",
                        run.readCommitted(reference + ".quality.metrics", MetricSnapshot.class, snapshots.size()),
                        snapshots,
                        s -> OutputComparison.roundedDecimals(s.toString()),
                        c -> metricKey(c.value())),
                OutputComparison.compare(
                        "compliance.reports",
                        run.readCommitted(reference + ".compliance.reports", ComplianceReport.class, compliance.size()),
                        compliance,
                        ComplianceReport::toString,
                        c -> c.value().getPolicyId()),
                OutputComparison.compare(
                        "drift.alerts",
                        run.readCommitted(reference + ".drift.alerts", DriftAlert.class, alerts.size()),
                        alerts,
                        DriftAlert::toString,
                        c -> c.value().getPolicyId() + " " + c.value().getDetector()),
                OutputComparison.compare(
                        "review.labels.unmatched",
                        run.readCommitted(reference + ".review.labels.unmatched", ReviewLabel.class, 0),
                        run.readCommitted(other + ".review.labels.unmatched", ReviewLabel.class, 0),
                        ReviewLabel::toString,
                        c -> c.value().getContentId()),
                OutputComparison.compare(
                        "deadletter",
                        run.readCommitted(reference + ".deadletter", DeadLetter.class, 0),
                        run.readCommitted(other + ".deadletter", DeadLetter.class, 0),
                        DeadLetter::toString,
                        null));
    }

    /** The key of a metric snapshot's series: policy, model version, surface and window kind. */
    public static String metricKey(MetricSnapshot s) {
        return s.getPolicyId() + " " + s.getModelVersion() + " " + s.getSurface() + " " + s.getWindowKind();
    }
}
