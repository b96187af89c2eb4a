package io.moderato.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.udfs.model.Modality;
import io.moderato.udfs.model.ModelManifest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test helper: the TEXT model versions the module ships (found on the classpath) and their parity samples. */
final class ShippedTextModels {

    private ShippedTextModels() {}

    /**
     * Every {@code models/<name>/<version>/manifest.json} of a TEXT model on the test classpath: the
     * moderato-model-resources jar in a reactor build, its target/classes folder in an IDE.
     */
    static List<ModelManifest> all() {
        URL root = ShippedTextModels.class.getClassLoader().getResource("models");
        if (root == null) {
            throw new IllegalStateException("no 'models' folder on the classpath");
        }
        List<ModelManifest> out = new ArrayList<>();
        try (FileSystem jar =
                        root.getProtocol().equals("jar") ? FileSystems.newFileSystem(root.toURI(), Map.of()) : null;
                Stream<Path> manifests =
                        Files.walk(jar != null ? jar.provider().getPath(root.toURI()) : Path.of(root.toURI()), 3)) {
            for (Path file : manifests
                    .filter(p -> p.getFileName().toString().equals("manifest.json"))
                    .sorted()
                    .toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    ModelManifest m = ModelManifest.read(in, file.toString());
                    if (m.modality() == Modality.TEXT) {
                        out.add(m);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The committed parity rows of a model version ({@code parity/<name>-<version>.jsonl}), or an empty list. */
    static List<JsonNode> parity(String name, String version) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        InputStream in = ShippedTextModels.class
                .getClassLoader()
                .getResourceAsStream("parity/" + name + "-" + version + ".jsonl");
        if (in == null) {
            return rows;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(json.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static String card(String name, String version) {
        try (InputStream in = ShippedTextModels.class
                .getClassLoader()
                .getResourceAsStream("models/" + name + "/" + version + "/MODEL_CARD.md")) {
            if (in == null) {
                throw new IllegalStateException("no MODEL_CARD.md for " + name + ":" + version);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
