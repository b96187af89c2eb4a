package io.moderato.udfs.config;

import static io.moderato.udfs.config.TestPolicies.valid;
import static io.moderato.udfs.config.TestPolicies.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moderato.schemas.PolicyConfig;
import org.junit.jupiter.api.Test;

class PolicyConfigEvaluatorTest {

    @Test
    void shouldAcceptTheFirstValidConfigOfAPolicy() {
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(null, version(1));
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.ACCEPTED);
        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.previousVersion()).isNull();
        assertThat(verdict.reason(1)).isNull();
    }

    @Test
    void shouldAcceptANewerValidConfig() {
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(version(3), version(4));
        assertThat(verdict).isEqualTo(new ConfigVerdict(ConfigVerdict.ACCEPTED, java.util.List.of(), 3L));
    }

    @Test
    void shouldRejectAnInvalidConfigAndNameThePreviousVersionThatStays() {
        PolicyConfig invalid = valid().setVersion(5L)
                .setReviewThreshold(0.95)
                .setSeverity(-1.0)
                .build();
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(version(4), invalid);
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.REJECTED);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.previousVersion()).isEqualTo(4L);
        assertThat(verdict.violations())
                .containsExactly(
                        "reviewThreshold = 0.95 must be <= actionThreshold = 0.9",
                        "severity = -1.0 must be finite and >= 0");
        assertThat(verdict.reason(5))
                .isEqualTo("invalid: 2 violations (reviewThreshold = 0.95 must be <= actionThreshold = 0.9; "
                        + "severity = -1.0 must be finite and >= 0), version 4 stays in force");
    }

    @Test
    void shouldRejectAnInvalidFirstConfig() {
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(
                null, valid().setFusionStrategy("nope").build());
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.REJECTED);
        assertThat(verdict.previousVersion()).isNull();
        assertThat(verdict.reason(1))
                .isEqualTo("invalid: 1 violation (fusionStrategy = 'nope' must be one of "
                        + "[weighted_logit, noisy_or, max]), the policy has no config in force");
    }

    @Test
    void shouldKeepTheReasonOfAnOversizedConfigToOneShortLine() {
        PolicyConfig huge = valid().setVersion(5L)
                .setChangeNote("x".repeat(5 * 1024 * 1024))
                .setFusionStrategy("y".repeat(100_000))
                .build();
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(version(4), huge);
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.REJECTED);
        assertThat(verdict.violations())
                .anyMatch(v -> v.startsWith("field 'changeNote' has 5242880 characters, more than 4096"));
        assertThat(verdict.violations()).anyMatch(v -> v.contains("bytes serialized, more than 65536"));
        assertThat(verdict.violations()).allMatch(v -> v.length() < 300);
        assertThat(verdict.reason(5))
                .hasSizeLessThanOrEqualTo(ConfigVerdict.MAX_REASON_CHARS)
                .endsWith("version 4 stays in force");
    }

    @Test
    void shouldIgnoreAnOlderVersionAsStale() {
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(version(7), version(6));
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.IGNORED_STALE);
        assertThat(verdict.previousVersion()).isEqualTo(7L);
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.reason(6)).isEqualTo("version 6 is not above version 7 in force");
    }

    @Test
    void shouldIgnoreAResubmittedEqualVersionAsStale() {
        PolicyConfig changed = valid().setVersion(7L).setActionThreshold(0.99).build();
        assertThat(PolicyConfigEvaluator.evaluate(version(7), changed).status()).isEqualTo(ConfigVerdict.IGNORED_STALE);
    }

    @Test
    void shouldReportAnInvalidStaleConfigAsRejectedSoThePublisherSeesWhy() {
        PolicyConfig invalidAndOld = valid().setVersion(2L).setAutoAction("BAN").build();
        ConfigVerdict verdict = PolicyConfigEvaluator.evaluate(version(7), invalidAndOld);
        assertThat(verdict.status()).isEqualTo(ConfigVerdict.REJECTED);
        assertThat(verdict.violations()).containsExactly("autoAction = 'BAN' must be one of [REMOVE, LIMIT]");
    }

    @Test
    void shouldRefuseToCompareConfigsOfDifferentPolicies() {
        PolicyConfig other = valid().setPolicyId("nudity").setVersion(9L).build();
        assertThatThrownBy(() -> PolicyConfigEvaluator.evaluate(version(1), other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nudity")
                .hasMessageContaining("spam");
    }
}
