package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.sql.TestCatalog.TagValuesCall;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code information_schema.tag_values} over a catalog in memory that records what it is asked: equalities on
 * database, metric and tag narrow the listings asked for, the values come back sorted and work under joins,
 * ORDER BY and LIMIT, and the bounds fail the statement naming what was too large.
 */
class InformationSchemaTagValuesTest {
    private static final int LIMIT_ASKED = InformationSchema.MAX_TAG_VALUES + 1;

    private final TestCatalog catalog = new TestCatalog()
            .database("tsbs", 10_000, Duration.ofDays(30).toMillis())
            .metric("cpu", List.of("hostname", "region"), "usage_user", FieldType.GAUGE)
            .metric("mem", List.of("hostname"), "used", FieldType.GAUGE)
            .tagValues("cpu", "hostname", List.of("host_2", "host_0", "host_1", "host_10", "host_0"))
            .tagValues("cpu", "region", List.of("us-west", "eu-central"))
            .tagValues("mem", "hostname", List.of("host_0", "host_9"))
            .database("tel", 10_000, Duration.ofDays(3650).toMillis())
            .metric("req", List.of("arch"), "value", FieldType.GAUGE)
            .tagValues("req", "arch", List.of("x86", "arm"));
    private final SqlEngine engine = new SqlEngine(
            catalog,
            spec -> {
                throw new AssertionError("no metric is read: " + spec);
            },
            Duration.ofSeconds(5),
            1000);

    private List<List<Object>> rows(String sql) {
        return engine.execute(null, sql).rows();
    }

    private static List<List<Object>> values(String... values) {
        return Arrays.stream(values).map(v -> List.<Object>of(v)).toList();
    }

    @Test
    void equalitiesOnDatabaseMetricAndTagAskForThatListingOnly() {
        assertThat(rows("SELECT value FROM information_schema.tag_values"
                        + " WHERE database = 'tsbs' AND metric = 'cpu' AND tag = 'hostname'"))
                .isEqualTo(values("host_0", "host_1", "host_10", "host_2"));
        assertThat(catalog.tagValueCalls).containsExactly(new TagValuesCall("tsbs", "cpu", "hostname", LIMIT_ASKED));

        catalog.tagValueCalls.clear();
        assertThat(rows("SELECT database, metric, tag, value FROM information_schema.tag_values"
                        + " WHERE tag = 'hostname' AND 'mem' = metric AND database = 'tsbs'"))
                .containsExactly(
                        List.of("tsbs", "mem", "hostname", "host_0"), List.of("tsbs", "mem", "hostname", "host_9"));
        assertThat(catalog.tagValueCalls)
                .as("in any order, either side")
                .containsExactly(new TagValuesCall("tsbs", "mem", "hostname", LIMIT_ASKED));
    }

