package io.moderato.jobs.local;

import io.moderato.models.text.SpamCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The real texts the traffic generator replays: Davidson et al. 2017 tweets with their annotators'
 * votes, the YouTube Spam Collection comments with their real authors and times, and — when fetched —
 * SpamAssassin e-mails. The first two are committed under {@code model-artifacts/data}; the e-mails
 * are never committed ({@code scripts/fetch-spam-corpus.sh}).
 */
public record Corpora(List<Tweet> tweets, List<Comment> comments, List<Email> emails) {

    public static final String DAVIDSON = "davidson-2017/labeled_data.dev.csv";
    public static final List<String> YOUTUBE = List.of(
            "youtube-spam-2015/Youtube01-Psy.csv",
            "youtube-spam-2015/Youtube02-KatyPerry.csv",
            "youtube-spam-2015/Youtube03-LMFAO.csv",
            "youtube-spam-2015/Youtube04-Eminem.csv");

    /** A tweet and how its annotators voted (hate speech, offensive language, neither). */
    public record Tweet(String id, String text, int hateVotes, int offensiveVotes, int neitherVotes) {
        public int votes() {
            return hateVotes + offensiveVotes + neitherVotes;
        }
    }

    /** A YouTube comment; {@code timeMillis} is 0 where the collection has no date. */
    public record Comment(String id, String author, long timeMillis, String text, boolean spam, String video) {}

    /** An e-mail reduced to model text. */
    public record Email(String id, String text, boolean spam) {}

    /**
     * Reads the committed corpora under {@code dataDir} and the SpamAssassin training groups under
     * {@code emailCorpus} when that folder holds them (null or missing: no e-mails, said on {@code log}).
     */
    public static Corpora load(Path dataDir, Path emailCorpus, Consumer<String> log) {
        Path davidson = dataDir.resolve(DAVIDSON);
        if (!Files.isRegularFile(davidson)) {
            throw new IllegalArgumentException("no corpus at " + davidson.toAbsolutePath()
                    + " (the traffic generator replays model-artifacts/data; pass --data DIR)");
        }
        List<Tweet> tweets = new ArrayList<>();
        for (Csv.Row row : Csv.read(davidson)) {
            tweets.add(new Tweet(
                    "davidson-" + row.get(""),
                    row.get("tweet"),
                    row.getInt("hate_speech"),
                    row.getInt("offensive_language"),
                    row.getInt("neither")));
        }
        List<Comment> comments = new ArrayList<>();
        for (String name : YOUTUBE) {
            Path file = dataDir.resolve(name);
            String video = file.getFileName().toString().replace(".csv", "");
            for (Csv.Row row : Csv.read(file)) {
                comments.add(new Comment(
                        "yt-" + row.get("COMMENT_ID"),
                        row.get("AUTHOR"),
                        parseTime(row.get("DATE")),
                        row.get("CONTENT"),
                        row.getInt("CLASS") == 1,
                        video));
            }
        }
        // replay order: the collection's own time line, undated comments last in file order
        comments.sort(Comparator.comparingLong((Comment c) -> c.timeMillis() == 0 ? Long.MAX_VALUE : c.timeMillis()));
        List<Email> emails = new ArrayList<>();
        if (emailCorpus != null && Files.isDirectory(emailCorpus)) {
            try {
                for (SpamCorpus.Message m : SpamCorpus.load(emailCorpus, List.of("easy-ham-1", "spam-1"), p -> {})) {
                    emails.add(new Email("spamassassin-" + m.id(), m.text(), m.spam()));
                }
            } catch (IllegalArgumentException e) {
                log.accept("no e-mails in the traffic: " + e.getMessage());
            }
        } else {
            log.accept("no e-mails in the traffic: SpamAssassin corpus not found at " + emailCorpus
                    + " (scripts/fetch-spam-corpus.sh fetches it)");
        }
        log.accept(String.format(
                "corpora: %,d tweets (Davidson 2017), %,d YouTube comments by %,d authors, %,d e-mails",
                tweets.size(),
                comments.size(),
                comments.stream().map(Comment::author).distinct().count(),
                emails.size()));
        return new Corpora(List.copyOf(tweets), List.copyOf(comments), List.copyOf(emails));
    }

    private static long parseTime(String date) {
        if (date == null || date.isBlank()) {
            return 0L;
        }
        try {
            return LocalDateTime.parse(date.strip().replace(' ', 'T'))
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0L;
        }
    }
}
