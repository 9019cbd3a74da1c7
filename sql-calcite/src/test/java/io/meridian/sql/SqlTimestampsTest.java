package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Calendar;
import java.util.Random;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

/** TIMESTAMP literal texts written and read without a formatter agree with java.time and with Calcite. */
class SqlTimestampsTest {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private static long calcite(String text) {
        SqlLiteral ts = ((SqlUnknownLiteral) SqlLiteral.createUnknown("TIMESTAMP", text, SqlParserPos.ZERO))
                .resolve(SqlTypeName.TIMESTAMP);
        return ((SqlTimestampLiteral) ts).getValueAs(Calendar.class).getTimeInMillis();
    }

    @Test
    void writtenAsJavaTimeWritesThemAndReadBackAsCalciteReadsThem() {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            long ms =
                    SqlTimestamps.MIN_MS + (long) (random.nextDouble() * (SqlTimestamps.MAX_MS - SqlTimestamps.MIN_MS));
            if (i % 2 == 0) {
                ms -= Math.floorMod(ms, 1000L); // whole seconds too
            }
            String text = SqlTimestamps.format(ms);
            long frac = Math.floorMod(ms, 1000L);
            assertThat(text)
                    .isEqualTo(
                            SECONDS.format(Instant.ofEpochMilli(ms)) + (frac == 0 ? "" : String.format(".%03d", frac)));
            assertThat(SqlTimestamps.parse(text)).as(text).isEqualTo(ms);
            if (i % 10 == 0 && ms >= 0) {
                assertThat(calcite(text)).as(text).isEqualTo(ms);
            }
        }
        assertThat(SqlTimestamps.parse("2026-12-05 12:00:00.5")).isEqualTo(calcite("2026-12-05 12:00:00.5"));
        assertThat(SqlTimestamps.parse("2026-12-05 12:00:00.25")).isEqualTo(calcite("2026-12-05 12:00:00.25"));
    }

    @Test
    void otherTextsAreLeftToTheSlowReader() {
        for (String s : new String[] {
            "2026-02-30 00:00:00",
            "2026-12-05T12:00:00",
            "2026-12-05 12:00",
            "2026-12-05 12:00:00.",
            "2026-12-05 24:00:00",
            "2026-12-05 12:00:00.1234",
            "12026-12-05 12:00:00",
            "2026-12-05 12:00:0x"
        }) {
            assertThat(SqlTimestamps.parse(s)).as(s).isEqualTo(Long.MIN_VALUE);
        }
    }
}