    @Test
    void literalsThatAreNotLiftedIntoParametersArePushedToo() throws SQLException {
        // a JDBC statement is planned from its own text: the literals stay literals
        List<String> got = new ArrayList<>();
        try (Connection c = engine.connect("tsbs");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT value FROM information_schema.tag_values"
                        + " WHERE database = 'tsbs' AND metric = 'cpu' AND tag = 'region'")) {
            while (rs.next()) {
                got.add(rs.getString(1));
            }
        }
        assertThat(got).containsExactly("eu-central", "us-west");
        assertThat(catalog.tagValueCalls).containsExactly(new TagValuesCall("tsbs", "cpu", "region", LIMIT_ASKED));
        String plan = rows("EXPLAIN PLAN FOR SELECT value FROM information_schema.tag_values"
                        + " WHERE database = 'tsbs' AND metric = 'cpu' AND tag = 'region' AND value LIKE 'eu%'")
                .get(0)
                .get(0)
                .toString();
        assertThat(plan).contains("tag_values", "filters=");
    }

    @Test
    void aMissingFilterIsEnumeratedFromTheCatalog() {
        assertThat(rows(
                        "SELECT tag, value FROM information_schema.tag_values WHERE database = 'tsbs' AND metric = 'cpu'"
                                + " ORDER BY tag, value"))
                .containsExactly(
                        List.of("hostname", "host_0"),
                        List.of("hostname", "host_1"),
                        List.of("hostname", "host_10"),
                        List.of("hostname", "host_2"),
                        List.of("region", "eu-central"),
                        List.of("region", "us-west"));
        assertThat(catalog.tagValueCalls)
                .containsExactly(
                        new TagValuesCall("tsbs", "cpu", "hostname", LIMIT_ASKED),
                        new TagValuesCall("tsbs", "cpu", "region", LIMIT_ASKED));

        catalog.tagValueCalls.clear();
        assertThat(rows("SELECT database, metric, value FROM information_schema.tag_values WHERE tag = 'hostname'"
                        + " ORDER BY database, metric, value"))
                .containsExactly(
                        List.of("tsbs", "cpu", "host_0"),
                        List.of("tsbs", "cpu", "host_1"),
                        List.of("tsbs", "cpu", "host_10"),
                        List.of("tsbs", "cpu", "host_2"),
                        List.of("tsbs", "mem", "host_0"),
                        List.of("tsbs", "mem", "host_9"));
        assertThat(catalog.tagValueCalls).extracting(TagValuesCall::tagKey).containsOnly("hostname");

        assertThat(rows("SELECT COUNT(*) FROM information_schema.tag_values")).containsExactly(List.of(10L));
    }

    @Test
    void otherConditionsApplyAboveTheScan() {
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE database = 'tsbs' AND metric = 'cpu'"
                        + " AND tag = 'hostname' AND value LIKE 'host_1%'"))
                .isEqualTo(values("host_1", "host_10"));
        assertThat(rows("SELECT DISTINCT value FROM information_schema.tag_values WHERE database = 'tsbs'"
                        + " AND (tag = 'region' OR metric = 'mem') ORDER BY value"))
                .isEqualTo(values("eu-central", "host_0", "host_9", "us-west"));
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE metric = 'req' AND tag IN ('arch', 'os')"
                        + " ORDER BY value"))
                .isEqualTo(values("arm", "x86"));
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE tag = 'hostname' AND value = 'host_9'"))
                .isEqualTo(values("host_9"));
    }

    @Test
    void joinsOrderByAndLimitWork() {
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE database = 'tsbs' AND metric = 'cpu'"
                        + " AND tag = 'hostname' ORDER BY value DESC LIMIT 2"))
                .isEqualTo(values("host_2", "host_10"));
        assertThat(
                        rows(
                                "SELECT t.metric, t.tag, COUNT(v.value) AS n FROM information_schema.tags t"
                                        + " LEFT JOIN information_schema.tag_values v ON v.database = t.database AND v.metric = t.metric"
                                        + " AND v.tag = t.tag WHERE t.database = 'tsbs' GROUP BY t.metric, t.tag ORDER BY n DESC, t.metric"))
                .containsExactly(
                        List.of("cpu", "hostname", 4L), List.of("cpu", "region", 2L), List.of("mem", "hostname", 2L));
        assertThat(rows("SELECT c.value FROM information_schema.tag_values c JOIN information_schema.tag_values m"
                        + " ON c.value = m.value WHERE c.metric = 'cpu' AND c.tag = 'hostname' AND m.metric = 'mem'"
                        + " AND m.tag = 'hostname'"))
                .isEqualTo(values("host_0"));
    }

    @Test
    void unknownNamesAndContradictionsAnswerNoRows() {
        assertThat(rows("SELECT * FROM information_schema.tag_values WHERE database = 'tsbs' AND metric = 'disk'"
                        + " AND tag = 'hostname'"))
                .isEmpty();
        assertThat(rows("SELECT * FROM information_schema.tag_values WHERE database = 'nodb'"))
                .isEmpty();
        assertThat(rows("SELECT * FROM information_schema.tag_values WHERE database = 'tsbs' AND metric = 'disk'"))
                .isEmpty();
        catalog.tagValueCalls.clear();
        assertThat(rows("SELECT * FROM information_schema.tag_values WHERE tag = 'hostname' AND tag = 'region'"))
                .isEmpty();
        assertThat(catalog.tagValueCalls).as("a contradiction asks nothing").isEmpty();
    }

    @Test
    void aListingOverTheBoundFailsNamingDatabaseMetricAndTag() {
        List<String> many = IntStream.range(0, InformationSchema.MAX_TAG_VALUES)
                .mapToObj(i -> "h" + i)
                .toList();
        catalog.database("big", 10_000, 86_400_000L)
                .metric("cpu", List.of("host", "dc"), "usage", FieldType.GAUGE)
                .tagValues("cpu", "host", many)
                .tagValues("cpu", "dc", List.of("east"));
        assertThat(rows("SELECT COUNT(*) FROM information_schema.tag_values WHERE database = 'big' AND metric = 'cpu'"
                        + " AND tag = 'host'"))
                .as("exactly at the bound")
                .containsExactly(List.of((long) many.size()));

        catalog.tagValues("cpu", "host", List.of("h_one_more"));
        assertThatThrownBy(() -> rows("SELECT value FROM information_schema.tag_values WHERE database = 'big'"
                        + " AND metric = 'cpu' AND tag = 'host' ORDER BY value LIMIT 5"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                    assertThat(e.getMessage())
                            .startsWith(
                                    "too many tag values [database=big, metric=cpu, tag=host]:" + " more than 10000;")
                            .contains("SELECT DISTINCT \"host\" FROM \"big\".\"cpu\"");
                });
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE database = 'big' AND tag = 'dc'"))
                .as("the other tag still lists")
                .isEqualTo(values("east"));
    }

    @Test
    void aScanNeedingTooManyListingsFailsBeforeAskingThemAll() {
        List<String> keys = IntStream.range(0, InformationSchema.MAX_TAG_LISTINGS + 1)
                .mapToObj(i -> "k" + i)
                .toList();
        catalog.database("wide", 10_000, 86_400_000L).metric("m", keys, "v", FieldType.GAUGE);
        catalog.tagValueCalls.clear();
        assertThatThrownBy(() -> rows("SELECT COUNT(*) FROM information_schema.tag_values WHERE database = 'wide'"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                    assertThat(e.getMessage())
                            .startsWith("too many tag keys to list [table=information_schema.tag_values,"
                                    + " database=wide, metric=*, tag=*]: more than 1000;");
                });
        assertThat(catalog.tagValueCalls).hasSize(InformationSchema.MAX_TAG_LISTINGS);
        assertThat(rows("SELECT value FROM information_schema.tag_values WHERE database = 'wide' AND metric = 'm'"
                        + " AND tag = 'k7'"))
                .as("a named listing is one")
                .isEmpty();
    }
}
