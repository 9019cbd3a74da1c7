package io.meridian.sql.influxql;

import io.meridian.common.model.FieldType;
import io.meridian.sql.SqlAnswer;
import io.meridian.sql.SqlEngine;
import io.meridian.sql.TestCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The data every InfluxQL test reads: database {@code telegraf} (10 s slots, kept 10 years so points of 2024 are
 * inside it whatever the machine's clock says), its metrics, points held by a {@link MemoryExecutor} behind a real
 * {@link SqlEngine}, and an {@link InfluxQlService} whose clock stands at {@link #NOW}. Every SQL statement the
 * service runs is recorded in {@link #sql}.
 *
 * <pre>
 * cpu  host=h1,region=eu usage_user: T0 1, +10s 2, +20s 3, +60s 7, +70s 9, +90s 10
 *                        usage_idle: +60s 50
 *      host=h2,region=us usage_user: T0 10, +30s 20, +90s 50
 * net  host=h1 bytes_recv: T0 100, +10s 200, +20s 400, +30s 350, +40s 450
 * </pre>
 */
final class InfluxFixture {
    static final long T0 = Instant.parse("2024-12-05T12:00:00Z").toEpochMilli();
    static final long NOW = T0 + 600_000;
    static final String DB = "telegraf";

    final TestCatalog catalog = new TestCatalog()
            .database(DB, 10_000, Duration.ofDays(3650).toMillis())
            .metric(
                    "cpu",
                    List.of("host", "region"),
                    "usage_user",
                    FieldType.GAUGE,
                    "usage_system",
                    FieldType.GAUGE,
                    "usage_idle",
                    FieldType.GAUGE)
            .metric("net", List.of("host", "interface"), "bytes_recv", FieldType.GAUGE, "bytes_sent", FieldType.GAUGE)
            .metric("http", List.of("path"), "requests", FieldType.SUM, "latency", FieldType.HISTOGRAM)
            .tagValues("cpu", "host", List.of("h1", "h2"))
            .tagValues("cpu", "region", List.of("eu", "us"))
            .tagValues("net", "host", List.of("h1"))
            .database("other", 60_000, Duration.ofDays(30).toMillis())
            .metric("cpu", List.of("host"), "usage_user", FieldType.GAUGE);
    final MemoryExecutor executor = new MemoryExecutor();
    final SqlEngine engine = new SqlEngine(catalog, executor, Duration.ofSeconds(10), 10_000);
    final List<String> sql = new ArrayList<>();
    final InfluxQlService service = new InfluxQlService(
            catalog,
            (db, text) -> {
                sql.add(text);
                return engine.execute(db, text);
            },
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    InfluxFixture() {
        Map<String, String> h1 = Map.of("host", "h1", "region", "eu");
        Map<String, String> h2 = Map.of("host", "h2", "region", "us");
        long[][] cpu1 = {{0, 1}, {10, 2}, {20, 3}, {60, 7}, {70, 9}, {90, 10}};
        for (long[] p : cpu1) {
            executor.add("cpu", h1, "usage_user", T0 + p[0] * 1000, p[1]);
        }
        executor.add("cpu", h1, "usage_idle", T0 + 60_000, 50);
        long[][] cpu2 = {{0, 10}, {30, 20}, {90, 50}};
        for (long[] p : cpu2) {
            executor.add("cpu", h2, "usage_user", T0 + p[0] * 1000, p[1]);
        }
        long[][] net = {{0, 100}, {10, 200}, {20, 400}, {30, 350}, {40, 450}};
        for (long[] p : net) {
            executor.add("net", Map.of("host", "h1", "interface", "eth0"), "bytes_recv", T0 + p[0] * 1000, p[1]);
        }
    }

    /** {@code time >= T0+fromS s and time <= T0+toS s}, as Grafana writes a range (ms epochs). */
    static String range(long fromS, long toS) {
        return "time >= " + (T0 + fromS * 1000) + "ms and time <= " + (T0 + toS * 1000) + "ms";
    }

    InfluxQlResponse run(String q) {
        return service.execute(DB, q, Epoch.RFC3339);
    }

    InfluxQlResponse runMs(String q) {
        return service.execute(DB, q, Epoch.MILLISECONDS);
    }

    SqlAnswer sql(String text) {
        return engine.execute(DB, text);
    }

    /** The one series of a one-statement answer. */
    static InfluxQlResponse.Series only(InfluxQlResponse r) {
        List<InfluxQlResponse.Series> series = r.results().get(0).series();
        if (r.results().get(0).error() != null || series.size() != 1) {
            throw new AssertionError("want one series, got " + r.toJson());
        }
        return series.get(0);
    }

    /** A row: time then values (nulls allowed). */
    static List<Object> row(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }
}
