package io.meridian.meta.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.meridian.common.error.InvalidInputException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One interval of a database: the slot width and how long its data is kept. Written as strings such as
 * {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d} (units s, m, h, d).
 *
 * @param interval the slot width
 * @param retention how long data of this interval is kept; at least one interval
 */
public record IntervalSpec(String interval, String retention) {
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})([smhd])");

    public IntervalSpec {
        Duration i = parse("interval", interval);
        Duration r = parse("retention", retention);
        if (r.compareTo(i) < 0) {
            throw new InvalidInputException("invalid retention [interval=" + interval + ", retention=" + retention
                    + "]: retention is shorter than the interval");
        }
    }

    @JsonIgnore
    public Duration intervalDuration() {
        return parse("interval", interval);
    }

    @JsonIgnore
    public Duration retentionDuration() {
        return parse("retention", retention);
    }

    /** Parses {@code <n><unit>}, unit one of s, m, h, d. */
    public static Duration parse(String what, String text) {
        if (text == null) {
            throw new InvalidInputException("invalid " + what + " [" + what + "=null]: want e.g. 10s, 5m, 1h, 30d");
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new InvalidInputException("invalid " + what + " [" + what + "=" + text
                    + "]: want a positive number and a unit s, m, h or d, e.g. 10s, 5m, 1h, 30d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
