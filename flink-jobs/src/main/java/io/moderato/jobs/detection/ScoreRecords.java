package io.moderato.jobs.detection;

import io.moderato.jobs.internal.ModelScore;
import io.moderato.jobs.internal.PackedFeatures;
import io.moderato.jobs.internal.ScoringProblem;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.vector.FeaturePacking;
import java.util.ArrayList;
import java.util.List;

/**
 * The scorer's plain-Java results as the records that cross the shuffle to the decider
 * ({@code ScoredContent}'s scores, packed features and problems), one to one, and back for the decider.
 */
final class ScoreRecords {

    private ScoreRecords() {}

    static List<ModelScore> scores(List<ContentScorer.Score> scores) {
        List<ModelScore> out = new ArrayList<>(scores.size());
        for (ContentScorer.Score s : scores) {
            out.add(new ModelScore(s.modality(), s.model(), s.version(), s.policy(), s.score(), s.shadow()));
        }
        return out;
    }

    static List<PackedFeatures> features(List<ContentScorer.CapturedInput> inputs) {
        List<PackedFeatures> out = new ArrayList<>(inputs.size());
        for (ContentScorer.CapturedInput in : inputs) {
            out.add(FeaturePacking.pack(in.modality(), in.model(), in.dimensions(), in.indices(), in.values()));
        }
        return out;
    }

    static List<ScoringProblem> problems(List<ContentScorer.Problem> problems) {
        List<ScoringProblem> out = new ArrayList<>(problems.size());
        for (ContentScorer.Problem p : problems) {
            out.add(new ScoringProblem(p.modality(), p.model(), p.reason()));
        }
        return out;
    }

    /** The scores as the decider reads them (the scorer's own terms): the inverse of {@link #scores}. */
    static List<ContentScorer.Score> fromScores(List<ModelScore> scores) {
        List<ContentScorer.Score> out = new ArrayList<>(scores.size());
        for (ModelScore s : scores) {
            out.add(new ContentScorer.Score(
                    s.getModality(), s.getModel(), s.getVersion(), s.getPolicyId(), s.getScore(), s.getShadow()));
        }
        return out;
    }

    /** The inverse of {@link #problems}. */
    static List<ContentScorer.Problem> fromProblems(List<ScoringProblem> problems) {
        List<ContentScorer.Problem> out = new ArrayList<>(problems.size());
        for (ScoringProblem p : problems) {
            out.add(new ContentScorer.Problem(p.getModality(), p.getModel(), p.getReason()));
        }
        return out;
    }
}
