package io.moderato.udfs.fusion;

import io.moderato.schemas.Signal;

/**
 * One input's contribution to a fused risk, in the fusion strategy's own units (see
 * {@link RiskFuser}); positive pushes towards violating. {@code name} is a modality or a context
 * feature name, the same names used as keys of {@code PolicyConfig.fusionWeights}.
 */
public record Contribution(String name, double contribution) {

    /** The wire form ({@code PolicyDecision.topSignals} element). */
    public Signal toSignal() {
        return new Signal(name, contribution);
    }
}
