package io.meridian.broker.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meridian.sql.SqlAnswer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SQL answer's JSON body (API.md, {@code POST /api/v1/sql}): its golden form, and Jackson's mapping of it. */
class SqlAnswerJsonTest {
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private static String json(SqlAnswer answer) {
        return new String(SqlAnswerJson.bytes(answer), StandardCharsets.UTF_8);
    }

    @Test
    void everyKindOfValueHasItsGoldenForm() {
        SqlAnswer answer = new SqlAnswer(
                List.of(
                        new SqlAnswer.Column("t", "TIMESTAMP"),
                        new SqlAnswer.Column("host", "VARCHAR"),
                        new SqlAnswer.Column("v", "DOUBLE"),
                        new SqlAnswer.Column("n", "BIGINT")),
                List.of(
                        Arrays.asList("2026-12-06T01:29:00Z", "h\"1\\ü\n", 39.04, 7L),
                        Arrays.asList(null, "h2", Double.NaN, Integer.valueOf(-3)),
                        Arrays.asList(true, new BigDecimal("1.50"), Double.POSITIVE_INFINITY, 0.1f)),
                1_500_000,
                250_000);
        assertThat(json(answer))
                .isEqualTo(
                        "{\"columns\":[{\"name\":\"t\",\"type\":\"TIMESTAMP\"},{\"name\":\"host\",\"type\":\"VARCHAR\"},"
                                + "{\"name\":\"v\",\"type\":\"DOUBLE\"},{\"name\":\"n\",\"type\":\"BIGINT\"}],"
                                + "\"rows\":[[\"2026-12-06T01:29:00Z\",\"h\\\"1\\\\ü\\n\",39.04,7],"
                                + "[null,\"h2\",\"NaN\",-3],"
                                + "[true,1.50,\"Infinity\",0.1]],"
                                + "\"stats\":{\"planningMs\":1.5,\"executionMs\":0.25}}");
    }

    @Test
    void anEmptyAnswerHasItsColumnsAndNoRows() {
        assertThat(json(new SqlAnswer(List.of(new SqlAnswer.Column("c", "BIGINT")), List.of(), 0, 0)))
                .isEqualTo("{\"columns\":[{\"name\":\"c\",\"type\":\"BIGINT\"}],\"rows\":[],"
                        + "\"stats\":{\"planningMs\":0.0,\"executionMs\":0.0}}");
    }

    /**
     * The short-decimal path writes a double exactly as Jackson does (the shortest text that reads back as it), or
     * leaves it to Jackson: over metrics-like decimals, random doubles and the edges of its range.
     */
    @Test
    void shortDecimalsAreWrittenAsJacksonWritesThem() throws Exception {
        Random r = new Random(9);
        List<Double> values = new ArrayList<>(List.of(
                0.001,
                0.0009999,
                9_999_999.999,
                10_000_000.0,
                9_999_999.9995,
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.1 + 0.2,
                100.0,
                39.04,
                0.125,
                1e-3 + 1e-17,
                5e-324,
                Double.MAX_VALUE,
                Double.NaN,
                Double.NEGATIVE_INFINITY));
        for (int i = 0; i < 200_000; i++) {
            int k = r.nextInt(6);
            long m = r.nextLong() % (r.nextBoolean() ? 10_000L : 100_000_000_000L);
            values.add(m / Math.pow(10, k));
            values.add(Double.longBitsToDouble(r.nextLong()));
            values.add(r.nextDouble() * Math.pow(10, r.nextInt(12) - 4));
        }
        char[] out = new char[SqlAnswerJson.SHORT_DECIMAL_CHARS];
        int fast = 0;
        for (double v : values) {
            int n = SqlAnswerJson.shortDecimal(v, out);
            if (n > 0) {
                fast++;
                assertThat(new String(out, 0, n)).as("%s", v).isEqualTo(JACKSON.writeValueAsString(v));
            }
        }
        assertThat(fast).as("values written the short way").isGreaterThan(50_000);
    }

    /** Byte for byte what Jackson made of the same answer as maps and lists (the endpoint's body before). */
    @Test
    void randomAnswersAreWhatJacksonMakesOfThem() throws Exception {
        Random r = new Random(5);
        for (int round = 0; round < 200; round++) {
            List<SqlAnswer.Column> columns = new ArrayList<>();
            int n = 1 + r.nextInt(5);
            for (int c = 0; c < n; c++) {
                columns.add(new SqlAnswer.Column("c" + c, "DOUBLE"));
            }
            List<List<Object>> rows = new ArrayList<>();
            for (int i = r.nextInt(20); i > 0; i--) {
                List<Object> row = new ArrayList<>();
                for (int c = 0; c < n; c++) {
                    row.add(
                            switch (r.nextInt(6)) {
                                case 0 -> null;
                                case 1 -> r.nextLong();
                                case 2 -> Double.longBitsToDouble(r.nextLong());
                                case 3 -> Math.round(r.nextDouble() * 1e4) / 100.0;
                                case 4 -> "s" + (char) r.nextInt(0x3000);
                                default -> r.nextBoolean();
                            });
                }
                rows.add(row);
            }
            SqlAnswer answer = new SqlAnswer(columns, rows, r.nextInt(1 << 30), r.nextInt(1 << 30));
            Map<String, Object> asMaps = new LinkedHashMap<>();
            asMaps.put(
                    "columns",
                    columns.stream()
                            .map(c -> {
                                Map<String, Object> m = new LinkedHashMap<>();
                                m.put("name", c.name());
                                m.put("type", c.type());
                                return m;
                            })
                            .toList());
            asMaps.put("rows", rows);
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("planningMs", answer.planningNanos() / 1e6);
            stats.put("executionMs", answer.executionNanos() / 1e6);
            asMaps.put("stats", stats);
            assertThat(json(answer)).as("round %d", round).isEqualTo(JACKSON.writeValueAsString(asMaps));
        }
    }
}
