package io.moderato.jobs.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Confluent-compatible schema registry for the local stack and the ITCases: Apicurio
 * Registry 2.6 (in-memory storage, loopback only) in a child JVM, from the runner jar that Maven
 * unpacks from Maven Central ({@code scripts/moderato} and the failsafe build both do). The CLIs and
 * both jobs share it through {@link #url()}; {@link #close()} stops the child process.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** Where the Confluent API of Apicurio 2.x lives. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String url;
    private final Path log;
    private final long startupMillis;

    private ApicurioRegistry(Process process, String url, Path log, long startupMillis) {
        this.process = process;
        this.url = url;
        this.log = log;
        this.startupMillis = startupMillis;
    }

    /**
     * Starts the runner jar found in {@code dir} on a free loopback port ({@code port} 0) or on
     * {@code port}, and waits until the Confluent API answers. Its output goes to {@code dir/../apicurio-registry.log}.
     */
    public static ApicurioRegistry start(Path dir, int port) throws IOException, InterruptedException {
        Path runner;
        try (Stream<Path> files = Files.list(dir)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-runner.jar in " + dir));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Apicurio Registry is not unpacked in " + dir
                            + " (scripts/moderato unpacks it; so does 'mvn verify' in pre-integration-test)",
                    e);
        }
        int chosen = port > 0 ? port : freeLoopbackPort();
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        Path log = dir.toAbsolutePath().resolveSibling("apicurio-registry.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-Djava.io.tmpdir=" + tmp,
                // loopback only, on the port we picked
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + chosen,
                // defaults of the 2.6 runner, stated so that a changed default cannot reach out:
                // no authentication / OIDC server, no Kafka event sink, in-memory H2 storage
                "-Dregistry.auth.enabled=false",
                "-Dquarkus.oidc.tenant-enabled=false",
                "-Dregistry.events.kafka.config.bootstrap.servers=",
                "-Dquarkus.datasource.jdbc.url=jdbc:h2:mem:registry_db",
                "-jar",
                runner.getFileName().toString()));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        String url = "http://127.0.0.1:" + chosen + CCOMPAT_PATH;
        long deadline = start + STARTUP_TIMEOUT.toNanos();
        while (!isReady(url + "/subjects")) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Apicurio Registry exited with " + process.exitValue() + ":\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "Apicurio Registry not ready within " + STARTUP_TIMEOUT + ":\n" + tail(log));
            }
            Thread.sleep(100);
        }
        return new ApicurioRegistry(process, url, log, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** The Confluent-compatible URL to give serializers, CLIs and jobs. */
    public String url() {
        return url;
    }

    public Path log() {
        return log;
    }

    public long startupMillis() {
        return startupMillis;
    }

    /** True when {@code url} answers 200 within 2 s. */
    public static boolean isReady(String url) {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
