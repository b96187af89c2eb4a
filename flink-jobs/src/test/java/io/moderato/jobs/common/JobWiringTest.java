package io.moderato.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.jobs.detection.DetectionOptions;
import io.moderato.jobs.feedback.FeedbackOptions;
import io.moderato.schemas.PolicyConfig;
import io.moderato.udfs.config.PolicyDefaults;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobWiringTest {

    @TempDir
    Path tmp;

    @Test
    void shouldParseKeyValuePairsAndNameTheArgumentThatIsWrong() {
        assertThat(JobWiring.parseArgs(new String[] {"--a.b", "1", "--c", "x y"}))
                .containsOnly(java.util.Map.entry("a.b", "1"), java.util.Map.entry("c", "x y"));
        assertThat(JobWiring.parseArgs(new String[0])).isEmpty();
        assertThatThrownBy(() -> JobWiring.parseArgs(new String[] {"--a", "1", "--b"}))
                .hasMessageContaining("option --b needs a value");
        assertThatThrownBy(() -> JobWiring.parseArgs(new String[] {"a", "1"}))
                .hasMessageContaining("expected --key value, got 'a'");
    }

    @Test
    void shouldLoadPolicyDefaultsFromTheClasspathOrAFileAndNameTheKeyWhenNeitherExists() throws Exception {
        // both jobs default to the one shipped file in the udfs jar
        assertThat(DetectionOptions.POLICY_DEFAULTS.defaultValue()).isEqualTo(PolicyDefaults.RESOURCE);
        assertThat(FeedbackOptions.POLICY_DEFAULTS.defaultValue()).isEqualTo(PolicyDefaults.RESOURCE);
        List<PolicyConfig> bundled =
                JobWiring.policyDefaults(PolicyDefaults.RESOURCE, DetectionOptions.POLICY_DEFAULTS);
        assertThat(bundled).isEqualTo(PolicyDefaults.shipped());

        Path file = tmp.resolve("defaults.json");
        Files.writeString(file, "[" + PolicyDefaults.toJson(bundled.get(0)) + "]", StandardCharsets.UTF_8);
        assertThat(JobWiring.policyDefaults(file.toString(), DetectionOptions.POLICY_DEFAULTS))
                .containsExactly(bundled.get(0));

        assertThatThrownBy(() -> JobWiring.policyDefaults(
                        tmp.resolve("missing.json").toString(), FeedbackOptions.POLICY_DEFAULTS))
                .isInstanceOf(UncheckedIOException.class)
                .hasStackTraceContaining("missing.json")
                .hasStackTraceContaining(FeedbackOptions.POLICY_DEFAULTS.key());
    }

    @Test
    void shouldListEveryDeclaredOptionOnce() {
        List<ConfigOption<?>> detection = JobWiring.optionsOf(DetectionOptions.class);
        assertThat(detection)
                .contains(
                        DetectionOptions.POLICY_DEFAULTS,
                        DetectionOptions.TOPIC_DECISIONS,
                        DetectionOptions.BATCH_MAX_SIZE)
                .doesNotHaveDuplicates();
        assertThat(JobWiring.optionsOf(FeedbackOptions.class))
                .contains(FeedbackOptions.TOPIC_UNMATCHED_LABELS)
                .doesNotContain(DetectionOptions.TOPIC_DECISIONS)
                .doesNotHaveDuplicates();
        assertThat(JobWiring.optionsOf(String.class)).isEmpty();
    }
}
