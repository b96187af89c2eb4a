package io.moderato.udfs.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro object container files as a Flink {@code FileSink} with an Avro bulk writer leaves them:
 * part files in bucket folders, with in-progress and pending parts hidden ({@code .}- or
 * {@code _}-prefixed). Shared by the tools that read job output from disk.
 */
public final class AvroContainerFiles {

    private static final byte[] MAGIC = {'O', 'b', 'j', 1};

    private AvroContainerFiles() {}

    /** True when {@code file} starts with the Avro container magic bytes {@code Obj\1}. */
    public static boolean isContainer(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /** {@code path} itself, or every visible regular file under the folder {@code path}, sorted. */
    public static List<Path> visibleFiles(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> visible(path.relativize(p)))
                    .sorted()
                    .toList();
        }
    }

    /** Every record of one container file, resolved to the reader class's current schema. */
    public static <T extends SpecificRecord> List<T> read(Path file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        try (DataFileReader<T> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            for (T record : reader) {
                out.add(record);
            }
        } catch (AvroRuntimeException e) {
            throw new IOException(
                    "cannot read " + type.getSimpleName() + " records from " + file.toAbsolutePath() + ": "
                            + e.getMessage(),
                    e);
        }
        return out;
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
