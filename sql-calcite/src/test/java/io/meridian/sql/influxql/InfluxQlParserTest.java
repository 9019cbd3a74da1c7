package io.meridian.sql.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The InfluxQL grammar: every form the front-end accepts, and errors that name the position and what was expected. */
class InfluxQlParserTest {
    private static SelectStatement select(String q) {
        List<Statement> statements = InfluxQlParser.parse(q);
        assertThat(statements).hasSize(1);
        return (SelectStatement) statements.get(0);
    }

    private static Expr.VarRef ref(String name) {
        return new Expr.VarRef(name, Expr.Cast.NONE);
    }

    private static Expr.Call call(String name, Expr... args) {
        return new Expr.Call(name, List.of(args), 0);
    }

    @Test
    void grafanaPanelQueryParsesIntoItsParts() {
        SelectStatement s = select("SELECT mean(\"usage_user\") FROM \"cpu\" WHERE (\"host\" =~ /^h1$/) AND "
                + "time >= 1733400000000ms and time <= 1733403600000ms GROUP BY time(10s), \"host\" fill(null)");
        assertThat(s.fields()).containsExactly(new Statement.Field(call("mean", ref("usage_user")), null));
        assertThat(s.sources()).containsExactly(new Statement.Measurement(null, null, "cpu", null));
        Expr.Binary where = (Expr.Binary) s.condition();
        assertThat(where.op()).isEqualTo(TokenType.AND);
        Expr.Binary left = (Expr.Binary) where.lhs();
        assertThat(left.op()).as("AND is left associative").isEqualTo(TokenType.AND);
        assertThat(left.lhs())
                .isEqualTo(new Expr.Paren(new Expr.Binary(TokenType.EQ_REGEX, ref("host"), new Expr.RegexLit("^h1$"))));
        assertThat(left.rhs())
                .isEqualTo(new Expr.Binary(
                        TokenType.GTE, ref("time"), new Expr.DurationLit(1_733_400_000_000L * 1_000_000)));
        assertThat(s.dimensions()).containsExactly(call("time", new Expr.DurationLit(10_000_000_000L)), ref("host"));
        assertThat(s.fill()).isEqualTo(Statement.Fill.DEFAULT);
    }

    @Test
    void sourcesTakeEveryQualifiedForm() {
        assertThat(select("SELECT x FROM \"autogen\".\"cpu\"").sources())
                .containsExactly(new Statement.Measurement(null, "autogen", "cpu", null));
        assertThat(select("SELECT x FROM \"db\".\"autogen\".\"cpu\", mem").sources())
                .containsExactly(
                        new Statement.Measurement("db", "autogen", "cpu", null),
                        new Statement.Measurement(null, null, "mem", null));
        assertThat(select("SELECT x FROM db..cpu").sources())
                .containsExactly(new Statement.Measurement("db", "", "cpu", null));
        assertThat(select("SELECT x FROM /^c\\/p/").sources())
                .containsExactly(new Statement.Measurement(null, null, null, "^c/p"));
        assertThat(select("SELECT x FROM \"autogen\"./^c/").sources())
                .containsExactly(new Statement.Measurement(null, "autogen", null, "^c"));
        assertThat(select("SELECT x FROM (SELECT y FROM m)").sources()).containsExactly(new Statement.Subquery());
    }

    @Test
    void identifiersStringsAndKeywords() {
        SelectStatement s = select("select \"field\", \"a \\\"b\\\"\" AS \"x y\", value FrOm \"my cpu\" "
                + "where \"host\" = 'it\\'s' AND \"LolSob\"::tag = 'a' AND \"f\"::field > 1");
        assertThat(s.fields())
                .extracting(Statement.Field::expr)
                .containsExactly(ref("field"), ref("a \"b\""), ref("value"));
        assertThat(s.fields().get(1).alias()).isEqualTo("x y");
        assertThat(s.sources()).containsExactly(new Statement.Measurement(null, null, "my cpu", null));
        String where = s.condition().toString();
        assertThat(where)
                .contains("StringLit[value=it's]", "VarRef[name=LolSob, cast=TAG]", "VarRef[name=f, cast=FIELD]");
        assertThatThrownBy(() -> InfluxQlParser.parse("SELECT field FROM cpu"))
                .as("a reserved word must be quoted")
                .hasMessageContaining("found FIELD, expected identifier");
    }

