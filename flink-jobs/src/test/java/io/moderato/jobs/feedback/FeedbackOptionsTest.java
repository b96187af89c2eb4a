package io.moderato.jobs.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.moderato.jobs.testing.FeedbackFixtures;
import io.moderato.schemas.TrainingExample;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class FeedbackOptionsTest {

    @Test
    void shouldHaveUniqueKeysAndValidDefaults() {
        Set<String> keys = new HashSet<>();
        for (ConfigOption<?> option : FeedbackOptions.all()) {
            assertThat(keys.add(option.key()))
                    .as("duplicate key %s", option.key())
                    .isTrue();
            assertThat(option.description().toString())
                    .as("description of %s", option.key())
                    .isNotBlank();
        }
        assertThat(FeedbackOptions.validate(new Configuration())).isEmpty();
        assertThat(new Configuration().get(FeedbackOptions.JOIN_TTL)).isEqualTo(Duration.ofDays(14));
        assertThat(new Configuration().get(FeedbackOptions.PSI_THRESHOLD)).isEqualTo(0.2);
        assertThat(new Configuration().get(FeedbackOptions.ADWIN_DELTA)).isEqualTo(0.002);
        assertThat(new Configuration().get(FeedbackOptions.METRICS_WINDOWS))
                .containsExactly(Duration.ofHours(1), Duration.ofHours(24));
    }

    @Test
    void shouldNameTheKeyOfEveryBadValue() {
        Configuration conf = new Configuration();
        conf.set(FeedbackOptions.JOIN_TTL, Duration.ZERO);
        conf.set(FeedbackOptions.METRICS_WINDOWS, List.of(Duration.ofHours(1), Duration.ofMinutes(60)));
        conf.set(FeedbackOptions.ADWIN_DELTA, 1.5);
        conf.setString("feedback.drift.windows", "1 fortnight");
        List<String> problems = FeedbackOptions.validate(conf);
        assertThat(String.join("\n", problems))
                .contains("feedback.join.ttl")
                .contains("feedback.metrics.windows")
                .contains("feedback.drift.adwin.delta")
                .contains("feedback.drift.windows");

        Configuration zeroBaseline = new Configuration();
        zeroBaseline.set(FeedbackOptions.DRIFT_BASELINE, Duration.ZERO);
        zeroBaseline.set(FeedbackOptions.DRIFT_BASELINE_IDLE, Duration.ZERO);
        assertThat(FeedbackOptions.validate(zeroBaseline))
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("feedback.drift.baseline must be positive"))
                .anySatisfy(p -> assertThat(p).startsWith("feedback.drift.baseline-idle must be"));
        Configuration badReference = new Configuration();
        badReference.setString("feedback.drift.reference", "validation");
        assertThat(String.join("\n", FeedbackOptions.validate(badReference))).contains("feedback.drift.reference");

        Configuration shortRetention = new Configuration();
        shortRetention.set(FeedbackOptions.COMPLIANCE_RETENTION, Duration.ofDays(1));
        assertThat(FeedbackOptions.validate(shortRetention))
                .singleElement()
                .asString()
                .contains("feedback.compliance.retention")
                .contains("feedback.join.ttl");
    }

    @Test
    void shouldNameWindowKindsAndBucketFilesByPolicyAndUtcDay() {
        assertThat(Windows.kind(Duration.ofHours(1).toMillis())).isEqualTo("1h");
        assertThat(Windows.kind(Duration.ofHours(24).toMillis())).isEqualTo("24h");
        assertThat(Windows.kind(Duration.ofMinutes(15).toMillis())).isEqualTo("15m");
        assertThat(Windows.kind(1500)).isEqualTo("1500ms");
        assertThat(Windows.start(FeedbackFixtures.T0 + 5_400_000L, 3_600_000L))
                .isEqualTo(FeedbackFixtures.T0 + 3_600_000L);

        TrainingExample example = TrainingExample.newBuilder()
                .setContentId("c")
                .setPolicyId("hate speech/x")
                .setUserId("u")
                .setSurface("s")
                .setLocale("en")
                .setViolating(true)
                .setLabelSource("REVIEW")
                .setPropensity(1)
                .setWeight(1)
                .setBand("REVIEW")
                .setFusedRisk(0.5)
                .setUserRisk(new io.moderato.schemas.WindowedUserRisk(0.5, 0.5, 0, 1))
                .setConfigVersion(1)
                .setEventTimeMillis(FeedbackFixtures.T0 + 86_400_000L - 1)
                .setDecidedAtMillis(FeedbackFixtures.T0)
                .setLabelledAtMillis(FeedbackFixtures.T0)
                .build();
        assertThat(new TrainingExampleFileSink.ByPolicyAndDay().getBucketId(example, null))
                .isEqualTo("policy=hate_speech_x/day=2026-01-01");
    }
}
