package io.moderato.udfs.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.udfs.vector.SparseVector;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the featurizer's output bit for bit: every shipped model was trained on these vectors, so a change of the
 * featurizer's code (a speed-up, a refactoring) must leave every index and every float unchanged. A seeded generator
 * writes noisy short texts that reach every rule (URLs, e-mails, mentions, numbers, HTML entities, elongations,
 * leetspeak, emoji and other symbols, combining marks, right-to-left and CJK letters, full-width forms, lone
 * surrogates, odd whitespace); each settings case hashes all their vectors (dimension, indices, float bits) into one
 * SHA-256. The digests were recorded with the featurizer as shipped with text-spam 1.0.0 / 2.0.0 and text-abuse
 * 1.0.0; a deliberate change of features needs new model versions, not new digests.
 */
class TextFeaturizerFingerprintTest {

    private static final int TEXTS = 6_000;

    private static final String[] PIECES = {
        "http://spam.example.com/x?y=1",
        "https://t.co/AbC",
        "www.example.org",
        "deals@spam.example.com",
        "<jane.doe+x@mail.example.com>;",
        "@user_1",
        "me@",
        "@@",
        "&amp;",
        "&lt;3",
        "&#128514;",
        "&#x1F600;",
        "&bogus;",
        "&#0;",
        "&nbsp;",
        "1,000.50",
        "42",
        "3.14",
        "n1gga",
        "b!tch",
        "a$$hole",
        "f*ck",
        "4ever",
        "win10",
        "lol!!!",
        "h3ll0",
        "sooooo",
        "hiiiiii",
        "NOOOO",
        "don't",
        "rock'n'roll",
        "it\u2019s",
        "😂",
        "🔥🔥",
        "$",
        "€100",
        "©",
        "ＦＲＥＥ",
        "ﬁne",
        "caf\u00e9",
        "cafe\u0301",
        "مرحبا",
        "שלום",
        "日本語",
        "한국어",
        "Ελληνικά",
        "\u0939\u093f\u0902",
        "\ud83d",
        "\ude00",
        "_",
        "--",
        "...",
        "?!",
        "#hashtag",
        "RT",
        "x",
        "I",
        "the",
        "free",
        "money",
        "click",
        "here",
        "fag",
        "bitch",
        "hoe",
        "trash",
        "love",
        "you",
        "\t",
        "\u00a0",
        "\u2003",
        "\n",
    };

    static Stream<Arguments> settings() {
        FeaturizerSettings shortText =
                new FeaturizerSettings(1 << 18, 42, 2, 0, 0, true, true, 4000, TextNormalization.SHORT_TEXT);
        return Stream.of(
                Arguments.of(
                        "text-spam 1.0.0 (words, 2^16, 20k chars)",
                        new FeaturizerSettings(1 << 16, 42, 2, 0, 0, true, true, 20_000),
                        "92aed0eb44ffb1ea6c7f36bb42f0592eda5ac899909875fcc18a8f6113886097"),
                Arguments.of(
                        "text-spam 2.0.0 (words, short-text rules)",
                        shortText,
                        "03956966771633953aecacfd2394853216cf23902c0835fa22b70501ec30d190"),
                Arguments.of(
                        "text-abuse 1.0.0 (words + chars 2-5, short-text rules)",
                        shortText.withCharNgrams(2, 5),
                        "459db3752b51b5a330831f63d71dfca0201e1581e9c120cb735762b77cec0105"),
                Arguments.of(
                        "chars 1-3, words 1-4, raw tf, no L2, 1000 dims, seed 7, 60 chars",
                        new FeaturizerSettings(
                                1000, 7, 4, 1, 3, false, false, 60, new TextNormalization(false, true, false, true)),
                        "bb13a853c1a9c77342dd34bd5ca64d7639eb5a1f3f54f9273b7b04e9170f5d18"),
                Arguments.of(
                        "chars 3-7, words 1-3, 2^20, entities and elongations only",
                        new FeaturizerSettings(
                                1 << 20, 1, 3, 3, 7, true, true, 0, new TextNormalization(true, false, true, false)),
                        "0ba7e4ffcdb69f1b4a7b90b08455dca12d25f6cb231785952814a48af21fa266"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void shouldFeaturizeNoisyTextsBitForBitAsTheShippedModelsWereTrained(
            String name, FeaturizerSettings settings, String expectedDigest) throws Exception {
        TextFeaturizer featurizer = new TextFeaturizer(settings);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long nonZeros = 0;
        for (String text : noisyTexts()) {
            SparseVector v = featurizer.featurize(text);
            ByteBuffer bytes = ByteBuffer.allocate(8 + 8 * v.nonZeros());
            bytes.putInt(v.dimensions()).putInt(v.nonZeros());
            for (int i = 0; i < v.nonZeros(); i++) {
                bytes.putInt(v.indices()[i]).putInt(Float.floatToRawIntBits(v.values()[i]));
            }
            sha.update(bytes.array());
            nonZeros += v.nonZeros();
        }
        assertThat(nonZeros).as("the texts give features").isGreaterThan(TEXTS * 5L);
        assertThat(HexFormat.of().formatHex(sha.digest())).as(name).isEqualTo(expectedDigest);
    }

    /** Seeded noisy texts: 1–40 pieces each, glued by spaces, punctuation or nothing, in random case. */
    static List<String> noisyTexts() {
        SplittableRandom random = new SplittableRandom(20261207);
        List<String> texts = new ArrayList<>(TEXTS);
        for (int t = 0; t < TEXTS; t++) {
            StringBuilder text = new StringBuilder();
            int pieces = 1 + random.nextInt(40);
            for (int p = 0; p < pieces; p++) {
                String piece = random.nextInt(4) == 0 ? randomWord(random) : PIECES[random.nextInt(PIECES.length)];
                text.append(random.nextBoolean() ? piece.toUpperCase(java.util.Locale.ROOT) : piece);
                int glue = random.nextInt(10);
                text.append(glue < 6 ? " " : glue < 7 ? "" : glue < 8 ? ", " : glue < 9 ? "!" : "...");
            }
            texts.add(text.toString());
        }
        return texts;
    }

    private static String randomWord(SplittableRandom random) {
        StringBuilder word = new StringBuilder();
        int length = 1 + random.nextInt(14);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(20);
            if (kind < 14) {
                word.append((char) ('a' + random.nextInt(26)));
            } else if (kind < 16) {
                word.append("0134567@$!|*".charAt(random.nextInt(12)));
            } else if (kind < 18) {
                word.appendCodePoint(0xC0 + random.nextInt(0x180)); // Latin-1 supplement and Latin Extended-A/B
            } else {
                word.appendCodePoint(0x1F300 + random.nextInt(0x200)); // emoji outside the BMP
            }
        }
        return word.toString();
    }
}
