package io.meridian.sql.influxql;

import static io.meridian.sql.influxql.InfluxFixture.only;
import static io.meridian.sql.influxql.InfluxFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.FieldType;
import io.meridian.sql.TestCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SHOW statements Grafana and the influx CLI send, answered from the catalog (and SQL for their WHERE). */
class InfluxQlShowTest {
    private final InfluxFixture f = new InfluxFixture();

    private List<InfluxQlResponse.Series> series(String q) {
        InfluxQlResponse r = f.run(q);
        assertThat(r.results().get(0).error()).as(q).isNull();
        return r.results().get(0).series();
    }

    @Test
    void databasesAndRetentionPolicies() {
        assertThat(f.run("SHOW DATABASES").toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":"
                        + "\"databases\",\"columns\":[\"name\"],\"values\":[[\"telegraf\"],[\"other\"]]}]}]}");
        assertThat(f.run("SHOW RETENTION POLICIES on \"telegraf\"; SHOW RETENTION POLICIES ON other")
                        .toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"name\",\"duration\","
                        + "\"shardGroupDuration\",\"replicaN\",\"default\"],\"values\":[[\"autogen\",\"87600h0m0s\","
                        + "\"168h0m0s\",1,true]]}]},{\"statement_id\":1,\"series\":[{\"columns\":[\"name\",\"duration\","
                        + "\"shardGroupDuration\",\"replicaN\",\"default\"],\"values\":[[\"autogen\",\"720h0m0s\","
                        + "\"24h0m0s\",1,true]]}]}]}");
        assertThat(f.service
                        .execute(null, "SHOW RETENTION POLICIES", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("database name required");
        assertThat(f.service
                        .execute(null, "SHOW DATABASES", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .error())
                .isNull();
    }

    @Test
    void measurementsWithNameRegexAndTagFilter() {
        assertThat(only(f.run("SHOW MEASUREMENTS LIMIT 100")).values())
                .containsExactly(row("cpu"), row("http"), row("net"));
        assertThat(only(f.run("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CP/ LIMIT 100"))
                        .values())
                .containsExactly(row("cpu"));
        assertThat(only(f.run("SHOW MEASUREMENTS WITH MEASUREMENT = net")).values())
                .containsExactly(row("net"));
        assertThat(only(f.run("SHOW MEASUREMENTS LIMIT 1 OFFSET 1")).values()).containsExactly(row("http"));
        assertThat(only(f.run("SHOW MEASUREMENTS WHERE \"host\" = 'h1' LIMIT 100"))
                        .values())
                .containsExactly(row("cpu"), row("net"));
        assertThat(f.sql)
                .as("http has no host tag: nothing to ask")
                .containsExactly(
                        "SELECT COUNT(*) FROM \"cpu\" WHERE \"host\" = 'h1'",
                        "SELECT COUNT(*) FROM \"net\" WHERE \"host\" = 'h1'");
        assertThat(f.run("SHOW MEASUREMENTS WHERE \"host\" = 'h9'").toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0}]}");
    }

    @Test
    void tagKeysPerMeasurement() {
        assertThat(only(f.run("SHOW TAG KEYS FROM \"cpu\"")).values()).containsExactly(row("host"), row("region"));
        List<InfluxQlResponse.Series> all = series("SHOW TAG KEYS");
        assertThat(all).extracting(InfluxQlResponse.Series::name).containsExactly("cpu", "http", "net");
        assertThat(all.get(2).columns()).containsExactly("tagKey");
        assertThat(all.get(2).values()).containsExactly(row("host"), row("interface"));
        assertThat(series("SHOW TAG KEYS FROM \"autogen\".\"net\" LIMIT 1 OFFSET 1")
                        .get(0)
                        .values())
                .containsExactly(row("interface"));
    }

    @Test
    void tagValuesFromTheCatalogOrThroughSql() {
        assertThat(f.run("SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\"").toJson())
                .isEqualTo("{\"results\":[{"
                        + "\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\","
                        + "\"h1\"],[\"host\",\"h2\"]]}]}]}");
        assertThat(f.catalog.tagValueCalls)
                .containsExactly(
                        new TestCatalog.TagValuesCall("telegraf", "cpu", "host", ShowRunner.MAX_TAG_VALUES + 1));
        assertThat(f.sql).isEmpty();
        assertThat(only(f.run("SHOW TAG VALUES FROM cpu WITH KEY IN (\"host\", \"region\") LIMIT 3"))
                        .values())
                .containsExactly(row("host", "h1"), row("host", "h2"), row("region", "eu"));
        assertThat(only(f.run("SHOW TAG VALUES FROM cpu WITH KEY =~ /^reg/")).values())
                .containsExactly(row("region", "eu"), row("region", "us"));
        assertThat(only(f.run("SHOW TAG VALUES FROM cpu WITH KEY != host")).values())
                .containsExactly(row("region", "eu"), row("region", "us"));
        assertThat(series("SHOW TAG VALUES WITH KEY = \"host\""))
                .extracting(InfluxQlResponse.Series::name)
                .containsExactly("cpu", "net");
        assertThat(only(f.run("SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"region\" = 'eu'"))
                        .values())
                .containsExactly(row("host", "h1"));
        assertThat(f.sql).containsExactly("SELECT DISTINCT \"host\" FROM \"cpu\" WHERE \"region\" = 'eu'");
    }

    @Test
    void aTagWithMoreValuesThanTheBoundFailsUnlessLimited() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i <= ShowRunner.MAX_TAG_VALUES; i++) {
            values.add("v" + i);
        }
        TestCatalog catalog = new TestCatalog()
                .database("db", 10_000, 86_400_000)
                .metric("m", List.of("k"), "x", FieldType.GAUGE)
                .tagValues("m", "k", values);
        InfluxQlService service = new InfluxQlService(
                catalog,
                (db, sql) -> {
                    throw new AssertionError("no SQL: " + sql);
                },
                Clock.systemUTC());
        assertThat(service.execute("db", "SHOW TAG VALUES FROM m WITH KEY = k", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("too many tag values [database=db, measurement=m, key=k]: more than 10000; add LIMIT, or a "
                        + "WHERE clause");
        assertThat(service.execute("db", "SHOW TAG VALUES FROM m WITH KEY = k LIMIT 2 OFFSET 1", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .series()
                        .get(0)
                        .values())
                .containsExactly(row("k", "v1"), row("k", "v10"));
    }

    @Test
    void fieldKeysAreFloatsSortedByName() {
        assertThat(f.run("SHOW FIELD KEYS FROM \"cpu\"").toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":"
                        + "[{\"name\":\"cpu\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"usage_idle\",\"float\"],"
                        + "[\"usage_system\",\"float\"],[\"usage_user\",\"float\"]]}]}]}");
        assertThat(series("SHOW FIELD KEYS").get(1).values())
                .as("a histogram and a sum field read as floats too")
                .containsExactly(row("latency", "float"), row("requests", "float"));
    }

    @Test
    void seriesKeys() {
        assertThat(only(f.run("SHOW SERIES FROM cpu")).values())
                .containsExactly(row("cpu,host=h1,region=eu"), row("cpu,host=h2,region=us"));
        assertThat(only(f.run("SHOW SERIES WHERE host = 'h1' LIMIT 5")).values())
                .containsExactly(row("cpu,host=h1,region=eu"), row("net,host=h1,interface=eth0"));
        assertThat(only(f.run("SHOW SERIES")).columns()).containsExactly("key");
        assertThat(only(f.run("SHOW SERIES")).name()).isNull();
    }

    @Test
    void databasesOfShowStatementsMustExist() {
        assertThat(f.run("SHOW MEASUREMENTS ON nodb").results().get(0).error()).isEqualTo("database not found: nodb");
        assertThat(f.service
                        .execute(null, "SHOW TAG KEYS", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("database name required");
        assertThat(only(f.service.execute(null, "SHOW TAG KEYS ON other", Epoch.RFC3339))
                        .values())
                .containsExactly(row("host"));
    }

    @Test
    void shardGroupDurationsFollowInfluxDbDefaults() {
        assertThat(ShowRunner.shardGroupMs(Duration.ofHours(1).toMillis()))
                .isEqualTo(Duration.ofHours(1).toMillis());
        assertThat(ShowRunner.shardGroupMs(Duration.ofDays(2).toMillis()))
                .isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(ShowRunner.shardGroupMs(0)).isEqualTo(Duration.ofDays(7).toMillis());
        assertThat(Durations.goString(Duration.ofMinutes(90).plusMillis(500).toMillis()))
                .isEqualTo("1h30m0.5s");
        assertThat(Durations.goString(250)).isEqualTo("250ms");
    }
}
