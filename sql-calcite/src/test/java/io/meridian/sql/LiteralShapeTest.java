package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lexical shape of a statement: what a dashboard's refreshes have in common, found without a parse. */
class LiteralShapeTest {
    private static final String PANEL = "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, \"ts\") AS \"time\", "
            + "MAX(\"usage_user\") FROM \"cpu\" WHERE \"hostname\" = '%s' AND \"ts\" >= TIMESTAMP '%s' "
            + "AND \"ts\" <= TIMESTAMP '%s' GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, \"ts\")";

    private static String panel(String host, String from, String to) {
        return String.format(PANEL, host, from, to);
    }

    @Test
    void refreshesOfOnePanelShareAShapeAndReadTheValuesTheParseLifts() {
        String first = panel("host_1", "2026-12-05 01:00:00", "2026-12-05 01:59:59.999");
        String next = panel("it''s", "2026-12-05 02:00:00", "2026-12-05 02:59:59.999");
        LiteralShape a = LiteralShape.of(first);
        LiteralShape b = LiteralShape.of(next);
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).contains("INTERVAL '1' MINUTE");
        LiteralParameters.Normalized parsed = LiteralParameters.normalize(next);
        assertThat(b.values())
                .isEqualTo(parsed.values())
                .containsExactly(
                        "it's",
                        Timestamp.from(Instant.parse("2026-12-05T02:00:00Z")),
                        Timestamp.from(Instant.parse("2026-12-05T02:59:59.999Z")));
        assertThat(b.liftedByParse(parsed.values())).isTrue();
        assertThat(LiteralParameters.normalize(first).sql()).isEqualTo(parsed.sql());
    }

    @Test
    void intervalDateAndTimeLiteralsAndIdentifiersStayInTheFingerprint() {
        String oneMinute = panel("h", "2026-12-05 01:00:00", "2026-12-05 02:00:00");
        String fiveMinutes = oneMinute.replace("INTERVAL '1' MINUTE", "INTERVAL '5' MINUTE");
        assertThat(LiteralShape.of(oneMinute).fingerprint())
                .isNotEqualTo(LiteralShape.of(fiveMinutes).fingerprint());
        LiteralShape quoted = LiteralShape.of("SELECT \"a'b\", `c'd` FROM t WHERE x = DATE '2026-01-01' AND y = 'v'");
        assertThat(quoted.fingerprint()).contains("\"a'b\"", "`c'd`", "DATE '2026-01-01'");
        assertThat(quoted.values()).containsExactly("v");
    }

    @Test
    void textsALexerCannotReadSafelyHaveNoShape() {
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = 'a' -- 'b'")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t /* 'b' */ WHERE x = 'a'")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = N'a'")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = X'0A'")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = 'a' 'b'")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = 'a")).isNull();
        assertThat(LiteralShape.of("SELECT 1 FROM t WHERE x = '\u0001'")).isNull();
    }

    @Test
    void aShapeServesOthersOnlyWhenTheParseLiftedEveryCandidateAndTheyDiffer() {
        String selected = "SELECT 'x' AS k, MAX(usage) FROM cpu WHERE hostname = 'h'";
        assertThat(LiteralShape.of(selected)
                        .liftedByParse(LiteralParameters.normalize(selected).values()))
                .as("the select list's literal is not lifted")
                .isFalse();
        String same = "SELECT MAX(usage) FROM cpu WHERE hostname = 'h' OR region = 'h'";
        assertThat(LiteralShape.of(same)
                        .liftedByParse(LiteralParameters.normalize(same).values()))
                .as("two candidates with one value: which parameter is which is not proven")
                .isFalse();
        String badTime = "SELECT MAX(usage) FROM cpu WHERE ts >= TIMESTAMP 'yesterday'";
        assertThat(LiteralShape.of(badTime).values()).as("the parse reports it").isNull();
        assertThat(LiteralShape.of("SELECT MAX(usage) FROM cpu").values()).isEqualTo(List.of());
    }
}
