package io.meridian.sql.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket starts of GROUP BY time(): epoch-aligned, offset, and local days across a DST change. */
class BucketingTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    private static long t(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void bucketsAreAlignedToTheEpochPlusTheOffset() {
        Bucketing b = Bucketing.of(30 * MINUTE, -15 * MINUTE, null, 0, DAY);
        assertThat(b.offsetMs())
                .as("a negative offset is taken modulo the width")
                .isEqualTo(15 * MINUTE);
        assertThat(b.floor(t("2024-12-05T12:10:00Z"))).isEqualTo(t("2024-12-05T11:45:00Z"));
        assertThat(b.next(t("2024-12-05T11:45:00Z"))).isEqualTo(t("2024-12-05T12:15:00Z"));
        assertThat(b.sql(false)).isEqualTo("time_bucket(INTERVAL '30' MINUTE, \"ts\" - INTERVAL '15' MINUTE)");
    }

    @Test
    void aZoneWhoseOffsetsAreMultiplesOfTheWidthChangesNothing() {
        Bucketing tenMinutes =
                Bucketing.of(10 * MINUTE, 0, PARIS, t("2024-01-01T00:00:00Z"), t("2024-12-31T00:00:00Z"));
        assertThat(tenMinutes.zoned()).isFalse();
        assertThat(tenMinutes.sql(true)).isEqualTo("time_bucket_gapfill(INTERVAL '10' MINUTE, \"ts\")");
        assertThat(Bucketing.of(DAY, 0, PARIS, 0, DAY).zoned()).isTrue();
        assertThat(Bucketing.of(MINUTE * 60, 0, ZoneId.of("Asia/Kolkata"), 0, DAY)
                        .zoned())
                .as("+05:30")
                .isTrue();
    }

    @Test
    void localDaysLast23Or25HoursAcrossDaylightSavingChanges() {
        Bucketing day = Bucketing.of(DAY, 0, PARIS, t("2024-10-01T00:00:00Z"), t("2024-11-01T00:00:00Z"));
        long oct27 = t("2024-10-26T22:00:00Z"); // local midnight, summer time
        assertThat(day.floor(t("2024-10-27T12:00:00Z"))).isEqualTo(oct27);
        assertThat(day.next(oct27)).as("a 25-hour day").isEqualTo(t("2024-10-27T23:00:00Z"));
        long mar31 = t("2024-03-30T23:00:00Z");
        assertThat(Bucketing.of(DAY, 0, PARIS, 0, t("2024-04-30T00:00:00Z")).next(mar31))
                .as("a 23-hour day")
                .isEqualTo(t("2024-03-31T22:00:00Z"));
        assertThat(day.sql(false)).isEqualTo("time_bucket(INTERVAL '1' DAY, \"ts\", 'Europe/Paris')");
    }

    @Test
    void intervalLiteralsUseTheLargestUnitAndAPrecisionPastTwoDigits() {
        assertThat(SqlText.interval(10_000)).isEqualTo("INTERVAL '10' SECOND");
        assertThat(SqlText.interval(150_000)).isEqualTo("INTERVAL '150' SECOND(3)");
        assertThat(SqlText.interval(7 * DAY)).isEqualTo("INTERVAL '7' DAY");
        assertThat(SqlText.interval(1_500)).isEqualTo("INTERVAL '1.500' SECOND");
        assertThat(SqlText.timestamp(t("2024-12-05T12:00:00.123Z"))).isEqualTo("TIMESTAMP '2024-12-05 12:00:00.123'");
        assertThat(SqlText.ident("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SqlText.string("it's")).isEqualTo("'it''s'");
    }

    @Test
    void linearFillOfIntegersUsesWholeUnitsPerBucketAsInfluxDb() {
        SelectPlan.AggSlot count = new SelectPlan.AggSlot(
                new Expr.Call("count", List.of(), 0),
                "count",
                "x",
                Double.NaN,
                SelectPlan.AggSlot.Kind.SQL,
                0,
                List.of("COUNT(\"x\")"));
        SelectPlan plan = new SelectPlan(
                "db",
                "m",
                true,
                List.of(),
                List.of(),
                List.of(),
                List.of(count),
                List.of(),
                List.of(),
                List.of(),
                Bucketing.of(10, 0, null, 0, 100),
                new Statement.Fill(Statement.FillMode.LINEAR, 0),
                new TimeWindow(0L, 30L),
                new TimeWindow(0L, 30L),
                0,
                10,
                "",
                null,
                false,
                false,
                0,
                0);
        Object[][] rows = {{1L}, {0L}, {0L}, {4L}};
        FillStage.fill(plan, new long[] {0, 10, 20, 30}, rows, FillStage.points(plan, rows));
        assertThat(Arrays.stream(rows).map(r -> r[0])).containsExactly(1L, 2L, 3L, 4L);
        Object[][] uneven = {{1L}, {0L}, {3L}};
        FillStage.fill(plan, new long[] {0, 10, 20}, uneven, FillStage.points(plan, uneven));
        assertThat(uneven[1]).as("slope (3 - 1) / 2 = 1").containsExactly(2L);
    }
}
