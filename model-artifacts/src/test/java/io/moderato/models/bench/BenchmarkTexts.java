package io.moderato.models.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.data.YouTubeComments;
import io.moderato.models.text.SpamCorpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts the benchmarks score: the full SpamAssassin training groups when the corpus has been
 * fetched (system property {@code moderato.corpus}, default {@code data/spam-assassin}), else the
 * committed parity sample (real messages, cut at 2,000 chars); and short texts: the committed Davidson tweets and
 * YouTube comments (system property {@code moderato.data}, default {@code model-artifacts/data}).
 */
public final class BenchmarkTexts {

    private BenchmarkTexts() {}

    public record Texts(String origin, List<String> texts) {
        public double meanChars() {
            return texts.stream().mapToInt(String::length).average().orElse(0);
        }
    }

    public static Texts load() {
        Path corpus = Path.of(System.getProperty("moderato.corpus", "data/spam-assassin"));
        if (Files.isDirectory(corpus.resolve("package").resolve("data").resolve("spam-1"))) {
            List<String> texts = SpamCorpus.load(corpus, List.of("easy-ham-1", "spam-1"), progress -> {}).stream()
                    .map(SpamCorpus.Message::text)
                    .toList();
            return new Texts("SpamAssassin easy-ham-1 + spam-1, as the trainer reads them", interleave(texts));
        }
        return new Texts("committed parity sample (corpus not fetched)", parityTexts());
    }

    /** All committed short texts (tweets and comments, mean about 90 characters), interleaved. */
    public static Texts shortTexts() {
        Path data = Path.of(System.getProperty("moderato.data", "model-artifacts/data"));
        if (!Files.isDirectory(data.resolve(DavidsonTweets.FOLDER))) {
            data = Path.of("data"); // running inside the module
        }
        List<String> texts = new ArrayList<>();
        DavidsonTweets.load(data).forEach(t -> texts.add(t.text()));
        YouTubeComments.load(data, YouTubeComments.videos(data)).forEach(c -> texts.add(c.text()));
        return new Texts("committed Davidson tweets + YouTube comments", interleave(texts));
    }

    /** Mixes the groups so every batch holds both ham and spam, as live traffic would. */
    private static List<String> interleave(List<String> texts) {
        List<String> mixed = new ArrayList<>(texts.size());
        java.util.SplittableRandom random = new java.util.SplittableRandom(1234);
        List<String> pool = new ArrayList<>(texts);
        while (!pool.isEmpty()) {
            int i = random.nextInt(pool.size());
            mixed.add(pool.get(i));
            pool.set(i, pool.get(pool.size() - 1));
            pool.remove(pool.size() - 1);
        }
        return mixed;
    }

    private static List<String> parityTexts() {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        String resource = "parity/text-spam-" + System.getProperty("moderato.bench.model-version", "1.0.0") + ".jsonl";
        InputStream in = BenchmarkTexts.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("no corpus and no parity sample on the classpath: " + resource);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode node = json.readTree(line);
                    texts.add(node.get("text").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }
}
