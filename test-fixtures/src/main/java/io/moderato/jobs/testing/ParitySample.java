package io.moderato.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The text-spam parity sample shipped with model-artifacts: real messages with the probability
 * the trainer (Tribuo) gave each. Tests pick texts by that independent probability, so expected
 * bands never come from the code under test.
 */
public final class ParitySample {

    public record Message(String id, String text, double trainerProbability) {}

    private ParitySample() {}

    public static List<Message> load() {
        ObjectMapper json = new ObjectMapper();
        List<Message> messages = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(
                        ParitySample.class.getClassLoader().getResourceAsStream("parity/text-spam-1.0.0.jsonl"),
                        "parity sample missing from the test classpath"),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode node = json.readTree(line);
                    messages.add(new Message(
                            node.get("id").asText(),
                            node.get("text").asText(),
                            node.get("expected").get("spam").asDouble()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return messages;
    }

    /** Messages whose trainer probability lies in [low, high). */
    public static List<Message> between(double low, double high) {
        return load().stream()
                .filter(m -> m.trainerProbability() >= low && m.trainerProbability() < high)
                .toList();
    }
}
