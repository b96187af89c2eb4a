package io.moderato.models.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The YouTube Spam Collection (Alberto, Lochter, Almeida, ICMLA 2015) as committed under
 * {@code model-artifacts/data/youtube-spam-2015/}: one CSV per video, comments labelled spam or ham.
 */
public final class YouTubeComments {

    public static final String FOLDER = "youtube-spam-2015";
    public static final String CITATION = "Alberto, Lochter, Almeida. TubeSpam: Comment Spam Filtering on YouTube. "
            + "ICMLA 2015; UCI YouTube Spam Collection";
    public static final String LICENSE = "CC BY 4.0";

    private YouTubeComments() {}

    /** One comment; {@code video} is the file stem, e.g. {@code Youtube01-Psy}. */
    public record Comment(String id, String video, String author, String date, String text, boolean spam) {}

    /** The video files in {@code <dataRoot>/youtube-spam-2015}, sorted by name (file stems). */
    public static List<String> videos(Path dataRoot) {
        Path dir = dataRoot.resolve(FOLDER);
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".csv"))
                    .map(n -> n.substring(0, n.length() - ".csv".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }

    /**
     * Every comment of the given videos, in file order per video, videos in the order given. Ids are
     * {@code <video>/<COMMENT_ID>}; a COMMENT_ID repeated within a file (two reposted spam comments in
     * Youtube04-Eminem) gets {@code #2}, {@code #3}, … on its later rows, so every id is unique.
     */
    public static List<Comment> load(Path dataRoot, List<String> videos) {
        List<Comment> comments = new ArrayList<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (String video : videos) {
            TextTable table = TextTable.read(dataRoot.resolve(FOLDER).resolve(video + ".csv"));
            table.requireColumns("COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS");
            for (int i = 0; i < table.rows().size(); i++) {
                String label = table.value(i, "CLASS").trim();
                if (!label.equals("0") && !label.equals("1")) {
                    throw new IllegalArgumentException(table.file() + ": row " + (i + 1)
                            + ", column 'CLASS': expected 0 or 1, got '" + label + "'");
                }
                String id = video + "/" + table.value(i, "COMMENT_ID");
                int occurrence = seen.merge(id, 1, Integer::sum);
                comments.add(new Comment(
                        occurrence == 1 ? id : id + "#" + occurrence,
                        video,
                        table.value(i, "AUTHOR"),
                        table.value(i, "DATE"),
                        table.value(i, "CONTENT"),
                        label.equals("1")));
            }
        }
        return List.copyOf(comments);
    }
}
