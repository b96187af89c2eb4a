package io.moderato.udfs.model;

/**
 * ONNX Runtime session settings. One intra-op thread by default: Flink already runs one scorer per
 * task slot, so more threads per session would oversubscribe the cores.
 */
public record ScoringOptions(int intraOpThreads) {

    public static final ScoringOptions DEFAULTS = new ScoringOptions(1);

    public ScoringOptions {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("scoring.intra-op-threads must be >= 1, got " + intraOpThreads);
        }
    }
}
