package io.moderato.jobs.common;

import io.moderato.schemas.PolicyConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.BroadcastState;

/**
 * A {@link PolicyBook} kept in step with an operator's broadcast state of accepted configs: after a
 * (re)start it is loaded from that state once, before it is first read, and every config the book
 * accepts is stored there. The operators that read policy configs downstream of the config gate
 * (the decider, the quality metrics) share this instead of each keeping the same few lines.
 */
public final class BroadcastPolicyBook {

    private final PolicyBook book;
    private final Consumer<PolicyConfig> onAccepted;
    private boolean loaded;

    /** @param onAccepted called for every config restored or accepted (e.g. to register a gauge) */
    public BroadcastPolicyBook(List<PolicyConfig> defaults, Consumer<PolicyConfig> onAccepted) {
        this.book = new PolicyBook(defaults);
        this.onAccepted = onAccepted;
    }

    /** The book, loaded from {@code accepted} (the broadcast state's entries) if this is its first read. */
    public PolicyBook loaded(Iterable<Map.Entry<String, PolicyConfig>> accepted) {
        if (!loaded) {
            // after a restore the broadcast state holds what was accepted before
            for (Map.Entry<String, PolicyConfig> entry : accepted) {
                book.restore(entry.getValue());
                onAccepted.accept(entry.getValue());
            }
            loaded = true;
        }
        return book;
    }

    /** The book as loaded so far: read it after {@link #loaded} in the same call. */
    public PolicyBook book() {
        return book;
    }

    /** Offers {@code config} to the book (which keeps only the newest per policy); stores it if accepted. */
    public void offer(PolicyConfig config, BroadcastState<String, PolicyConfig> state) throws Exception {
        loaded(state.immutableEntries());
        if (book.offer(config).accepted()) {
            state.put(config.getPolicyId(), config);
            onAccepted.accept(config);
        }
    }
}
