package io.meridian.sql.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast reading of the times SQL answers with agrees with {@link Instant#parse} and declines what it cannot read. */
class SelectRunnerTimeTest {
    @Test
    void isoTimesReadAsInstantParseReadsThem() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long ms = (long) (random.nextDouble() * 2 * 253_402_300_799_000L) - 62_135_596_800_000L / 2;
            Instant instant = Instant.ofEpochMilli(ms).plusNanos(i % 3 == 0 ? random.nextInt(1_000_000) : 0);
            String text = instant.toString();
            assertThat(SelectRunner.time(text))
                    .as(text)
                    .isEqualTo(Instant.parse(text).toEpochMilli());
        }
        assertThat(SelectRunner.isoUtcMillis("1970-01-01T00:00:00Z")).isZero();
        assertThat(SelectRunner.isoUtcMillis("1969-12-31T23:59:59.999Z")).isEqualTo(-1);
        assertThat(SelectRunner.isoUtcMillis("2026-12-05T12:00:00.1Z")).isEqualTo(1_796_472_000_100L);
    }

    @Test
    void otherTextsAreLeftToInstantParse() {
        for (String s : new String[] {
            "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-05 12:00:00Z", "2026-12-05T12:00:00",
            "+12026-12-05T12:00:00Z", "2026-12-05T12:00:00.1234567890Z", "2026-12-05T12:00:00,1Z",
                    "2026-1x-05T12:00:00Z"
        }) {
            assertThat(SelectRunner.isoUtcMillis(s)).as(s).isEqualTo(Long.MIN_VALUE);
        }
        assertThat(SelectRunner.time("+12026-12-05T12:00:00Z"))
                .isEqualTo(Instant.parse("+12026-12-05T12:00:00Z").toEpochMilli());
    }
}