    @ParameterizedTest
    @CsvSource({
        "1ns,1",
        "5u,5000",
        "5µ,5000",
        "7ms,7000000",
        "10s,10000000000",
        "2m,120000000000",
        "1h30m,5400000000000",
        "1d,86400000000000",
        "1w,604800000000000",
        "1733400000000ms,1733400000000000000"
    })
    void durationsInEveryUnit(String text, long nanos) {
        assertThat(Durations.parseNanos(text)).isEqualTo(nanos);
        SelectStatement s = select("SELECT x FROM m WHERE time > " + text);
        assertThat(((Expr.Binary) s.condition()).rhs()).isEqualTo(new Expr.DurationLit(nanos));
    }

    @Test
    void numbersTimesAndArithmetic() {
        SelectStatement s = select("SELECT mean(x) * 2.5 / -3, -\"y\" FROM m WHERE time > now() - 6h AND time < "
                + "'2026-12-01T00:00:00Z' AND x > .5 AND time > 1733400000000000000");
        Expr first = s.fields().get(0).expr();
        assertThat(first)
                .isEqualTo(new Expr.Binary(
                        TokenType.DIV,
                        new Expr.Binary(TokenType.MUL, call("mean", ref("x")), new Expr.NumberLit(2.5)),
                        new Expr.IntegerLit(-3)));
        assertThat(s.fields().get(1).expr())
                .isEqualTo(new Expr.Binary(TokenType.MUL, new Expr.IntegerLit(-1), ref("y")));
        assertThat(s.condition().toString())
                .contains(
                        "Call[name=now, args=[]",
                        "DurationLit[nanos=21600000000000]",
                        "StringLit[value=2026-12-01T00:00:00Z]",
                        "NumberLit[value=0.5]",
                        "IntegerLit[value=1733400000000000000]");
    }

    @Test
    void groupByFillOrderLimitsAndZone() {
        SelectStatement s = select("SELECT max(x) FROM m GROUP BY time(10m, -5m), *, /^ho/, \"LolSob\"::tag fill(-1.5) "
                + "ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz('Europe/Paris')");
        assertThat(s.dimensions())
                .containsExactly(
                        call("time", new Expr.DurationLit(600_000_000_000L), new Expr.DurationLit(-300_000_000_000L)),
                        new Expr.Wildcard(Expr.Cast.NONE),
                        new Expr.RegexLit("^ho"),
                        new Expr.VarRef("LolSob", Expr.Cast.TAG));
        assertThat(s.fill()).isEqualTo(new Statement.Fill(Statement.FillMode.NUMBER, -1.5));
        assertThat(s.descending()).isTrue();
        assertThat(List.of(s.limit(), s.offset(), s.slimit(), s.soffset())).containsExactly(10L, 2L, 3L, 1L);
        assertThat(s.timeZone()).isEqualTo("Europe/Paris");
        assertThat(select("SELECT max(x) FROM m GROUP BY time(1m) fill(none) order by time asc limit 1 slimit 1")
                        .fill()
                        .mode())
                .isEqualTo(Statement.FillMode.NONE);
        assertThat(select("SELECT max(x) FROM m fill(previous)").fill().mode()).isEqualTo(Statement.FillMode.PREVIOUS);
        assertThat(select("SELECT max(x) FROM m fill(linear)").fill().mode()).isEqualTo(Statement.FillMode.LINEAR);
        assertThat(select("SELECT max(x) FROM m fill(0)").fill())
                .isEqualTo(new Statement.Fill(Statement.FillMode.NUMBER, 0));
        assertThat(select("SELECT * FROM m ORDER BY DESC").descending()).isTrue();
    }

