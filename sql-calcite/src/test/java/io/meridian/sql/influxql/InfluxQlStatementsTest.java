package io.meridian.sql.influxql;

import static io.meridian.sql.influxql.InfluxFixture.only;
import static io.meridian.sql.influxql.InfluxFixture.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * Requests of several statements, per-statement errors, missing databases, measurements and fields, unsupported
 * statements and whole-request parse errors, each answered as InfluxDB 1.x answers it.
 */
class InfluxQlStatementsTest {
    private final InfluxFixture f = new InfluxFixture();

    @Test
    void statementsAnswerInOrderAndTheFirstErrorStopsTheRestAsInInfluxDb() {
        InfluxQlResponse r = f.run("SELECT max(usage_user) FROM cpu WHERE " + range(0, 10) + "; SHOW DATABASES; "
                + "SELECT top(usage_user, 3) FROM cpu; SHOW DATABASES");
        assertThat(r.toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":"
                        + "[\"time\",\"max\"],\"values\":[[\"2024-12-05T12:00:00Z\",10.0]]}]},{\"statement_id\":1,\"series\":"
                        + "[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"telegraf\"],[\"other\"]]}]},"
                        + "{\"statement_id\":2,\"error\":\"not supported: function top()\"},"
                        + "{\"statement_id\":3,\"error\":\"not executed\"}]}");
    }

    @Test
    void unknownMeasurementsAndFieldsAnswerNoSeries() {
        assertThat(f.run("SELECT mean(value) FROM nosuch; SELECT mean(nosuch) FROM cpu; SELECT nosuch FROM cpu; "
                                + "SELECT mean(x) FROM /^zz/")
                        .toJson())
                .isEqualTo("{\"results\":[{\"statement_id\":0},{\"statement_id\":1},"
                        + "{\"statement_id\":2},{\"statement_id\":3}]}");
        assertThat(f.sql).as("nothing to read").isEmpty();
    }

