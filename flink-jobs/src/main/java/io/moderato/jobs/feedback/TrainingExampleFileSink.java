package io.moderato.jobs.feedback;

import io.moderato.schemas.TrainingExample;
import io.moderato.udfs.io.TrainingExampleFiles;
import java.io.IOException;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.avro.AvroWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;

/**
 * Training examples on disk for offline retraining and tuning, in the layout of
 * {@link TrainingExampleFiles} (which also reads them back): a {@link FileSink} of Avro object
 * container files (flink-avro's {@link AvroWriters#forSpecificRecord} bulk format, the writer schema
 * embedded in every file). Parts roll at every checkpoint (a bulk
 * format can only be committed there, so files appear exactly once, when the checkpoint completes)
 * and when they reach {@code maxPartSize}. In-progress and pending parts are hidden dot-files.
 */
public final class TrainingExampleFileSink {

    private TrainingExampleFileSink() {}

    public static FileSink<TrainingExample> sink(String path, long maxPartSizeBytes) {
        return FileSink.forBulkFormat(new Path(path), AvroWriters.forSpecificRecord(TrainingExample.class))
                .withBucketAssigner(new ByPolicyAndDay())
                .withRollingPolicy(new RollOnCheckpointOrSize(maxPartSizeBytes))
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix(TrainingExampleFiles.PART_PREFIX)
                        .withPartSuffix(TrainingExampleFiles.PART_SUFFIX)
                        .build())
                .build();
    }

    /** {@code policy=<policyId>/day=<yyyy-MM-dd>}, the day of the decision's event time in UTC. */
    public static final class ByPolicyAndDay implements BucketAssigner<TrainingExample, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(TrainingExample example, Context context) {
            return TrainingExampleFiles.bucket(example);
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    /** Rolls at every checkpoint (required for exactly-once bulk files) and at a size limit. */
    public static final class RollOnCheckpointOrSize extends CheckpointRollingPolicy<TrainingExample, String> {

        private static final long serialVersionUID = 1L;
        private final long maxPartSizeBytes;

        public RollOnCheckpointOrSize(long maxPartSizeBytes) {
            this.maxPartSizeBytes = maxPartSizeBytes;
        }

        @Override
        public boolean shouldRollOnEvent(PartFileInfo<String> partFile, TrainingExample element) throws IOException {
            return partFile.getSize() >= maxPartSizeBytes;
        }

        @Override
        public boolean shouldRollOnProcessingTime(PartFileInfo<String> partFile, long currentTime) {
            return false;
        }
    }
}
