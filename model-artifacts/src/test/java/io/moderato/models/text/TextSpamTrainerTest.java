package io.moderato.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.udfs.text.FeaturizerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Runs the real training path on a small generated corpus (the SpamAssassin corpus is not in the repo). */
class TextSpamTrainerTest {

    private static final String[] HAM = {
        "meeting",
        "patch",
        "build",
        "kernel",
        "review",
        "thanks",
        "tomorrow",
        "release",
        "bug",
        "list",
        "debian",
        "compile",
        "question",
        "config",
        "merge"
    };
    private static final String[] SPAM = {
        "free",
        "money",
        "click",
        "offer",
        "cash",
        "winner",
        "viagra",
        "cheap",
        "guaranteed",
        "limited",
        "order",
        "now",
        "mortgage",
        "prize",
        "unsubscribe"
    };

    private static List<SpamCorpus.Message> corpus(int ham, int spam) {
        SplittableRandom rnd = new SplittableRandom(99);
        List<SpamCorpus.Message> messages = new ArrayList<>();
        for (int i = 0; i < ham + spam; i++) {
            boolean isSpam = i >= ham;
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 25; w++) {
                String[] vocab = rnd.nextDouble() < 0.75 ? (isSpam ? SPAM : HAM) : (isSpam ? HAM : SPAM);
                text.append(vocab[rnd.nextInt(vocab.length)]).append(' ');
            }
            String group = isSpam ? "spam-1" : "easy-ham-1";
            messages.add(
                    new SpamCorpus.Message(group + "/" + String.format("%05d", i), group, text.toString(), isSpam));
        }
        return messages;
    }

    private static FeaturizerSettings small() {
        return TextSpamTrainer.featurizerSettings().withDimensions(1 << 12);
    }

    @Test
    void shouldProduceIdenticalArtifactsForTheSameInputsAndSeed() {
        List<SpamCorpus.Message> messages = corpus(200, 50);
        TextSpamTrainer.Result first = TextSpamTrainer.train(messages, "0.0.1", 7L, small(), m -> {});
        TextSpamTrainer.Result second = TextSpamTrainer.train(new ArrayList<>(messages), "0.0.1", 7L, small(), m -> {});

        assertThat(second.manifest().toJson()).isEqualTo(first.manifest().toJson());
        assertThat(second.modelCard()).isEqualTo(first.modelCard());
        assertThat(second.head().sparseBytes("m", 1, "d"))
                .isEqualTo(first.head().sparseBytes("m", 1, "d"));
        assertThat(second.head().denseBytes("m", 1, "d")).isEqualTo(first.head().denseBytes("m", 1, "d"));
        assertThat(second.parity()).isEqualTo(first.parity());
    }

    @Test
    void shouldChangeTheSplitAndWeightsWithTheSeed() {
        List<SpamCorpus.Message> messages = corpus(200, 50);
        TextSpamTrainer.Result a = TextSpamTrainer.train(messages, "0.0.1", 7L, small(), m -> {});
        TextSpamTrainer.Result b = TextSpamTrainer.train(messages, "0.0.1", 8L, small(), m -> {});
        assertThat(b.head().sparseBytes("m", 1, "d")).isNotEqualTo(a.head().sparseBytes("m", 1, "d"));
        assertThat(b.parity().stream().map(TextSpamTrainer.ParityRow::id).toList())
                .isNotEqualTo(
                        a.parity().stream().map(TextSpamTrainer.ParityRow::id).toList());
    }

    @Test
    void shouldSplitStratifiedAndReportMetricsAndHistogram() {
        TextSpamTrainer.Result r = TextSpamTrainer.train(corpus(200, 50), "0.0.1", 7L, small(), m -> {});
        var counts = r.manifest().trainingData().counts();
        assertThat(counts)
                .containsEntry("validation.ham", 40)
                .containsEntry("validation.spam", 10)
                .containsEntry("train.ham", 160)
                .containsEntry("train.spam", 40);
        assertThat(r.manifest().validationMetrics())
                .containsKeys(
                        "spam.roc_auc",
                        "spam.review.precision",
                        "spam.review.recall",
                        "spam.action.precision",
                        "spam.action.recall");
        assertThat(r.manifest().validationMetrics().get("spam.roc_auc")).isGreaterThan(0.9);
        assertThat(r.manifest().referenceHistograms().get("spam").counts()).hasSize(20);
        assertThat(r.manifest().referenceHistograms().get("spam").total()).isEqualTo(50.0);
        assertThat(r.parity()).hasSize(50); // the whole validation split when it is smaller than the sample size
        assertThat(r.modelCard())
                .contains("ROC-AUC")
                .contains("easy-ham-2")
                .contains("hard-ham-1")
                .contains("spam-2");
    }

    @Test
    void shouldTruncateWithoutSplittingSurrogatePairs() {
        String text = "ab\uD83D\uDE00cd";
        assertThat(TextSpamTrainer.truncate(text, 3)).isEqualTo("ab");
        assertThat(TextSpamTrainer.truncate(text, 4)).isEqualTo("ab\uD83D\uDE00");
        assertThat(TextSpamTrainer.truncate(text, 100)).isEqualTo(text);
    }
}
