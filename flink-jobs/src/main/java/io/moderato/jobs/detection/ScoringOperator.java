package io.moderato.jobs.detection;

import io.moderato.jobs.common.FlushingOperator;
import io.moderato.jobs.common.PolicyBook;
import io.moderato.jobs.internal.ScoredContent;
import io.moderato.schemas.ContentEvent;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.input.ContentFingerprint;
import io.moderato.udfs.model.ContentScorer;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.ScoringOptions;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Micro-batching ONNX scorer. Input 1: content events; input 2: the policy-config stream,
 * broadcast to every subtask, which chooses the models (hot swap without restart). Events are
 * buffered per subtask and scored together when the batch is full, when the oldest has waited
 * {@code maxWait} (a pre-publish event: {@code prepublishMaxWait}), before a checkpoint barrier,
 * before a watermark, and at end of input — so the buffer is always empty at a checkpoint and
 * nothing waits forever. Configs arrive already accepted by the config gate (which loaded every
 * model they name); they are kept in union operator state,
 * so a restored job loads the models of the last configs whose models loaded — and a model that
 * still fails keeps the version in use, or, with none, makes its modality a scoring problem on
 * every item that carries it (the decider fails safe), never a silent gap.
 *
 * <p>Side output {@link DetectionState#PREPUBLISH_VERDICTS}: as soon as a pre-publish item is scored,
 * its verdict from the item alone under the configs in force ({@link PrepublishVerdicts}), for a
 * publishing service that cannot wait for the decider's event-time order and the exactly-once commit.
 */
public final class ScoringOperator extends FlushingOperator<ScoredContent>
        implements TwoInputStreamOperator<ContentEvent, PolicyConfig, ScoredContent>, BoundedMultiInput {

    private final Batching batching;
    private final String modelsDir;
    private final int intraOpThreads;
    private final List<PolicyConfig> defaults;
    private final boolean captureFeatures;

    private transient PolicyBook policies;
    private transient ListState<PolicyConfig> configState;
    private transient ModelRegistry registry;
    private transient ContentScorer scorer;
    private transient PrepublishVerdicts prepublishVerdicts;
    private transient List<StreamRecord<ContentEvent>> buffer;
    private transient List<Long> ingestTimes;
    private transient long bufferDeadline;
    private transient Histogram batchSizes;
    private transient Histogram batchLatencyMillis;
    private transient Counter modelLoadFailures;
    private transient Counter eventsScored;

    /**
     * When a batch is scored: at {@code maxSize} events, or when its oldest event has waited {@code maxWaitMillis},
     * or a pre-publish event {@code prepublishMaxWaitMillis} (0: at once), whichever comes first.
     */
    public record Batching(int maxSize, long maxWaitMillis, long prepublishMaxWaitMillis) implements Serializable {
        public Batching {
            if (maxSize < 1 || maxWaitMillis < 1 || prepublishMaxWaitMillis < 0) {
                throw new IllegalArgumentException("batching needs maxSize >= 1, maxWaitMillis >= 1 and "
                        + "prepublishMaxWaitMillis >= 0, got " + maxSize + ", " + maxWaitMillis + ", "
                        + prepublishMaxWaitMillis);
            }
        }
    }

    public ScoringOperator(
            Batching batching,
            String modelsDir,
            int intraOpThreads,
            List<PolicyConfig> defaults,
            boolean captureFeatures) {
        this.captureFeatures = captureFeatures;
        this.batching = batching;
        this.modelsDir = modelsDir;
        this.intraOpThreads = intraOpThreads;
        this.defaults = List.copyOf(defaults);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        configState = context.getOperatorStateStore()
                .getUnionListState(
                        new ListStateDescriptor<>("scoring-policy-configs", new AvroTypeInfo<>(PolicyConfig.class)));
        policies = new PolicyBook(defaults);
        for (PolicyConfig restored : configState.get()) {
            policies.restore(restored);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        ModelSource source =
                modelsDir == null ? ModelSource.classpath("models") : ModelSource.directory(Path.of(modelsDir));
        registry = ModelRegistry.open(source, new ScoringOptions(intraOpThreads));
        scorer = new ContentScorer(registry);
        prepublishVerdicts = new PrepublishVerdicts();
        buffer = new ArrayList<>(batching.maxSize());
        ingestTimes = new ArrayList<>(batching.maxSize());
        var metrics = getMetricGroup();
        batchSizes = metrics.histogram("scoringBatchSize", new DescriptiveStatisticsHistogram(1024));
        batchLatencyMillis = metrics.histogram("scoringBatchLatencyMillis", new DescriptiveStatisticsHistogram(1024));
        modelLoadFailures = metrics.counter("modelLoadFailures");
        eventsScored = metrics.counter("eventsScored");
        metrics.gauge("invalidEmbeddings", () -> scorer.invalidEmbeddings());
        // wanted models with no loaded version: their modalities fail safe to review (alert on > 0)
        metrics.gauge("modelsNotLoaded", () -> scorer.missingModels());
        switchModels();
    }

    @Override
    public void processElement1(StreamRecord<ContentEvent> element) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ingestTimes.add(now);
        boolean wasEmpty = buffer.isEmpty();
        buffer.add(element);
        if (buffer.size() >= batching.maxSize()) {
            flush();
        } else if (element.getValue().getPrePublish()) {
            // a publishing service waits for this item's verdict: a short wait only
            if (batching.prepublishMaxWaitMillis() == 0) {
                flush();
            } else if (wasEmpty || now + batching.prepublishMaxWaitMillis() < bufferDeadline) {
                flushAt(now + batching.prepublishMaxWaitMillis());
            }
        } else if (wasEmpty) {
            flushAt(now + batching.maxWaitMillis());
        }
    }

    /** Flushes the buffer at {@code deadline} unless it was flushed or given an earlier deadline before. */
    private void flushAt(long deadline) {
        bufferDeadline = deadline;
        getProcessingTimeService().registerTimer(deadline, time -> {
            if (!buffer.isEmpty() && bufferDeadline == deadline) {
                flush();
            }
        });
    }

    @Override
    public void processElement2(StreamRecord<PolicyConfig> element) throws Exception {
        if (policies.offer(element.getValue()).accepted()) {
            // events already buffered were received under the old models: score them first
            flush();
            switchModels();
        }
    }

    private void switchModels() {
        List<String> problems = scorer.use(ContentScorer.wanted(policies.current()));
        modelLoadFailures.inc(problems.size());
    }

    /** Scores and emits the whole buffer: an event-time bound changes nothing, every buffered event must go. */
    @Override
    protected void flush(long upTo) {
        flush();
    }

    private void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        List<ContentEvent> events = new ArrayList<>(buffer.size());
        for (StreamRecord<ContentEvent> r : buffer) {
            events.add(r.getValue());
        }
        List<ContentScorer.Scored> scored = scorer.score(events, captureFeatures);
        long scoredAt = getProcessingTimeService().getCurrentProcessingTime();
        for (int i = 0; i < buffer.size(); i++) {
            StreamRecord<ContentEvent> record = buffer.get(i);
            ContentScorer.Scored s = scored.get(i);
            if (record.getValue().getPrePublish()) {
                // first, so the verdict leaves before the item queues for the decider
                output.collect(
                        DetectionState.PREPUBLISH_VERDICTS,
                        new StreamRecord<>(
                                prepublishVerdicts.verdict(
                                        record.getValue(), s.scores(), s.problems(), policies.current(), scoredAt),
                                record.getTimestamp()));
            }
            output.collect(new StreamRecord<>(
                    ScoredContent.newBuilder()
                            .setEvent(withoutBodies(record.getValue()))
                            .setScores(ScoreRecords.scores(s.scores()))
                            .setFeatures(ScoreRecords.features(s.features()))
                            .setFeaturesOmitted(s.featuresOmitted())
                            .setProblems(ScoreRecords.problems(s.problems()))
                            .setContentHash(ContentFingerprint.of(record.getValue()))
                            .setIngestMillis(ingestTimes.get(i))
                            .build(),
                    record.getTimestamp()));
        }
        ingestTimes.clear();
        bufferDeadline = Long.MAX_VALUE;
        batchSizes.update(buffer.size());
        batchLatencyMillis.update((System.nanoTime() - started) / 1_000_000);
        eventsScored.inc(buffer.size());
        buffer.clear();
    }

    /**
     * The event minus what was scored (text, transcript, embeddings): downstream decides on the
     * scores and the metadata, and the bodies — most of an event's bytes — need not cross the shuffle.
     */
    static ContentEvent withoutBodies(ContentEvent event) {
        return new ContentEvent(
                event.getContentId(),
                event.getUserId(),
                event.getSurface(),
                event.getLocale(),
                event.getReachEstimate(),
                event.getEventTimeMillis(),
                event.getPrePublish(),
                null,
                null,
                null,
                null,
                null,
                event.getAttributes());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        configState.update(new ArrayList<>(policies.submitted()));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flush();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (scorer != null) {
                scorer.close();
            }
            if (registry != null) {
                registry.close();
            }
        } finally {
            super.close();
        }
    }

    Map<ContentScorer.Slot, String> modelsInUse() {
        return scorer.inUse();
    }
}
