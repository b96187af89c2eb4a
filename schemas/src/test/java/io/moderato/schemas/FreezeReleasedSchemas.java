package io.moderato.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Release-time tool: freezes the current schema of every topic record as
 * {@code src/test/resources/released/<Record>.v<N>.avsc}. A record unchanged since its latest frozen
 * version is skipped; an existing frozen file is never overwritten (released schemas are immutable).
 *
 * <p>Run from the repository root: {@code mvn -B -q -pl schemas test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.moderato.schemas.FreezeReleasedSchemas -Dexec.args=2}
 */
public final class FreezeReleasedSchemas {

    private FreezeReleasedSchemas() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: FreezeReleasedSchemas <version> [released-dir]");
        }
        int version = Integer.parseInt(args[0]);
        Path dir = args.length == 2 ? Path.of(args[1]) : defaultDirectory();
        Files.createDirectories(dir);
        for (Topic topic : Topic.values()) {
            String name = topic.schema().getName();
            String json = ReleasedSchemas.frozenJson(topic.schema());
            Path file = dir.resolve(name + ".v" + version + ".avsc");
            if (Files.exists(file)) {
                if (!Files.readString(file, StandardCharsets.UTF_8).equals(json)) {
                    throw new IllegalStateException(file + " is already frozen with different content; "
                            + "released schemas are immutable, freeze a new version instead");
                }
                continue;
            }
            Optional<String> latest = latestFrozen(dir, name, version);
            if (latest.isPresent() && latest.get().equals(json)) {
                System.out.println(name + ": unchanged since its latest frozen version, skipped");
                continue;
            }
            Files.writeString(file, json, StandardCharsets.UTF_8);
            System.out.println(name + ": frozen as " + file);
        }
    }

    private static Path defaultDirectory() {
        Path inModule = Path.of("src/test/resources/released");
        return Files.isDirectory(Path.of("src/main/avro"))
                ? inModule
                : Path.of("schemas").resolve(inModule);
    }

    private static Optional<String> latestFrozen(Path dir, String name, int below) throws IOException {
        for (int v = below - 1; v >= 1; v--) {
            Path f = dir.resolve(name + ".v" + v + ".avsc");
            if (Files.exists(f)) {
                return Optional.of(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
