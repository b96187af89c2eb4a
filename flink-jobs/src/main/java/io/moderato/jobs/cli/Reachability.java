package io.moderato.jobs.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Checks, before a CLI starts work, that the broker and the schema registry answer — within a few
 * seconds, with one {@link TopicReader.Unreachable} line naming which one does not — instead of a
 * client's minute of silent retries or a page of stack trace.
 */
public final class Reachability {

    static final Duration TIMEOUT = Duration.ofSeconds(8);

    private Reachability() {}

    public static void requireBroker(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT.toMillis(),
                "socket.connection.setup.timeout.max.ms",
                5000))) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .clusterId()
                    .get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new TopicReader.Unreachable(
                    "Kafka at " + bootstrap + " is unreachable (no answer within " + TIMEOUT.toSeconds() + " s)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicReader.Unreachable("interrupted while reaching Kafka at " + bootstrap, e);
        }
    }

    /** An in-JVM {@code mock://} registry always answers; an HTTP one must answer {@code GET /subjects}. */
    public static void requireRegistry(String url) {
        if (url.startsWith("mock://")) {
            return;
        }
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/subjects"))
                            .timeout(TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new TopicReader.Unreachable(
                        "schema registry at " + url + " answered HTTP " + response.statusCode()
                                + " to GET /subjects (is it a Confluent-compatible URL?)",
                        null);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new TopicReader.Unreachable(
                    "schema registry at " + url + " is unreachable ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicReader.Unreachable("interrupted while reaching the schema registry at " + url, e);
        }
    }
}
