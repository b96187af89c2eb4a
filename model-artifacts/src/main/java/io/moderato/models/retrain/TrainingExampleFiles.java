package io.moderato.models.retrain;

import io.moderato.schemas.TrainingExample;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads {@link TrainingExample}s from Avro object container files, as a Flink {@code FileSink} with an
 * Avro bulk writer leaves them on disk: a folder (bucket sub-folders included) of part files, named
 * {@code .avro} or not. Files are recognised by the Avro magic bytes; hidden and {@code _}-prefixed files
 * (in-progress and pending parts, {@code _SUCCESS}) are skipped. Records written with an older
 * {@code TrainingExample} schema are resolved to the current one.
 */
public final class TrainingExampleFiles {

    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private TrainingExampleFiles() {
    }

    /** One record with where it was read from; {@code order} is its position across all files read. */
    public record Read(TrainingExample example, Path file, long order) {
    }

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
        List<Path> candidates;
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                candidates = walk.filter(Files::isRegularFile).filter(p -> visible(path.relativize(p))).sorted().toList();
            }
        } else {
            candidates = List.of(path);
        }
        List<Path> files = new ArrayList<>();
        for (Path file : candidates) {
            if (isAvroContainer(file)) {
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
            int before = out.size();
            try (DataFileReader<TrainingExample> reader = new DataFileReader<>(file.toFile(),
                    new SpecificDatumReader<>(TrainingExample.class))) {
                for (TrainingExample e : reader) {
                    out.add(new Read(e, file, out.size()));
                }
            } catch (AvroRuntimeException e) {
                throw new IOException("cannot read TrainingExample records from " + file.toAbsolutePath() + ": "
                        + e.getMessage(), e);
            }
            log.accept("read " + (out.size() - before) + " training examples from " + file);
        }
        return out;
    }

    /** Writes {@code examples} as one Avro container file (tests, tools; the FeedbackJob uses a file sink). */
    public static void write(Path file, List<TrainingExample> examples) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (DataFileWriter<TrainingExample> writer = new DataFileWriter<>(new SpecificDatumWriter<>(TrainingExample.class))) {
            writer.create(TrainingExample.getClassSchema(), file.toFile());
            for (TrainingExample e : examples) {
                writer.append(e);
            }
        }
    }

    private static boolean isAvroContainer(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(AVRO_MAGIC.length), AVRO_MAGIC);
        }
    }

    private static boolean visible(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return false;
            }
        }
        return true;
    }
}
