package io.moderato.jobs.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * A single-node Kafka (KRaft, combined broker + controller) inside this JVM: the embedded default of
 * the local stack and the broker of the ITCases. {@link #createTopics} also works against any
 * external cluster and returns only once every partition has a leader that answers.
 */
public final class LocalKafka implements AutoCloseable {

    /**
     * Kafka's test kit deletes its log dirs from JVM shutdown hooks. Run beside a broker that is still up (Ctrl-C
     * on the local stack: the jobs are being cancelled), the broker lost its log dirs and halted the JVM with
     * exit code 1 half-way through the stack's shutdown. The hooks run when the broker is closed instead.
     */
    private static final List<Runnable> DEFERRED_CLEANUP = new CopyOnWriteArrayList<>();

    static {
        Exit.setShutdownHookAdder((name, hook) -> DEFERRED_CLEANUP.add(hook));
    }

    private final KafkaClusterTestKit cluster;

    private LocalKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts a fresh single-node cluster (about 1.5 s); its log dirs are temporary. */
    public static LocalKafka start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "2")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new LocalKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates {@code topics} (compacted where {@code compacted} names them, each with {@code settings}); existing
     * topics are left as they are.
     */
    public static void createTopics(
            String bootstrap, int partitions, List<String> topics, List<String> compacted, Map<String, String> settings)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                Map<String, String> configs = new HashMap<>(settings);
                if (compacted.contains(topic)) {
                    configs.put("cleanup.policy", "compact");
                }
                NewTopic t = new NewTopic(topic, partitions, (short) 1).configs(configs);
                newTopics.add(t);
            }
            for (var entry : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + entry.getKey() + " on " + bootstrap + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics);
        }
    }

    /**
     * The controller acknowledges a new topic before the broker leads its partitions; a producer
     * that writes in that gap gets NOT_LEADER_OR_FOLLOWER, and its retried first batch can land
     * behind later ones as OUT_OF_ORDER_SEQUENCE_NUMBER — the batch is then lost.
     */
    private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, org.apache.kafka.clients.admin.TopicDescription> described;
            try {
                described = admin.describeTopics(topics).allTopicNames().get();
            } catch (ExecutionException e) {
                // just created: the broker's metadata may not know the topic yet
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
                continue;
            }
            boolean ready = described.values().stream()
                    .allMatch(d -> !d.partitions().isEmpty()
                            && d.partitions().stream()
                                    .allMatch(p -> p.leader() != null
                                            && !p.leader().isEmpty()
                                            && !p.isr().isEmpty()));
            if (ready) {
                // ListOffsets is answered only by the partition's leader replica, not the metadata cache
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                described.forEach((topic, d) -> d.partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
                try {
                    admin.listOffsets(latest).all().get();
                    return;
                } catch (ExecutionException e) {
                    // metadata names a leader before the broker hosts the partition: ask again
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topics + " have no leader after 30 s: " + described);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
        for (Runnable cleanup : DEFERRED_CLEANUP) {
            DEFERRED_CLEANUP.remove(cleanup);
            cleanup.run();
        }
    }
}
