package io.moderato.udfs.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moderato.schemas.UserSignal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextFeaturesTest {

    private static UserSignal user(int ageDays, int strikes, int reports, boolean verified, Map<String, Double> extra) {
        return UserSignal.newBuilder()
                .setUserId("u1")
                .setAccountAgeDays(ageDays)
                .setPriorStrikes(strikes)
                .setRecentReports(reports)
                .setVerified(verified)
                .setUpdatedAtMillis(0L)
                .setExtraFeatures(extra)
                .build();
    }

    @Test
    void shouldComputeTheDocumentedFeaturesOfAKnownUser() {
        Map<String, Double> f = ContextFeatures.of(user(45, 3, 7, true, Map.of()));
        assertThat(f)
                .containsOnlyKeys(
                        ContextFeatures.NEW_ACCOUNT,
                        ContextFeatures.PRIOR_STRIKES,
                        ContextFeatures.RECENT_REPORTS,
                        ContextFeatures.VERIFIED,
                        ContextFeatures.UNKNOWN_USER);
        assertThat(f.get("ctx.new_account")).isCloseTo(0.22313016014842982, within(1e-15)); // exp(-45/30)
        assertThat(f.get("ctx.prior_strikes")).isCloseTo(1.3862943611198906, within(1e-15)); // ln 4
        assertThat(f.get("ctx.recent_reports")).isCloseTo(2.0794415416798357, within(1e-15)); // ln 8
        assertThat(f.get("ctx.verified")).isEqualTo(1.0);
        assertThat(f.get("ctx.unknown_user")).isEqualTo(0.0);
    }

    @Test
    void shouldGiveABrandNewCleanAccountNewAccountOneAndCountsZero() {
        Map<String, Double> f = ContextFeatures.of(user(0, 0, 0, false, Map.of()));
        assertThat(f)
                .containsEntry("ctx.new_account", 1.0)
                .containsEntry("ctx.prior_strikes", 0.0)
                .containsEntry("ctx.recent_reports", 0.0)
                .containsEntry("ctx.verified", 0.0);
    }

    @Test
    void shouldMarkAnUnknownUserAndLeaveEveryOtherFeatureNeutral() {
        assertThat(ContextFeatures.of(null))
                .containsExactly(
                        Map.entry("ctx.new_account", 0.0),
                        Map.entry("ctx.prior_strikes", 0.0),
                        Map.entry("ctx.recent_reports", 0.0),
                        Map.entry("ctx.unknown_user", 1.0),
                        Map.entry("ctx.verified", 0.0));
    }

    @Test
    void shouldReturnKeysInSortedOrder() {
        assertThat(ContextFeatures.of(user(1, 1, 1, false, Map.of("zeta", 1.0, "alpha", 2.0)))
                        .keySet())
                .containsExactly(
                        "ctx.alpha",
                        "ctx.new_account",
                        "ctx.prior_strikes",
                        "ctx.recent_reports",
                        "ctx.unknown_user",
                        "ctx.verified",
                        "ctx.zeta");
    }

    @Test
    void shouldClampNegativeUpstreamValuesToZero() {
        Map<String, Double> f = ContextFeatures.of(user(-10, -2, -1, false, Map.of()));
        assertThat(f)
                .containsEntry("ctx.new_account", 1.0)
                .containsEntry("ctx.prior_strikes", 0.0)
                .containsEntry("ctx.recent_reports", 0.0);
    }

    @Test
    void shouldAddFiniteExtraFeaturesWithoutLettingThemOverrideBuiltIns() {
        Map<String, Double> f = ContextFeatures.of(
                user(30, 0, 0, false, Map.of("follower_ratio", 0.3, "verified", 1.0, "broken", Double.NaN)));
        assertThat(f)
                .containsEntry("ctx.follower_ratio", 0.3)
                .containsEntry("ctx.verified", 0.0)
                .doesNotContainKey("ctx.broken");
    }
}
