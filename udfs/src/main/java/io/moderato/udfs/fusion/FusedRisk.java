package io.moderato.udfs.fusion;

import io.moderato.schemas.Signal;
import java.util.List;

/**
 * The fused risk of one item for one policy, in [0, 1], with the inputs that contributed most,
 * largest absolute contribution first (ties by name).
 */
public record FusedRisk(double risk, List<Contribution> topSignals) {

    public FusedRisk {
        topSignals = List.copyOf(topSignals);
    }

    /** The top signals in their wire form, for {@code PolicyDecision.topSignals}. */
    public List<Signal> topSignalsAsAvro() {
        return topSignals.stream().map(Contribution::toSignal).toList();
    }
}