    @Test
    void wildcardsRegexFieldsAndComments() {
        SelectStatement s = select("-- a comment\nSELECT *, *::field, /^usage/, mean(/^u/) /* inline */ FROM m");
        assertThat(s.fields())
                .extracting(Statement.Field::expr)
                .containsExactly(
                        new Expr.Wildcard(Expr.Cast.NONE),
                        new Expr.Wildcard(Expr.Cast.FIELD),
                        new Expr.RegexLit("^usage"),
                        call("mean", new Expr.RegexLit("^u")));
    }

    @Test
    void showStatements() {
        assertThat(InfluxQlParser.parse("SHOW DATABASES")).containsExactly(new Statement.ShowDatabases());
        assertThat(InfluxQlParser.parse(
                        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)cp/ WHERE \"host\" = 'h1' LIMIT 100"))
                .containsExactly(new Statement.ShowMeasurements(
                        null,
                        new Statement.Measurement(null, null, null, "(?i)cp"),
                        new Expr.Binary(TokenType.EQ, ref("host"), new Expr.StringLit("h1")),
                        100,
                        0));
        assertThat(InfluxQlParser.parse("SHOW MEASUREMENTS ON db WITH MEASUREMENT = cpu OFFSET 1"))
                .containsExactly(new Statement.ShowMeasurements(
                        "db", new Statement.Measurement(null, null, "cpu", null), null, 0, 1));
        assertThat(InfluxQlParser.parse("SHOW TAG KEYS FROM \"autogen\".\"cpu\" LIMIT 5"))
                .containsExactly(new Statement.ShowTagKeys(
                        null, List.of(new Statement.Measurement(null, "autogen", "cpu", null)), null, 5, 0));
        assertThat(InfluxQlParser.parse("SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\""))
                .containsExactly(new Statement.ShowTagValues(
                        null,
                        List.of(new Statement.Measurement(null, null, "cpu", null)),
                        TokenType.EQ,
                        List.of("host"),
                        null,
                        0,
                        0));
        assertThat(InfluxQlParser.parse("SHOW TAG VALUES WITH KEY IN (\"a\", b) WHERE x = 'y' LIMIT 2"))
                .containsExactly(new Statement.ShowTagValues(
                        null,
                        List.of(),
                        null,
                        List.of("a", "b"),
                        new Expr.Binary(TokenType.EQ, ref("x"), new Expr.StringLit("y")),
                        2,
                        0));
        assertThat(InfluxQlParser.parse("SHOW TAG VALUES ON db WITH KEY =~ /^h/"))
                .containsExactly(
                        new Statement.ShowTagValues("db", List.of(), TokenType.EQ_REGEX, List.of("^h"), null, 0, 0));
        assertThat(InfluxQlParser.parse("SHOW FIELD KEYS FROM cpu"))
                .containsExactly(new Statement.ShowFieldKeys(
                        null, List.of(new Statement.Measurement(null, null, "cpu", null)), 0, 0));
        assertThat(InfluxQlParser.parse("SHOW RETENTION POLICIES on \"db\""))
                .containsExactly(new Statement.ShowRetentionPolicies("db"));
        assertThat(InfluxQlParser.parse("SHOW SERIES FROM cpu WHERE host = 'a' LIMIT 3"))
                .hasSize(1);
    }

    @Test
    void statementsAreSeparatedBySemicolonsAndUnsupportedOnesParseToTheirClause() {
        List<Statement> statements = InfluxQlParser.parse("SHOW DATABASES; ;SELECT x INTO y FROM m; "
                + "CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(x) INTO y FROM m GROUP BY time(1m) END; "
                + "DROP MEASUREMENT \"cpu\"; DELETE FROM cpu WHERE time < '2020-01-01'; CREATE USER bob WITH PASSWORD 'x;y';"
                + "SHOW USERS; SHOW TAG VALUES CARDINALITY WITH KEY = host;");
        assertThat(statements)
                .containsExactly(
                        new Statement.ShowDatabases(),
                        new Statement.Unsupported("SELECT INTO"),
                        new Statement.Unsupported("CREATE CONTINUOUS QUERY"),
                        new Statement.Unsupported("DROP MEASUREMENT"),
                        new Statement.Unsupported("DELETE"),
                        new Statement.Unsupported("CREATE USER"),
                        new Statement.Unsupported("SHOW USERS"),
                        new Statement.Unsupported("SHOW TAG VALUES CARDINALITY"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT x FROM cpu WHERE host = 'h1                  | unterminated string 'h1 at line 1, char 32
            SELECT "x FROM cpu                                  | unterminated quoted identifier "x FROM cpu at line 1, char 8
            SELECT x FROM cpu WHERE host =~ /^h1                | unterminated regex /^h1 at line 1, char 33
            SELECT x FROM cpu WHERE host =~ 'h1'                | found 'h1', expected regex at line 1, char 33
            SELECT foo(x) FROM cpu                              | undefined function foo(), expected one of count, cumulative_sum, derivative, difference, first, last, max, mean, median, min, non_negative_derivative, non_negative_difference, percentile, spread, stddev, sum at line 1, char 8
            SELECT x                                            | found EOF, expected FROM at line 1, char 9
            SELECT mean(x) FORM cpu                             | found FORM, expected FROM at line 1, char 16
            SELECT mean(x) FROM cpu GROUP BY time(10x)          | invalid duration 10x, expected a duration such as 10s, 5m, 1h, 1733400000000ms at line 1, char 39
            SELECT x FROM cpu WHERE time > 5q                   | invalid duration 5q, expected a duration such as 10s, 5m, 1h, 1733400000000ms at line 1, char 32
            SHOW DATABASES SHOW DATABASES                       | found SHOW, expected ; at line 1, char 16
            FOO                                                 | found FOO, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1
            SELECT x FROM cpu WHERE host = 'a\\q'               | bad escape \\q at line 1, char 34
            SELECT x FROM cpu fill(bogus)                       | found bogus, expected null, none, previous, linear or a number in fill() at line 1, char 24
            SELECT x FROM cpu tz('Mars/Olympus')                | unable to find time zone Mars/Olympus at line 1, char 22
            SELECT x FROM cpu ORDER BY host                     | only ORDER BY time supported at this time at line 1, char 28
            SELECT x = 1 FROM cpu                               | invalid operator = in SELECT clause; operator is intended for WHERE clause at line 1, char 8
            SELECT x FROM cpu LIMIT x                           | found x, expected integer at line 1, char 25
            SELECT x FROM cpu WHERE x > $timeFilter             | found $timeFilter, expected identifier, string, number, bool (bound parameters are not supported; was a dashboard variable left unreplaced?) at line 1, char 29
            SHOW TAG VALUES FROM cpu                            | found EOF, expected WITH at line 1, char 25
            SELECT x FROM cpu WHERE host =~ /a(b/               | invalid regex /a(b/: Unclosed group at line 1, char 33
            """)
    void errorsNameThePositionAndWhatWasExpected(String q, String message) {
        assertThatThrownBy(() -> InfluxQlParser.parse(q.strip()))
                .isInstanceOf(InfluxQlParseException.class)
                .hasMessage(message);
    }

    @Test
    void re2RegexSyntaxIsReadInItsJavaSpelling() {
        assertThat(SqlText.javaRegex("^(?P<h>[[:alpha:]]+)[[:digit:]]$"))
                .isEqualTo("^(?<h>[\\p{Alpha}]+)[\\p{Digit}]$");
        assertThat(Pattern.compile(SqlText.javaRegex("^[[:alpha:]]+[[:digit:]]$"))
                        .matcher("host7")
                        .find())
                .isTrue();
    }

    @Test
    void errorPositionsCountLines() {
        assertThatThrownBy(() -> InfluxQlParser.parse("SELECT mean(x)\n  FORM cpu"))
                .isInstanceOfSatisfying(InfluxQlParseException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(3);
                    assertThat(e.reason()).isEqualTo("found FORM, expected FROM");
                });
    }
}
