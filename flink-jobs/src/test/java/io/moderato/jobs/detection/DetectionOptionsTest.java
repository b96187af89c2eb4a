package io.moderato.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DetectionJob's options: unique keys, valid defaults, and every invalid value reported by key. */
class DetectionOptionsTest {

    @Test
    void shouldDeclareEveryOptionOnceWithADescription() throws Exception {
        List<String> fields = new ArrayList<>();
        for (Field f : DetectionOptions.class.getDeclaredFields()) {
            if (f.getType() == ConfigOption.class && Modifier.isStatic(f.getModifiers())) {
                assertThat(Modifier.isPublic(f.getModifiers()))
                        .as("%s is public, so all() sees it", f.getName())
                        .isTrue();
                fields.add(f.getName());
            }
        }
        List<String> keys =
                DetectionOptions.all().stream().map(ConfigOption::key).toList();

        assertThat(keys).hasSize(fields.size()).hasSizeGreaterThan(20).doesNotHaveDuplicates();
        assertThat(DetectionOptions.all()).allSatisfy(option -> {
            assertThat(option.key()).matches("[a-z0-9.-]+");
            assertThat(option.description().toString()).as(option.key()).isNotBlank();
        });
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThat(DetectionOptions.validate(new Configuration())).isEmpty();
        assertThat(DetectionOptions.all())
                .filteredOn(ConfigOption::hasDefaultValue)
                .hasSizeGreaterThan(20);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                invalid("detection.scoring.batch.max-size", "0"),
                invalid("detection.scoring.batch.max-size", "4097"),
                invalid("detection.scoring.intra-op-threads", "0"),
                invalid("detection.scoring.intra-op-threads", "65"),
                invalid("detection.scoring.batch.max-wait", "0 ms"),
                // longer than detection.scoring.batch.max-wait (10 ms): a pre-publish item would wait longer
                invalid("detection.scoring.batch.prepublish-max-wait", "11 ms"),
                invalid("detection.user-window.length", "0 s"),
                invalid("detection.user-window.slide", "0 s"),
                invalid("detection.user-signal.ttl", "0 s"),
                invalid("detection.checkpoint.interval", "0 s"),
                invalid("kafka.transaction-timeout-ms", "0"),
                invalid("kafka.bootstrap-servers", " "),
                invalid("detection.topic.content-events", ""),
                invalid("detection.topic.user-signals", " "),
                invalid("detection.topic.policy-config", " "),
                invalid("detection.topic.risk-decisions", " "),
                invalid("detection.topic.review-tasks", " "),
                invalid("detection.topic.enforcement-actions", " "),
                invalid("detection.topic.config-audit", " "),
                invalid("detection.topic.deadletter", " "),
                // state TTL and the window work in whole milliseconds: 500 µs would be 0 ms
                invalid("detection.user-signal.ttl", "500 micro"),
                invalid("detection.user-window.slide", "500 micro"));
    }

    private static Arguments invalid(String key, String value) {
        return Arguments.of(key, value);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("invalidValues")
    void shouldNameTheKeyOfAnInvalidValue(String key, String value) {
        List<String> problems = DetectionOptions.validate(Configuration.fromMap(Map.of(key, value)));

        assertThat(problems).singleElement().asString().startsWith(key + " ");
    }

    @Test
    void shouldRejectANegativeOutOfOrderness() {
        Configuration conf = new Configuration();
        conf.set(DetectionOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(-1));

        assertThat(DetectionOptions.validate(conf))
                .singleElement()
                .asString()
                .startsWith("detection.watermark.out-of-orderness ")
                .contains("-1");
    }

    @Test
    void shouldRequireTheWindowLengthToBeAMultipleOfTheSlide() {
        List<String> problems = DetectionOptions.validate(Configuration.fromMap(
                Map.of("detection.user-window.length", "10 min", "detection.user-window.slide", "3 min")));

        assertThat(problems)
                .singleElement()
                .asString()
                .contains("detection.user-window.length")
                .contains("detection.user-window.slide");
    }

    @Test
    void shouldRefuseAWindowWithMoreBucketsThanTheRiskWindowHolds() {
        // one day by one second is 86,400 buckets per user and policy; SlidingRiskWindow refuses more than
        // 10,000, which would otherwise fail the job on its first content event rather than at start-up
        List<String> problems = DetectionOptions.validate(Configuration.fromMap(
                Map.of("detection.user-window.length", "1 d", "detection.user-window.slide", "1 s")));

        assertThat(problems)
                .singleElement()
                .asString()
                .contains("detection.user-window.length")
                .contains("detection.user-window.slide")
                .contains("10000");
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        List<String> problems = DetectionOptions.validate(Configuration.fromMap(Map.of(
                "detection.scoring.batch.max-size", "0",
                "detection.user-signal.ttl", "0 s",
                "detection.topic.deadletter", " ")));

        assertAll(
                () -> assertThat(problems).hasSize(3),
                () -> assertThat(problems).anyMatch(p -> p.startsWith("detection.scoring.batch.max-size ")),
                () -> assertThat(problems).anyMatch(p -> p.startsWith("detection.user-signal.ttl ")),
                () -> assertThat(problems).anyMatch(p -> p.startsWith("detection.topic.deadletter ")));
    }

    @Test
    void shouldRefuseToBuildTheJobWithAnInvalidConfigurationNamingTheKey() {
        Configuration conf = Configuration.fromMap(Map.of("detection.scoring.batch.max-size", "0"));

        assertThatThrownBy(() -> DetectionJob.build(null, null, null, conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("detection.scoring.batch.max-size");
    }

    @Test
    void shouldNameTheKeyOfAValueThatDoesNotParse() {
        Configuration conf = Configuration.fromMap(Map.of("detection.user-window.length", "fifteen minutes"));

        assertThatThrownBy(() -> DetectionOptions.validate(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("detection.user-window.length");
    }
}
