package io.meridian.meta.client;

import io.meridian.common.error.ErrorCode;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link ShardLeaderClient} retries a call: the whole call's timeout, one attempt's longest deadline, the
 * exponential back-off between attempts (with jitter), and the retriable codes that should reach the caller at
 * once instead of being retried (a broker answers DISK_FULL with 507 at once; a sink waits it out).
 *
 * @param timeout    how long one call may take, retries included
 * @param attemptMax the longest deadline of one attempt (a frozen leader costs at most this before a retry)
 * @param backoffMin the first pause after a retriable answer
 * @param backoffMax the longest pause; each pause doubles up to it, and a random part of it (jitter) is skipped
 * @param failFast   retriable codes thrown at once
 */
public record LeaderCallPolicy(
        Duration timeout, Duration attemptMax, Duration backoffMin, Duration backoffMax, Set<ErrorCode> failFast) {
    public static final Duration DEFAULT_ATTEMPT_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(10);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(500);

    public LeaderCallPolicy {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(attemptMax, "attemptMax");
        Objects.requireNonNull(backoffMin, "backoffMin");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (timeout.isNegative()
                || timeout.isZero()
                || attemptMax.isNegative()
                || attemptMax.isZero()
                || backoffMin.isNegative()
                || backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("invalid leader call policy [timeout=" + timeout + ", attemptMax="
                    + attemptMax + ", backoffMin=" + backoffMin + ", backoffMax=" + backoffMax + "]");
        }
        failFast = failFast.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(failFast));
    }

    /** Calls bounded by {@code timeout}, with the default back-off (10 ms doubling to 500 ms) and attempt deadline. */
    public static LeaderCallPolicy of(Duration timeout) {
        return new LeaderCallPolicy(timeout, DEFAULT_ATTEMPT_MAX, DEFAULT_BACKOFF_MIN, DEFAULT_BACKOFF_MAX, Set.of());
    }

    public LeaderCallPolicy withBackoffMax(Duration max) {
        return new LeaderCallPolicy(timeout, attemptMax, backoffMin, max, failFast);
    }

    public LeaderCallPolicy withAttemptMax(Duration max) {
        return new LeaderCallPolicy(timeout, max, backoffMin, backoffMax, failFast);
    }

    public LeaderCallPolicy withFailFast(ErrorCode... codes) {
        return new LeaderCallPolicy(timeout, attemptMax, backoffMin, backoffMax, Set.of(codes));
    }
}
