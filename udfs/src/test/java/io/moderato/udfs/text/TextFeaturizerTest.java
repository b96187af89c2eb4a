package io.moderato.udfs.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.udfs.vector.SparseVector;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TextFeaturizerTest {

    private final TextFeaturizer featurizer = new TextFeaturizer(FeaturizerSettings.defaults());

    @Test
    void shouldGiveIdenticalVectorsForIdenticalTextAcrossInstances() {
        String text = "Buy cheap meds NOW!!! Visit http://spam.example.com or mail deals@spam.example.com 100% off";
        SparseVector a = featurizer.featurize(text);
        SparseVector b = new TextFeaturizer(FeaturizerSettings.defaults()).featurize(text);
        assertThat(a).isEqualTo(b);
        assertThat(a.nonZeros()).isGreaterThan(10);
    }

    @Test
    void shouldPinTheHashOfAKnownFeatureSoTrainingAndServingCannotDrift() {
        // "1 hello" hashed with seed 42: a changed hash, prefix or encoding breaks every shipped model
        SparseVector v = featurizer.featurize("hello");
        byte[] feature = "1 hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int expected = (int) (Integer.toUnsignedLong(Murmur3.hash32(feature, 0, feature.length, 42)) % (1 << 16));
        assertThat(v.indices()).containsExactly(expected);
        assertThat(v.values()).containsExactly(1.0f);
    }

    @Test
    void shouldReturnEmptyVectorForNullEmptyAndWhitespaceText() {
        assertThat(featurizer.featurize(null).nonZeros()).isZero();
        assertThat(featurizer.featurize("").nonZeros()).isZero();
        assertThat(featurizer.featurize(" \t\n\u00a0\u2003 ").nonZeros()).isZero();
        assertThat(featurizer.featurize("").dimensions()).isEqualTo(FeaturizerSettings.DEFAULT_DIMENSIONS);
    }

    @Test
    void shouldReplaceUrlsEmailsAndNumbersWithPlaceholderTokens() {
        List<String> tokens = featurizer.tokenize(
                "See https://x.example/a?b=1 and www.example.org, write <Jane.Doe+x@mail.example.com>; pay 1,000.50 now");
        assertThat(tokens).containsExactly("see", "<url>", "and", "<url>", "write", "<email>", "pay", "<num>", "now");
    }

    @Test
    void shouldNormaliseCompatibilityFormsAndCase() {
        // full-width letters, ligature and upper case all fold to the same token under NFKC + lower-case
        assertThat(featurizer.tokenize("ＦＲＥＥ Free ﬁne FINE")).containsExactly("free", "free", "fine", "fine");
        assertThat(featurizer.featurize("ＦＲＥＥ")).isEqualTo(featurizer.featurize("free"));
    }

    @Test
    void shouldKeepApostrophesInsideWordsAndSplitOnPunctuation() {
        assertThat(featurizer.tokenize("don't-stop...NOW!")).containsExactly("don't", "stop", "now");
    }

    @Test
    void shouldTokenizeEmojiAsSeparateTokens() {
        List<String> tokens = featurizer.tokenize("great👍🏽 job🔥🔥 $$$");
        assertThat(tokens).contains("great", "👍", "job", "🔥", "$");
        assertThat(tokens.stream().filter("🔥"::equals).count()).isEqualTo(2);
        assertThat(featurizer.featurize("🔥").nonZeros()).isEqualTo(1);
    }

    @Test
    void shouldTokenizeRightToLeftScripts() {
        assertThat(featurizer.tokenize("مرحبا بالعالم")).containsExactly("مرحبا", "بالعالم");
        assertThat(featurizer.tokenize("שלום עולם 42")).containsExactly("שלום", "עולם", "<num>");
        // Arabic with diacritics (combining marks) stays one token
        assertThat(featurizer.tokenize("كَتَبَ")).hasSize(1);
    }

    @Test
    void shouldReplaceLoneSurrogatesInsteadOfFailing() {
        String broken = "bad \uD800 text \uDC00 end \uD83D";
        SparseVector v = featurizer.featurize(broken);
        assertThat(v.nonZeros()).isPositive();
        assertThat(TextFeaturizer.replaceLoneSurrogates(broken))
                .doesNotContain("\uD800")
                .contains("\uFFFD");
        // a valid pair is kept
        assertThat(TextFeaturizer.replaceLoneSurrogates("a😀b")).isEqualTo("a😀b");
    }

    @Test
    void shouldNeverSplitASurrogatePairWhenTruncating() {
        assertThat(TextFeaturizer.truncate("ab😀", 3)).isEqualTo("ab");
        assertThat(TextFeaturizer.truncate("ab😀", 4)).isEqualTo("ab😀");
        assertThat(TextFeaturizer.truncate("abcdef", 0)).isEqualTo("abcdef");
    }

    @Test
    void shouldFeaturizeAOneMegabyteTextWithinTheConfiguredLimit() {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(1 << 20);
        String[] words = {"free", "offer", "meeting", "tomorrow", "ünïcödé", "😀", "1234", "a.b.c.d"};
        while (sb.length() < (1 << 20)) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(5) == 0 ? ". " : " ");
        }
        String megabyte = sb.toString();
        SparseVector limited = featurizer.featurize(megabyte);
        assertThat(limited.nonZeros()).isPositive();
        assertThat(l2(limited)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));

        TextFeaturizer unlimited = new TextFeaturizer(new FeaturizerSettings(1 << 16, 42, 2, 0, 0, true, true, 0));
        SparseVector whole = unlimited.featurize(megabyte);
        assertThat(whole).isEqualTo(unlimited.featurize(megabyte));
        assertThat(whole).isNotEqualTo(limited);
    }

    @Test
    void shouldNotBeQuadraticOnAdversarialPunctuationRuns() {
        // long '@'-free chunks and many short chunks before one far-away '@' must both stay linear
        TextFeaturizer unlimited = new TextFeaturizer(new FeaturizerSettings(1 << 16, 42, 2, 0, 0, true, true, 0));
        assertThat(unlimited.tokenize("a.".repeat(100_000) + "@")).hasSize(100_000);
        assertThat(unlimited.tokenize("a. ".repeat(200_000) + "x@y.io")).hasSize(200_001);
    }

    @Test
    void shouldApplySublinearTfAndL2Normalisation() {
        FeaturizerSettings raw = new FeaturizerSettings(1 << 16, 42, 1, 0, 0, false, false, 0);
        SparseVector counts = new TextFeaturizer(raw).featurize("spam spam spam eggs");
        assertThat(sorted(counts.values())).containsExactly(1.0f, 3.0f);

        FeaturizerSettings sublinear = new FeaturizerSettings(1 << 16, 42, 1, 0, 0, true, false, 0);
        SparseVector logged = new TextFeaturizer(sublinear).featurize("spam spam spam eggs");
        assertThat(sorted(logged.values())).containsExactly(1.0f, (float) (1 + Math.log(3)));

        SparseVector normalized = featurizer.featurize("spam spam spam eggs");
        assertThat(l2(normalized)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void shouldAddBigramsThatDependOnWordOrder() {
        FeaturizerSettings unigrams = new FeaturizerSettings(1 << 16, 42, 1, 0, 0, true, true, 0);
        TextFeaturizer uni = new TextFeaturizer(unigrams);
        assertThat(uni.featurize("dog bites man")).isEqualTo(uni.featurize("man bites dog"));
        assertThat(featurizer.featurize("dog bites man")).isNotEqualTo(featurizer.featurize("man bites dog"));
        assertThat(featurizer.featurize("dog bites man").nonZeros()).isEqualTo(5);
    }

    @Test
    void shouldAddCharacterNgramsWhenEnabled() {
        TextFeaturizer chars = new TextFeaturizer(FeaturizerSettings.defaults().withCharNgrams(3, 4));
        assertThat(chars.featurize("viagra").nonZeros())
                .isGreaterThan(featurizer.featurize("viagra").nonZeros());
        // v1agra and viagra share character n-grams, so their vectors overlap
        assertThat(cosine(chars.featurize("viagra"), chars.featurize("viagraa")))
                .isGreaterThan(0.5);
    }

    @Test
    void shouldProduceIndicesWithinDimensionsForTinyHashSpaces() {
        TextFeaturizer tiny = new TextFeaturizer(FeaturizerSettings.defaults().withDimensions(7));
        SparseVector v = tiny.featurize("many different words collide into seven buckets here");
        assertThat(java.util.Arrays.stream(v.indices()).boxed().toList())
                .allMatch(i -> i >= 0 && i < 7)
                .isNotEmpty();
    }

    @Test
    void shouldHashCharacterNgramsAsTheDocumentedFeatureStrings() {
        FeaturizerSettings settings = new FeaturizerSettings(1 << 18, 42, 1, 2, 5, false, false, 0);
        TextFeaturizer chars = new TextFeaturizer(settings);
        for (String text : List.of("viagra", "naïve café", "great👍🏽 job", "日本語のテキスト", "x")) {
            java.util.TreeMap<Integer, Float> expected = new java.util.TreeMap<>();
            for (String token : chars.tokenize(text)) {
                addFeature(expected, "1 " + token, settings);
                if (token.startsWith("<")) {
                    continue;
                }
                int[] cps = ("<" + token + ">").codePoints().toArray();
                for (int n = 2; n <= 5; n++) {
                    for (int start = 0; start + n <= cps.length; start++) {
                        addFeature(expected, "c " + new String(cps, start, n), settings);
                    }
                }
            }
            SparseVector v = chars.featurize(text);
            assertThat(java.util.Arrays.stream(v.indices()).boxed().toList())
                    .as(text)
                    .containsExactlyElementsOf(expected.keySet());
            for (int i = 0; i < v.nonZeros(); i++) {
                assertThat(v.values()[i]).as(text).isEqualTo(expected.get(v.indices()[i]));
            }
        }
    }

    @Test
    void shouldSortFeatureIndicesLikeArraysSortForEverySizeAndDimension() {
        SplittableRandom random = new SplittableRandom(5);
        for (int dimensions : new int[] {7, 1 << 12, 1 << 16, 1 << 18, (1 << 20) + 3, Integer.MAX_VALUE}) {
            for (int n : new int[] {0, 1, 95, 96, 97, 300, 5000}) {
                int[] a = new int[n + 3];
                for (int i = 0; i < a.length; i++) {
                    a[i] = random.nextInt(dimensions);
                }
                int[] expected = a.clone();
                java.util.Arrays.sort(expected, 0, n);
                TextFeaturizer.sort(a, n, dimensions);
                assertThat(a).as("n=%d, dimensions=%d", n, dimensions).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldApplyNoShortTextRuleWithoutNormalizationSettings() {
        String tweet = "RT @someone: soooo &amp; n1gga b!tch f*ck &#128514;";
        assertThat(featurizer.tokenize(tweet))
                .containsExactly("rt", "someone", "soooo", "amp", "n1gga", "b", "tch", "f", "ck", "<num>");
    }

    @Test
    void shouldReplaceMentionsWithAPlaceholderWhenEnabled() {
        TextFeaturizer rules = new TextFeaturizer(
                FeaturizerSettings.defaults().withNormalization(new TextNormalization(false, true, false, false)));
        assertThat(rules.tokenize("RT @some_one: hi .@Other, mail me@example.com x@y"))
                .containsExactly("rt", "<mention>", "hi", "<mention>", "mail", "<email>", "x", "y");
    }

    @Test
    void shouldDecodeHtmlEntitiesWhenEnabled() {
        TextFeaturizer rules = new TextFeaturizer(
                FeaturizerSettings.defaults().withNormalization(new TextNormalization(true, false, false, false)));
        assertThat(rules.tokenize("fish &amp; chips &#128514;&#x1F525; &lt;3 &bogus; &#55296; &"))
                .containsExactly("fish", "chips", "😂", "🔥", "<num>", "bogus", "<num>");
        assertThat(TextFeaturizer.decodeHtmlEntities("a&quot;b&apos;c&nbsp;d")).isEqualTo("a\"b'c\u00a0d");
        assertThat(TextFeaturizer.decodeHtmlEntities("no entity")).isSameAs("no entity");
    }

    @Test
    void shouldCutElongatedLettersToTwoWhenEnabled() {
        TextFeaturizer rules = new TextFeaturizer(
                FeaturizerSettings.defaults().withNormalization(new TextNormalization(false, false, true, false)));
        assertThat(rules.tokenize("Sooooo GOOOOD hiiii 1000 aa")).containsExactly("soo", "good", "hii", "<num>", "aa");
        assertThat(rules.featurize("soooooo")).isEqualTo(rules.featurize("sooo"));
    }

    @Test
    void shouldReadLeetspeakInsideWordsOnlyWhenEnabled() {
        TextFeaturizer rules = new TextFeaturizer(
                FeaturizerSettings.defaults().withNormalization(new TextNormalization(false, false, false, true)));
        assertThat(rules.tokenize("n1gga b!tch a$$hole f*ck c00l sh|t"))
                .containsExactly("nigga", "bitch", "asshole", "f_ck", "cool", "shit");
        // leading and trailing digits or symbols, and digit groups without a reading, are left alone
        assertThat(rules.tokenize("4ever win10 lol!!! covid19s $100 b4"))
                .containsExactly("4ever", "win10", "lol", "covid19s", "$", "<num>", "b4");
        assertThat(rules.featurize("n1gga")).isEqualTo(rules.featurize("nigga"));
    }

    @Test
    void shouldRejectInvalidSettingsNamingTheKey() {
        assertThatThrownBy(() -> new FeaturizerSettings(0, 42, 2, 0, 0, true, true, 0))
                .hasMessageContaining("featurizer.dimensions");
        assertThatThrownBy(() -> new FeaturizerSettings(16, 42, 0, 0, 0, true, true, 0))
                .hasMessageContaining("featurizer.wordNgramMax");
        assertThatThrownBy(() -> new FeaturizerSettings(16, 42, 2, 5, 3, true, true, 0))
                .hasMessageContaining("featurizer.charNgramMin");
    }

    private static void addFeature(
            java.util.Map<Integer, Float> features, String feature, FeaturizerSettings settings) {
        byte[] bytes = feature.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int index = (int) (Integer.toUnsignedLong(Murmur3.hash32(bytes, 0, bytes.length, settings.hashSeed()))
                % settings.dimensions());
        features.merge(index, 1f, Float::sum);
    }

    private static double l2(SparseVector v) {
        double s = 0;
        for (float x : v.values()) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double cosine(SparseVector a, SparseVector b) {
        return a.dot(b.toDense()) / (l2(a) * l2(b));
    }

    private static float[] sorted(float[] values) {
        float[] copy = values.clone();
        java.util.Arrays.sort(copy);
        return copy;
    }

    @Test
    void shouldIndexEachFeatureAtItsUnsignedHashModuloTheDimensionsWhetherOrNotThatIsAPowerOfTwo() {
        for (int dimensions : new int[] {1 << 18, 1000, 1 << 16, 7}) {
            TextFeaturizer unigrams =
                    new TextFeaturizer(new FeaturizerSettings(dimensions, 42, 1, 0, 0, true, true, 0));
            for (String word : List.of("hello", "spam", "zebra", "qwerty")) {
                byte[] feature = ("1 " + word).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                int expected = Integer.remainderUnsigned(Murmur3.hash32(feature, 0, feature.length, 42), dimensions);
                assertThat(unigrams.featurize(word).indices())
                        .as("%s in %d dimensions", word, dimensions)
                        .containsExactly(expected);
            }
        }
    }
}
