package io.moderato.udfs.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Where model files live: {@code <root>/<name>/<version>/manifest.json} plus the graph files the
 * manifest names. Either a directory on disk or a prefix on the classpath (models shipped inside
 * a job jar).
 */
public interface ModelSource {

    /** Opens {@code <name>/<version>/<file>}; throws {@link FileNotFoundException} naming it when absent. */
    InputStream open(String name, String version, String file) throws IOException;

    /** A human-readable location of the file, used in error messages. */
    String describe(String name, String version, String file);

    /** The versions of model {@code name} this source holds, sorted; empty when it cannot list them. */
    List<String> versions(String name);

    static ModelSource directory(Path root) {
        return new Directory(root);
    }

    static ModelSource classpath(String prefix) {
        return new Classpath(prefix, ModelSource.class.getClassLoader());
    }

    /** Models on disk under a root folder. */
    record Directory(Path root) implements ModelSource {
        public Directory {
            Objects.requireNonNull(root, "root");
        }

        @Override
        public InputStream open(String name, String version, String file) throws IOException {
            Path path = root.resolve(name).resolve(version).resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new FileNotFoundException(path.toAbsolutePath().toString());
            }
            return Files.newInputStream(path);
        }

        @Override
        public String describe(String name, String version, String file) {
            return root.resolve(name)
                    .resolve(version)
                    .resolve(file)
                    .toAbsolutePath()
                    .toString();
        }

        @Override
        public List<String> versions(String name) {
            return new Directory(root.resolve(name)).versionsIn();
        }

        /** Sub-folders of {@code root} that hold a manifest. */
        List<String> versionsIn() {
            Path dir = root;
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> children = Files.list(dir)) {
                return children.filter(p -> Files.isRegularFile(p.resolve("manifest.json")))
                        .map(p -> p.getFileName().toString())
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
    }

    /** Models as classpath resources under a prefix, e.g. {@code models/text-spam/1.0.0/manifest.json}. */
    record Classpath(String prefix, ClassLoader loader) implements ModelSource {
        public Classpath {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(loader, "loader");
            prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        }

        @Override
        public InputStream open(String name, String version, String file) throws IOException {
            String resource = resource(name, version, file);
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new FileNotFoundException("classpath:" + resource);
            }
            return in;
        }

        @Override
        public String describe(String name, String version, String file) {
            return "classpath:" + resource(name, version, file);
        }

        @Override
        public List<String> versions(String name) {
            String folder = prefix + "/" + name + "/";
            TreeSet<String> versions = new TreeSet<>();
            try {
                Enumeration<URL> urls = loader.getResources(folder);
                while (urls.hasMoreElements()) {
                    URL url = urls.nextElement();
                    if ("file".equals(url.getProtocol())) {
                        versions.addAll(new Directory(Path.of(url.toURI())).versionsIn());
                    } else if ("jar".equals(url.getProtocol())) {
                        JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile();
                        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                            String entry = e.nextElement().getName();
                            if (entry.startsWith(folder) && entry.endsWith("/manifest.json")) {
                                String rest =
                                        entry.substring(folder.length(), entry.length() - "/manifest.json".length());
                                if (!rest.contains("/")) {
                                    versions.add(rest);
                                }
                            }
                        }
                    }
                }
            } catch (IOException | URISyntaxException e) {
                return List.copyOf(versions);
            }
            return List.copyOf(versions);
        }

        private String resource(String name, String version, String file) {
            return prefix + "/" + name + "/" + version + "/" + file;
        }
    }
}
