package io.moderato.udfs.io;

import io.moderato.schemas.TrainingExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The on-disk layout of training examples, written by the FeedbackJob's file sink and read by
 * retraining and tuning: Avro object container files in buckets {@link #bucket} =
 * {@code policy=<policyId>/day=<yyyy-MM-dd>} (the decision's UTC event day), parts named
 * {@code training-examples-<uuid>-<subtask>-<n>.avro} ({@link #PART_PREFIX}, {@link #PART_SUFFIX}).
 *
 * <p>Reading takes a folder (bucket sub-folders included) of part files, named {@code .avro} or not. Files are recognised by the Avro magic bytes; hidden and {@code _}-prefixed files
 * (in-progress and pending parts, {@code _SUCCESS}) are skipped. Records written with an older
 * {@code TrainingExample} schema are resolved to the current one.
 */
public final class TrainingExampleFiles {

    /** Prefix of every part file the FeedbackJob writes. */
    public static final String PART_PREFIX = "training-examples";
    /** Suffix of every part file the FeedbackJob writes. */
    public static final String PART_SUFFIX = ".avro";

    private TrainingExampleFiles() {}

    /** {@code policy=<policyId>/day=<yyyy-MM-dd>}, the day of the decision's event time in UTC. */
    public static String bucket(TrainingExample example) {
        String day = Instant.ofEpochMilli(example.getEventTimeMillis())
                .atZone(ZoneOffset.UTC)
                .toLocalDate()
                .toString();
        return "policy=" + pathSafe(example.getPolicyId()) + "/day=" + day;
    }

    /** Policy ids are data: keep them path-safe. */
    static String pathSafe(String id) {
        return id.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** One record with where it was read from; {@code order} is its position across all files read. */
    public record Read(TrainingExample example, Path file, long order) {}

    /**
     * The Avro container files under {@code path} (or {@code path} itself), sorted by path.
     *
     * @throws IOException when {@code path} does not exist, a {@code .avro} file is not an Avro container, or
     *                     no Avro container file is found
     */
    public static List<Path> containerFiles(Path path, Consumer<String> log) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("no such file or folder: " + path.toAbsolutePath());
        }
        List<Path> files = new ArrayList<>();
        for (Path file : AvroContainerFiles.visibleFiles(path)) {
            if (AvroContainerFiles.isContainer(file)) {
                files.add(file);
            } else if (file.getFileName().toString().endsWith(".avro") || !Files.isDirectory(path)) {
                throw new IOException(file.toAbsolutePath() + " is not an Avro container file (no 'Obj\\1' header)");
            } else {
                log.accept("skipping " + file + ": not an Avro container file");
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no Avro container files of TrainingExample records under " + path.toAbsolutePath());
        }
        return files;
    }

    /** Every record of every container file under the given paths, in path order then file order. */
    public static List<Read> read(List<Path> paths, Consumer<String> log) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            for (Path f : containerFiles(p, log)) {
                if (!files.contains(f)) {
                    files.add(f);
                }
            }
        }
        List<Read> out = new ArrayList<>();
        for (Path file : files) {
            List<TrainingExample> examples = AvroContainerFiles.read(file, TrainingExample.class);
            for (TrainingExample e : examples) {
                out.add(new Read(e, file, out.size()));
            }
            log.accept("read " + examples.size() + " training examples from " + file);
        }
        return out;
    }

    /** Writes {@code examples} as one Avro container file (tests, tools; the FeedbackJob uses a file sink). */
    public static void write(Path file, List<TrainingExample> examples) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (DataFileWriter<TrainingExample> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(TrainingExample.class))) {
            writer.create(TrainingExample.getClassSchema(), file.toFile());
            for (TrainingExample e : examples) {
                writer.append(e);
            }
        }
    }
}
