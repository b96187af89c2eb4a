package io.moderato.udfs.decision;

import static io.moderato.udfs.config.TestPolicies.queue;
import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.TestPolicies;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueRouterTest {

    private static PolicyConfig hateSpeech(double severity) {
        return TestPolicies.valid()
                .setPolicyId("hate_speech")
                .setSeverity(severity)
                .setReviewQueues(List.of(
                        queue("hate-es", List.of("es"), 0.0, 20),
                        queue("hate-en-gb", List.of("en-GB"), 0.0, 10),
                        queue("hate-en", List.of("en", "en-US"), 0.0, 40),
                        queue("hate-urgent", List.of(), 4.0, 5),
                        queue("hate-global", List.of(), 0.0, 30)))
                .build();
    }

    @Test
    void shouldMatchAnExactLocale() {
        assertThat(QueueRouter.queueFor(hateSpeech(1), "es")).isEqualTo("hate-es");
        assertThat(QueueRouter.queueFor(hateSpeech(1), "en-GB")).isEqualTo("hate-en-gb");
    }

    @Test
    void shouldMatchTheLanguagePrefixOfARegionalLocale() {
        assertThat(QueueRouter.queueFor(hateSpeech(1), "es-MX")).isEqualTo("hate-es");
        assertThat(QueueRouter.queueFor(hateSpeech(1), "en-AU")).isEqualTo("hate-en");
    }

    @Test
    void shouldTakeTheFirstMatchingQueueInConfigOrder() {
        PolicyConfig generalFirst = TestPolicies.valid()
                .setReviewQueues(List.of(queue("any", List.of(), 0.0, 10), queue("es", List.of("es"), 0.0, 10)))
                .build();
        assertThat(QueueRouter.queueFor(generalFirst, "es")).isEqualTo("any");
    }

    @Test
    void shouldIgnoreCaseAndUnderscoresInLocales() {
        assertThat(QueueRouter.queueFor(hateSpeech(1), "EN_gb")).isEqualTo("hate-en-gb");
        assertThat(QueueRouter.queueFor(hateSpeech(1), "ES-mx")).isEqualTo("hate-es");
    }

    @Test
    void shouldNotTreatALongerLanguageCodeAsAPrefixMatch() {
        assertThat(QueueRouter.queueFor(hateSpeech(1), "est")).isEqualTo("hate-global");
        assertThat(QueueRouter.queueFor(hateSpeech(1), "en"))
                .as("a bare language does not match a regional queue")
                .isEqualTo("hate-en");
    }

    @Test
    void shouldSkipQueuesWhoseMinimumSeverityIsAboveThePolicySeverity() {
        assertThat(QueueRouter.queueFor(hateSpeech(3.99), "fr")).isEqualTo("hate-global");
        assertThat(QueueRouter.queueFor(hateSpeech(4.0), "fr")).isEqualTo("hate-urgent");
        assertThat(QueueRouter.queueFor(hateSpeech(5.0), "es"))
                .as("a locale queue before it still wins")
                .isEqualTo("hate-es");
    }

    @Test
    void shouldRouteAnUnknownLocaleToAQueueThatAcceptsAnyLocale() {
        assertThat(QueueRouter.queueFor(hateSpeech(1), null)).isEqualTo("hate-global");
        assertThat(QueueRouter.queueFor(hateSpeech(1), "und")).isEqualTo("hate-global");
        assertThat(QueueRouter.queueFor(hateSpeech(1), " ")).isEqualTo("hate-global");
    }

    @Test
    void shouldFallBackToThePolicyDefaultQueueWhenNothingMatches() {
        PolicyConfig localeOnly = TestPolicies.valid()
                .setPolicyId("spam")
                .setReviewQueues(List.of(queue("spam-es", List.of("es"), 0.0, 10), queue("severe", List.of(), 9.0, 10)))
                .build();
        assertThat(QueueRouter.queueFor(localeOnly, "de-AT")).isEqualTo("spam.default");
        assertThat(QueueRouter.matching(localeOnly, "de-AT")).isEmpty();
        assertThat(QueueRouter.queueFor(
                        TestPolicies.valid().setReviewQueues(List.of()).build(), "es"))
                .isEqualTo("spam.default");
    }

    @Test
    void shouldExposeTheMatchingQueueForItsCapacityAndSla() {
        assertThat(QueueRouter.matching(hateSpeech(1), "es-AR"))
                .get()
                .satisfies(q -> assertThat(q.getCapacityPerMinute()).isEqualTo(20));
    }
}
