package io.moderato.jobs.testing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A sink that collects into a JVM-wide queue (MiniCluster runs in the test JVM). Each instance has
 * its own queue, found by id, so the sink itself stays serializable.
 */
public final class CollectingSink<T> implements Sink<T> {

    private static final Map<String, ConcurrentLinkedQueue<Object>> QUEUES = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        QUEUES.put(id, new ConcurrentLinkedQueue<>());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        ConcurrentLinkedQueue<Object> queue = QUEUES.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    @SuppressWarnings("unchecked")
    public List<T> values() {
        return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) QUEUES.get(id));
    }

    public void clear() {
        QUEUES.get(id).clear();
    }
}
