package io.meridian.sql.influxql;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Writes times as InfluxDB 1.x does: Go's RFC3339Nano ({@code 2026-12-05T10:00:00Z}, {@code ...T10:00:00.5Z},
 * {@code ...T11:00:00+01:00} in a statement's {@code tz()}: trailing zeros of the fraction dropped, {@code Z} for a
 * zero offset), or an integer in the requested {@link Epoch}.
 */
final class TimeFormat {
    private TimeFormat() {}

    static Object format(long ms, Epoch epoch, ZoneId zone) {
        if (epoch != Epoch.RFC3339) {
            return epoch.fromMillis(ms);
        }
        ZonedDateTime t = Instant.ofEpochMilli(ms).atZone(zone == null ? ZoneOffset.UTC : zone);
        StringBuilder sb = new StringBuilder(32);
        sb.append(String.format(
                "%04d-%02d-%02dT%02d:%02d:%02d",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
        int millis = t.getNano() / 1_000_000;
        if (millis != 0) {
            sb.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
        }
        int offset = t.getOffset().getTotalSeconds();
        if (offset == 0) {
            return sb.append('Z').toString();
        }
        int abs = Math.abs(offset);
        return sb.append(offset < 0 ? '-' : '+')
                .append(String.format("%02d:%02d", abs / 3600, abs / 60 % 60))
                .toString();
    }
}
