package io.moderato.models.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTableTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadQuotedCsvFieldsWithCommasQuotesAndLineBreaksAndIgnoreAByteOrderMark() throws Exception {
        Path csv = dir.resolve("a.csv");
        Files.writeString(
                csv,
                "\uFEFFid,text,label\r\n1,\"hello, \"\"world\"\"\r\nsecond line\",1\r\n2,plain,0\r\n",
                StandardCharsets.UTF_8);
        TextTable t = TextTable.read(csv);
        assertThat(t.columns()).containsExactly("id", "text", "label");
        assertThat(t.rows()).hasSize(2);
        assertThat(t.value(0, "text")).isEqualTo("hello, \"world\"\r\nsecond line");
        assertThat(t.value(1, "label")).isEqualTo("0");
    }

    @Test
    void shouldReadTsvAndJsonLines() throws Exception {
        Path tsv = dir.resolve("a.tsv");
        Files.writeString(tsv, "text\tlabel\nfree money, now\t1\n", StandardCharsets.UTF_8);
        assertThat(TextTable.read(tsv).value(0, "text")).isEqualTo("free money, now");

        Path jsonl = dir.resolve("a.jsonl");
        Files.writeString(
                jsonl,
                "{\"text\": \"hi\", \"label\": 0}\n\n{\"text\": \"buy\", \"label\": true, \"extra\": [1]}\n",
                StandardCharsets.UTF_8);
        TextTable t = TextTable.read(jsonl);
        assertThat(t.columns()).containsExactly("text", "label", "extra");
        assertThat(t.rows()).hasSize(2);
        assertThat(t.value(0, "label")).isEqualTo("0");
        assertThat(t.value(1, "label")).isEqualTo("true");
        assertThat(t.value(1, "extra")).isEqualTo("[1]");
    }

    @Test
    void shouldNameTheFileLineAndColumnOfAProblem() throws Exception {
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"text\": \"ok\"}\n[1, 2]\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TextTable.read(jsonl))
                .hasMessageContaining("bad.jsonl: line 2: expected a JSON object");

        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, "a,b\n1,2\n", StandardCharsets.UTF_8);
        TextTable t = TextTable.read(csv);
        assertThatThrownBy(() -> t.requireColumns("text")).hasMessageContaining("no column 'text' (columns: [a, b])");
        assertThatThrownBy(() -> t.value(0, "c")).hasMessageContaining("row 1 has no value for column 'c'");
        assertThatThrownBy(() -> TextTable.read(dir.resolve("x.xlsx"))).hasMessageContaining("no such file");
        Files.writeString(dir.resolve("x.xlsx"), "", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TextTable.read(dir.resolve("x.xlsx"))).hasMessageContaining("unknown file type");
    }

    @Test
    void shouldLoadTheCommittedCorporaWithTheirDocumentedCounts() {
        Path data = Path.of("data");
        List<DavidsonTweets.Tweet> tweets = DavidsonTweets.load(data);
        assertThat(tweets).hasSize(19_807);
        assertThat(tweets.stream().filter(DavidsonTweets.Tweet::hate)).hasSize(1_165);
        assertThat(tweets.stream().filter(t -> t.majority() == DavidsonTweets.NEITHER))
                .hasSize(3_318);
        assertThat(tweets)
                .allSatisfy(t ->
                        assertThat(t.votes()[0] + t.votes()[1] + t.votes()[2]).isEqualTo(t.annotators()));
        assertThat(tweets.stream().filter(t -> t.text().contains("\n")).count()).isPositive();

        assertThat(YouTubeComments.videos(data))
                .containsExactly("Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem");
        List<YouTubeComments.Comment> comments = YouTubeComments.load(data, YouTubeComments.videos(data));
        assertThat(comments).hasSize(1_586);
        assertThat(comments.stream().filter(YouTubeComments.Comment::spam)).hasSize(831);
        assertThat(comments.stream().map(YouTubeComments.Comment::id).distinct())
                .hasSize(1_586);
    }
}
