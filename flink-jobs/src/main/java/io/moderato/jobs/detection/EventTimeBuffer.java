package io.moderato.jobs.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.TimerService;

/**
 * Holds a key's items in keyed state until the watermark passes their event time, one event-time
 * timer per distinct time, then hands out the items of that time in a fixed order — so what a keyed
 * function does with them does not depend on how its inputs interleaved. {@code P} is the state's
 * record holding the items of one time (an Avro record with a list of {@code T}).
 */
final class EventTimeBuffer<P, T> {

    private final MapState<Long, P> pending;
    private final Function<List<T>, P> wrap;
    private final Function<P, List<T>> items;
    private final Comparator<T> order;

    EventTimeBuffer(
            MapState<Long, P> pending, Function<List<T>, P> wrap, Function<P, List<T>> items, Comparator<T> order) {
        this.pending = pending;
        this.wrap = wrap;
        this.items = items;
        this.order = order;
    }

    /** Keeps {@code item} until the watermark passes {@code eventTime} (the caller handles late items). */
    void hold(long eventTime, T item, TimerService timers) throws Exception {
        P waiting = pending.get(eventTime);
        if (waiting == null) {
            waiting = wrap.apply(new ArrayList<>());
            timers.registerEventTimeTimer(eventTime);
        }
        items.apply(waiting).add(item);
        pending.put(eventTime, waiting);
    }

    /** The items held for {@code timestamp}, in order, removed from state; empty when none were (another timer). */
    List<T> release(long timestamp) throws Exception {
        P due = pending.get(timestamp);
        if (due == null) {
            return List.of();
        }
        pending.remove(timestamp);
        List<T> out = new ArrayList<>(items.apply(due));
        out.sort(order);
        return out;
    }
}
