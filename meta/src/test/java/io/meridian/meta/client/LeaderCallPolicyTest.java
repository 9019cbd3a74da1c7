package io.meridian.meta.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderCallPolicyTest {

    @Test
    void defaultsAndAdjustments() {
        LeaderCallPolicy p = LeaderCallPolicy.of(Duration.ofSeconds(30));
        assertThat(p.backoffMin()).isEqualTo(Duration.ofMillis(10));
        assertThat(p.backoffMax()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.attemptMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.failFast()).isEmpty();
        LeaderCallPolicy q = p.withBackoffMax(Duration.ofSeconds(1))
                .withAttemptMax(Duration.ofSeconds(5))
                .withFailFast(ErrorCode.DISK_FULL);
        assertThat(q.backoffMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(q.attemptMax()).isEqualTo(Duration.ofSeconds(5));
        assertThat(q.failFast()).containsExactly(ErrorCode.DISK_FULL);
        assertThat(q.timeout()).isEqualTo(p.timeout());
    }

    @Test
    void refusesBoundsThatCannotWork() {
        assertThatThrownBy(() -> LeaderCallPolicy.of(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=PT0S");
        assertThatThrownBy(() -> new LeaderCallPolicy(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(1),
                        Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backoffMin=PT2S");
        assertThatThrownBy(() -> new LeaderCallPolicy(
                        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ZERO, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptMax");
    }
}
