package io.moderato.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The frozen, self-contained copies of released schemas under {@code src/test/resources/released},
 * named {@code <Record>.v<N>.avsc}, and the canonical JSON they are frozen as.
 */
final class ReleasedSchemas {

    static final String RESOURCE_DIR = "released";
    private static final Pattern FILE_NAME = Pattern.compile("([A-Z][A-Za-z0-9]*)\\.v([1-9][0-9]*)\\.avsc");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One frozen schema version. */
    record Released(String recordName, int version, Path file, Schema schema) {
        String label() {
            return recordName + " v" + version;
        }
    }

    private ReleasedSchemas() {}

    /** Every frozen schema on the test classpath, by record name then version. */
    static List<Released> all() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(f -> f.toString().endsWith(".avsc"))
                    .map(ReleasedSchemas::load)
                    .sorted(Comparator.comparing(Released::recordName).thenComparing(Released::version))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Frozen versions of one record, oldest first. */
    static List<Released> of(String recordName) {
        return all().stream().filter(r -> r.recordName().equals(recordName)).collect(Collectors.toList());
    }

    static Map<String, List<Released>> byRecord() {
        return all().stream().collect(Collectors.groupingBy(Released::recordName));
    }

    static Path directory() {
        URL url = ReleasedSchemas.class.getClassLoader().getResource(RESOURCE_DIR);
        if (url == null) {
            throw new IllegalStateException("no '" + RESOURCE_DIR + "' directory on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Released load(Path file) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalStateException(
                    "released schema file " + file.getFileName() + " is not named <Record>.v<N>.avsc");
        }
        try {
            Schema schema = new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
            return new Released(m.group(1), Integer.parseInt(m.group(2)), file, schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot parse released schema " + file.getFileName() + ": " + e, e);
        }
    }

    /**
     * The schema as frozen: self-contained (nested types inlined), docs and defaults kept, pretty-printed,
     * without the Java-only {@code avro.java.string} hints the code generator adds for {@code String}.
     */
    static String frozenJson(Schema schema) {
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            stripJavaHints(tree);
            return new Schema.Parser().parse(JSON.writeValueAsString(tree)).toString(true) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stripJavaHints(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("avro.java.string");
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            stripJavaHints(it.next());
        }
    }
}
