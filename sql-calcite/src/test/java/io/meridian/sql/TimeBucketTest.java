package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** time_bucket in a time zone and in calendar months: DST days, month lengths, bad zones and widths. */
class TimeBucketTest {
    private final List<QuerySpec> specs = new ArrayList<>();
    private final SqlEngine engine = new SqlEngine(
            new TestCatalog()
                    .database("tsbs", 10_000, Duration.ofDays(30).toMillis())
                    .metric("cpu", List.of("hostname"), "usage_user", FieldType.GAUGE),
            spec -> {
                specs.add(spec);
                return new QueryResult(List.of(), List.of(), List.of());
            },
            Duration.ofSeconds(10),
            1000);

    private static long ms(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private Object one(String expression) {
        return engine.execute("tsbs", "SELECT " + expression).rows().get(0).get(0);
    }

    @Test
    void dayBucketsInAZoneStartAtLocalMidnightAndLast23Or25HoursAcrossDst() {
        long day = Duration.ofDays(1).toMillis();
        // Paris: UTC+1 in winter, UTC+2 in summer; 2026-03-29 has 23 hours, 2026-10-25 has 25
        assertThat(TimeBucketFunction.evalZoned(day, ms("2026-03-29T12:00:00Z"), "Europe/Paris"))
                .isEqualTo(ms("2026-03-28T23:00:00Z"));
        assertThat(TimeBucketFunction.evalZoned(day, ms("2026-03-30T12:00:00Z"), "Europe/Paris"))
                .isEqualTo(ms("2026-03-29T22:00:00Z"))
                .as("23 h later");
        assertThat(TimeBucketFunction.evalZoned(day, ms("2026-10-25T23:30:00Z"), "Europe/Paris"))
                .isEqualTo(ms("2026-10-25T23:00:00Z"));
        assertThat(TimeBucketFunction.evalZoned(day, ms("2026-10-25T22:59:59Z"), "Europe/Paris"))
                .as("the 25-hour day")
                .isEqualTo(ms("2026-10-24T22:00:00Z"));
        assertThat(TimeBucketFunction.evalZoned(Duration.ofHours(1).toMillis(), ms("2026-01-01T10:50:00Z"), "+05:30"))
                .as("an offset of half an hour")
                .isEqualTo(ms("2026-01-01T10:30:00Z"));
    }

    @Test
    void monthBucketsFollowTheCalendar() {
        assertThat(TimeBucketFunction.evalMonths(1, ms("2026-02-28T23:59:59Z"))).isEqualTo(ms("2026-02-01T00:00:00Z"));
        assertThat(TimeBucketFunction.evalMonths(1, ms("2024-02-29T12:00:00Z"))).isEqualTo(ms("2024-02-01T00:00:00Z"));
        assertThat(TimeBucketFunction.evalMonths(3, ms("2026-12-05T00:00:00Z")))
                .as("quarters")
                .isEqualTo(ms("2026-10-01T00:00:00Z"));
        assertThat(TimeBucketFunction.evalMonths(12, ms("1969-06-01T00:00:00Z")))
                .as("before the epoch")
                .isEqualTo(ms("1969-01-01T00:00:00Z"));
        assertThat(TimeBucketFunction.evalMonthsZoned(1, ms("2026-03-31T22:30:00Z"), "Europe/Paris"))
                .as("already April in Paris")
                .isEqualTo(ms("2026-03-31T22:00:00Z"));
    }

    @Test
    void theFormsAreReachableFromSql() {
        assertThat(one("time_bucket(INTERVAL '1' DAY, TIMESTAMP '2026-03-30 12:00:00', 'Europe/Paris')"))
                .isEqualTo("2026-03-29T22:00:00Z");
        assertThat(one("time_bucket(INTERVAL '1' MONTH, TIMESTAMP '2026-02-14 10:00:00')"))
                .isEqualTo("2026-02-01T00:00:00Z");
        assertThat(one("time_bucket(INTERVAL '1' YEAR, TIMESTAMP '2026-02-14 10:00:00', 'America/New_York')"))
                .isEqualTo("2026-01-01T05:00:00Z");
        engine.execute(
                "tsbs",
                "SELECT time_bucket(INTERVAL '1' DAY, ts, 'Europe/Paris') AS d, MAX(usage_user) FROM cpu "
                        + "WHERE ts >= TIMESTAMP '2026-01-01 00:00:00' GROUP BY time_bucket(INTERVAL '1' DAY, ts, 'Europe/Paris')");
        assertThat(specs.get(specs.size() - 1).bucketMs())
                .as("grouped above the slots")
                .isEqualTo(10_000);
        engine.execute(
                "tsbs",
                "SELECT time_bucket(INTERVAL '1' MONTH, ts) AS m, MAX(usage_user) FROM cpu "
                        + "GROUP BY time_bucket(INTERVAL '1' MONTH, ts)");
        assertThat(specs.get(specs.size() - 1).bucketMs())
                .as("months: grouped above the slots")
                .isEqualTo(10_000);
    }

    @Test
    void anUnknownZoneOrABucketFinerThanTheSlotsIsA400NamingTheArgument() {
        assertThatThrownBy(() -> one("time_bucket(INTERVAL '1' DAY, TIMESTAMP '2026-01-01 00:00:00', 'Europe/Parsi')"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown time zone [function=time_bucket, " + "argument=3]: 'Europe/Parsi'");
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT time_bucket(INTERVAL '1' SECOND, ts) AS b, "
                                + "MAX(usage_user) FROM cpu GROUP BY time_bucket(INTERVAL '1' SECOND, ts)"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(
                        "invalid bucket width [function=time_bucket, argument=1]: 1000 ms is finer than the "
                                + "database's base interval of 10000 ms");
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT time_bucket(INTERVAL '15' SECOND, ts) AS b, "
                                + "MAX(usage_user) FROM cpu GROUP BY time_bucket(INTERVAL '15' SECOND, ts)"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a multiple of");
        assertThat(specs).as("nothing ran").isEmpty();
    }
}
