package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.moderato.models.data.DavidsonTweets;
import io.moderato.models.data.YouTubeComments;
import io.moderato.models.eval.HeadEvaluation;
import io.moderato.models.eval.ModelEvaluation;
import io.moderato.models.eval.MulticlassEvaluation;
import io.moderato.models.eval.StratifiedSplit;
import io.moderato.udfs.model.ModelManifest;
import io.moderato.udfs.model.ModelRegistry;
import io.moderato.udfs.model.ModelSource;
import io.moderato.udfs.model.TextScorer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped short-text models against their cards: the validation figures in each manifest (and printed in its
 * card) are recomputed here from committed files only — the Davidson validation split and the held-out YouTube
 * video rebuilt from {@code model-artifacts/data} with the manifest's seed, the e-mail parity sample from
 * {@code src/test/resources/parity}, the Davidson "neither" tweets for text-spam's chat proxy — through the serving path and the evaluation code the CLI uses. A retrain
 * that is not committed together with its card, or a change to featurizer, scorer or metrics that moves a
 * published number, fails here.
 */
class TextModelCardTest {

    private static final Path DATA = Path.of("data");
    private static final double TOLERANCE = 1e-6;
    private static ModelRegistry registry;

    @BeforeAll
    static void open() {
        registry = ModelRegistry.open(ModelSource.classpath("models"));
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    /** Every shipped version of {@code name} whose major version is {@code major} (older ones stay for past decisions). */
    private static Stream<String> versions(String name, String major) {
        List<String> versions = ShippedTextModels.all().stream()
                .filter(m -> m.name().equals(name))
                .map(ModelManifest::version)
                .filter(v -> v.startsWith(major + "."))
                .toList();
        assertThat(versions)
                .as("shipped versions of " + name + " " + major + ".x")
                .isNotEmpty();
        return versions.stream();
    }

    static Stream<String> textAbuseVersions() {
        return versions(TextAbuseTrainer.NAME, "1");
    }

    static Stream<String> textSpam2Versions() {
        return versions(ShortTextSpamTrainer.NAME, "2");
    }

    @ParameterizedTest(name = "text-abuse {0}")
    @MethodSource("textAbuseVersions")
    void shouldReproduceEveryTextAbuseFigureFromTheCommittedDavidsonSplit(String version) {
        ModelManifest m = registry.manifest(TextAbuseTrainer.NAME, version);
        List<DavidsonTweets.Tweet> validation = StratifiedSplit.splitBy(
                        DavidsonTweets.load(DATA),
                        DavidsonTweets.Tweet::majority,
                        DavidsonTweets.Tweet::id,
                        TextAbuseTrainer.VALIDATION_FRACTION,
                        m.trainingData().seed())
                .second();
        assertThat(validation)
                .hasSize(m.trainingData().counts().get("validation.hate")
                        + m.trainingData().counts().get("validation.offensive")
                        + m.trainingData().counts().get("validation.neither"));
        TextScorer scorer = registry.textScorer(m.name(), m.version());
        Map<String, double[]> served = ModelEvaluation.score(
                scorer, validation.stream().map(DavidsonTweets.Tweet::text).toList(), x -> {});
        Map<String, Double> recomputed = new TreeMap<>();
        for (String policy : TextAbuseTrainer.POLICIES) {
            HeadEvaluation e = TextAbuseTrainer.evaluateHead(m, policy, served.get(policy), validation);
            recomputed.putAll(e.figures(policy));
            assertThat(m.referenceHistograms().get(policy).total()).isEqualTo(validation.size());
        }
        MulticlassEvaluation threeClass = TextAbuseTrainer.threeClass(served, validation);
        recomputed.putAll(TextAbuseTrainer.threeClassFigures(threeClass));

        assertSameFigures(m.validationMetrics(), recomputed);
        String card = ShippedTextModels.card(m.name(), m.version());
        assertThat(card)
                .contains("ROC-AUC **" + f4(recomputed.get("hate_speech.roc_auc")) + "**")
                .contains("ROC-AUC **" + f4(recomputed.get("harassment.roc_auc")) + "**")
                .contains("three-class weighted F1 **" + f4(threeClass.weightedF1()) + "**")
                .contains("| ECE (10 equal-width bins) | " + f4(recomputed.get("hate_speech.ece")) + " |")
                .contains("Davidson et al. 2017 (published) | 0.91 | 0.90 | 0.90 | 0.44 | 0.61")
                .contains("Dialect bias")
                .contains("Known failure modes");
        // floors a retrain must not fall below (the card states the measured values)
        assertThat(recomputed.get("hate_speech.roc_auc")).isGreaterThan(0.85);
        assertThat(recomputed.get("harassment.roc_auc")).isGreaterThan(0.97);
        assertThat(recomputed.get("hate_speech.ece")).isLessThan(0.03);
        assertThat(recomputed.get("harassment.ece")).isLessThan(0.03);
    }

    @ParameterizedTest(name = "text-spam {0}")
    @MethodSource("textSpam2Versions")
    void shouldReproduceTheTextSpam2CommentAndEmailSampleFiguresFromCommittedFiles(String version) {
        ModelManifest m = registry.manifest(ShortTextSpamTrainer.NAME, version);
        long seed = m.trainingData().seed();
        String heldOut = ShortTextSpamTrainer.heldOutVideo(YouTubeComments.videos(DATA), seed);
        List<YouTubeComments.Comment> comments = YouTubeComments.load(DATA, List.of(heldOut));
        assertThat(m.trainingData().split()).contains(heldOut);
        TextScorer scorer = registry.textScorer(m.name(), m.version());
        Map<String, Double> recomputed = new TreeMap<>();
        double[] commentScores = ModelEvaluation.score(
                        scorer,
                        comments.stream().map(YouTubeComments.Comment::text).toList(),
                        x -> {})
                .get(ShortTextSpamTrainer.POLICY);
        recomputed.putAll(
                ShortTextSpamTrainer.evaluate(m, commentScores, ShortTextSpamTrainer.spamFlags(comments), "comments")
                        .figures("spam." + ShortTextSpamTrainer.COMMENTS));

        List<JsonNode> emails = ShippedTextModels.parity(m.name(), m.version()).stream()
                .filter(r -> !r.get("id").asText().startsWith("Youtube"))
                .toList();
        assertThat(emails).hasSize(ShortTextSpamTrainer.PARITY_EMAILS);
        boolean[] spam = new boolean[emails.size()];
        for (int i = 0; i < spam.length; i++) {
            spam[i] = emails.get(i).get("label").asText().equals("spam");
        }
        double[] emailScores = ModelEvaluation.score(
                        scorer, emails.stream().map(r -> r.get("text").asText()).toList(), x -> {})
                .get(ShortTextSpamTrainer.POLICY);
        recomputed.putAll(ShortTextSpamTrainer.evaluate(m, emailScores, spam, "e-mail sample")
                .figures("spam." + ShortTextSpamTrainer.EMAIL_SAMPLE));

        recomputed.putAll(ShortTextSpamTrainer.chatFlagRates(
                m, scorer, ShortTextSpamTrainer.chatTweets(DATA, seed).get(1)));

        Map<String, Double> published = new TreeMap<>(m.validationMetrics());
        published.keySet().removeIf(k -> k.startsWith("spam." + ShortTextSpamTrainer.EMAIL + "."));
        assertSameFigures(published, recomputed);
        assertThat(m.referenceHistograms().get("spam").total()).isEqualTo(comments.size());
        assertThat(m.validationMetrics()).containsKeys("spam.email.roc_auc", "spam.email.ece", "spam.email.review.f1");
        String card = ShippedTextModels.card(m.name(), m.version());
        assertThat(card)
                .contains("ROC-AUC **" + f4(recomputed.get("spam.comments.roc_auc")) + "**")
                .contains("ROC-AUC **" + f4(m.validationMetrics().get("spam.email.roc_auc")) + "**")
                .contains("## Against 1.0.0 on the same validation data")
                .contains("hey, see you at lunch tomorrow?");
        assertThat(recomputed.get("spam.comments.roc_auc")).isGreaterThan(0.95);
        assertThat(m.validationMetrics().get("spam.email.roc_auc")).isGreaterThan(0.99);
    }

    private static void assertSameFigures(Map<String, Double> published, Map<String, Double> recomputed) {
        assertThat(recomputed.keySet()).containsExactlyInAnyOrderElementsOf(published.keySet());
        published.forEach(
                (key, value) -> assertThat(recomputed.get(key)).as(key).isCloseTo(value, offset(TOLERANCE)));
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
