package io.meridian.storage.engine;

import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.shard.ShardOptions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Shared fixtures: a database with 10s base, 1m and 1h rollups, and a fixed clock. */
final class TestShards {
    /** 2026-01-02T00:00:00Z: "now" for tests; data is written during 2026-01-01. */
    static final long NOW = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();

    static final long DAY = 86_400_000L;
    static final long T0 = NOW - DAY;

    private TestShards() {}

    static DatabaseOptions database() {
        return new DatabaseOptions(
                "db",
                1,
                List.of(
                        IntervalSpec.parse("10s", "30d"),
                        IntervalSpec.parse("1m", "90d"),
                        IntervalSpec.parse("1h", "365d")));
    }

    static ShardOptions options() {
        return ShardOptions.defaults(database()).withClock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }
}