    @Test
    void databasesComeFromTheRequestOrTheFromClause() {
        assertThat(f.service
                        .execute(null, "SELECT max(usage_user) FROM cpu", Epoch.RFC3339)
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("database name required");
        assertThat(only(f.service.execute(
                                null,
                                "SELECT max(usage_user) FROM \"telegraf\".\"autogen\".\"cpu\" WHERE " + range(0, 10),
                                Epoch.RFC3339))
                        .values()
                        .get(0)
                        .get(1))
                .isEqualTo(10.0);
        assertThat(only(f.service.execute(
                                "other", "SELECT max(usage_user) FROM telegraf..cpu WHERE host = 'h2'", Epoch.RFC3339))
                        .values()
                        .get(0)
                        .get(1))
                .isEqualTo(50.0);
        assertThat(f.run("SELECT max(usage_user) FROM \"nodb\".\"autogen\".\"cpu\"")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("database not found: nodb");
        assertThat(f.run("SELECT max(usage_user) FROM \"rp1\".\"cpu\"")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("retention policy not found: rp1");
    }

    /** Telegraf sends CREATE DATABASE before its first write: as InfluxDB, an existing database makes it a no-op. */
    @Test
    void createDatabaseSucceedsForAnExistingDatabaseAndSaysHowToCreateANewOne() {
        InfluxQlResponse.Result exists =
                f.run("CREATE DATABASE \"" + InfluxFixture.DB + "\"").results().get(0);
        assertThat(exists.error()).isNull();
        assertThat(exists.series()).isEmpty();
        assertThat(f.run("CREATE DATABASE " + InfluxFixture.DB + " WITH DURATION 30d NAME autogen")
                        .results()
                        .get(0)
                        .error())
                .isNull();
        assertThat(f.run("CREATE DATABASE metrics2").results().get(0).error())
                .startsWith("not supported: CREATE DATABASE of a new database [database=metrics2]")
                .contains("POST /api/v1/databases");
        assertThat(f.run("SHOW DATABASES").results().get(0).series().get(0).values())
                .as("nothing created")
                .extracting(v -> v.get(0))
                .doesNotContain("metrics2");
    }

    @Test
    void unsupportedInfluxQlFailsItsStatementNamingTheClause() {
        assertThat(f.run("DROP MEASUREMENT cpu").results().get(0).error()).isEqualTo("not supported: DROP MEASUREMENT");
        assertThat(f.run(
                                "CREATE CONTINUOUS QUERY cq ON telegraf BEGIN SELECT mean(x) INTO y FROM m GROUP BY time(1m) END")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("not supported: CREATE CONTINUOUS QUERY");
        assertThat(f.run("SELECT mean(usage_user) INTO cpu_1m FROM cpu GROUP BY time(1m)")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("not supported: SELECT INTO");
        assertThat(f.run("SELECT max(m) FROM (SELECT max(usage_user) AS m FROM cpu GROUP BY host)")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("not supported: subquery in FROM");
        assertThat(f.run("DELETE FROM cpu WHERE time < '2020-01-01'")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("not supported: DELETE");
        assertThat(f.run("SHOW USERS").results().get(0).error()).isEqualTo("not supported: SHOW USERS");
    }

    @Test
    void statementErrorsNameWhatIsWrong() {
        assertThat(f.run("SELECT mean(usage_user), usage_user FROM cpu")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("mixing aggregate and non-aggregate queries is not supported");
        assertThat(f.run("SELECT mean(usage_user) FROM cpu WHERE time != now()")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("invalid time comparison operator: !=");
        assertThat(f.run("SELECT mean(usage_user) FROM cpu WHERE time > 'yesterday'")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("invalid operation: time and string 'yesterday' are not compatible");
        assertThat(f.run("SELECT percentile(usage_user) FROM cpu")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("invalid number of arguments for percentile, expected 2, got 1");
        assertThat(f.run("SELECT mean(usage_user) FROM cpu GROUP BY time(1m), time(2m)")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("multiple time dimensions not allowed");
        assertThat(f.run("SELECT host FROM cpu").results().get(0).error())
                .as("tags alone make no point")
                .isNull();
    }

    @Test
    void sqlEngineErrorsBecomeTheStatementsError() {
        String error = f.run("SELECT mean(usage_user) FROM cpu WHERE " + range(0, 60) + " GROUP BY time(15s)")
                .results()
                .get(0)
                .error();
        assertThat(error)
                .as("a bucket that is not a multiple of the 10 s slots")
                .contains("time_bucket")
                .contains("multiple");
    }

    @Test
    void aBucketFinerThanTheSlotsIsTheSlot() {
        assertThat(only(f.runMs("SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 20)
                                + " GROUP BY time(1s) fill(none)"))
                        .values())
                .hasSize(3);
        assertThat(f.sql).singleElement().asString().contains("INTERVAL '10' SECOND");
    }

    @Test
    void aRequestThatDoesNotParseRunsNothing() {
        assertThatThrownBy(() -> f.run("SHOW DATABASES; SELECT mean(x) FORM cpu"))
                .isInstanceOfSatisfying(
                        InfluxQlParseException.class,
                        e -> assertThat(InfluxQlResponse.requestError("error parsing query: " + e.getMessage()))
                                .isEqualTo("{\"error\":\"error parsing query: found "
                                        + "FORM, expected FROM at line 1, char 32\"}"));
        assertThatThrownBy(() -> f.run(" "))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("missing required parameter \"q\"");
    }

    @Test
    void epochParameterValuesFollowInfluxDb() {
        assertThat(Epoch.parse(null)).isEqualTo(Epoch.RFC3339);
        assertThat(Epoch.parse("")).isEqualTo(Epoch.RFC3339);
        assertThat(Epoch.parse("h")).isEqualTo(Epoch.HOURS);
        assertThat(Epoch.parse("m")).isEqualTo(Epoch.MINUTES);
        assertThat(Epoch.parse("s")).isEqualTo(Epoch.SECONDS);
        assertThat(Epoch.parse("ms")).isEqualTo(Epoch.MILLISECONDS);
        assertThat(Epoch.parse("u")).isEqualTo(Epoch.MICROSECONDS);
        assertThat(Epoch.parse("ns")).isEqualTo(Epoch.NANOSECONDS);
        assertThat(Epoch.parse("rfc3339")).as("anything else is nanoseconds").isEqualTo(Epoch.NANOSECONDS);
        assertThat(Epoch.NANOSECONDS.fromMillis(1_500)).isEqualTo(1_500_000_000L);
        assertThat(Epoch.MICROSECONDS.fromMillis(1_500)).isEqualTo(1_500_000L);
        assertThat(Epoch.SECONDS.fromMillis(1_999)).isEqualTo(1L);
        assertThat(Epoch.HOURS.fromMillis(7_200_000)).isEqualTo(2L);
        assertThat(TimeFormat.format(1_500, Epoch.RFC3339, null)).isEqualTo("1970-01-01T00:00:01.5Z");
        assertThat(TimeFormat.format(0, Epoch.RFC3339, ZoneId.of("Asia/Kolkata")))
                .isEqualTo("1970-01-01T05:30:00+05:30");
    }
}
