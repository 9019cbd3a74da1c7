package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Takes the {@code time} comparisons out of a WHERE condition and turns them into a {@link TimeWindow}, as
 * influxql's {@code ConditionExpr} does: every comparison of {@code time}, wherever it sits in the AND/OR tree,
 * narrows one window (InfluxDB intersects even across OR), and the rest of the condition is kept.
 *
 * <p>A time value is an RFC3339 string ({@code '2026-12-01T00:00:00Z'}), a {@code 'yyyy-MM-dd HH:mm:ss[.f]'} or
 * {@code 'yyyy-MM-dd'} string read in the statement's {@code tz()} (UTC by default), an integer of nanoseconds, a
 * duration since the epoch ({@code 1733400000000ms}, {@code 1733400000s}), {@code now()}, or a sum or difference of
 * those with durations ({@code now() - 6h}). {@code >} and {@code <} exclude the bound itself, to the nanosecond.
 */
final class TimeConditions {
    private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
    private static final Pattern DATE_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}.+");
    private static final DateTimeFormatter LOCAL_DATE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .toFormatter(Locale.ROOT);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * The condition without its time comparisons (null when nothing is left) and the window they give.
     *
     * @param lowerNs the lower bound to the nanosecond, null when open: an aggregate without {@code GROUP BY time}
     *                reports it (truncated to the millisecond, as InfluxDB truncates it for {@code epoch=ms})
     */
    record Split(Expr rest, TimeWindow window, Long lowerNs) {}

    private final long nowNs;
    private final ZoneId zone;
    private Long lowerNs;
    private Long upperNs;

    private TimeConditions(long nowMs, ZoneId zone) {
        this.nowNs = Math.multiplyExact(nowMs, Durations.NANOS_PER_MS);
        this.zone = zone;
    }

    /**
     * @param nowMs what {@code now()} stands for
     * @param zone  the statement's {@code tz()}, for time strings without an offset
     * @throws InvalidInputException for a time compared with something that is not a time, or by {@code !=}
     */
    static Split split(Expr condition, long nowMs, ZoneId zone) {
        TimeConditions t = new TimeConditions(nowMs, zone);
        Expr rest = t.strip(condition);
        return new Split(rest, TimeWindow.ofNanos(t.lowerNs, t.upperNs), t.lowerNs);
    }

    private Expr strip(Expr e) {
        if (e instanceof Expr.Paren p) {
            Expr inner = strip(p.inner());
            return inner == null ? null : new Expr.Paren(inner);
        }
        if (!(e instanceof Expr.Binary b)) {
            return e;
        }
        if (b.op() == TokenType.AND || b.op() == TokenType.OR) {
            Expr lhs = strip(b.lhs());
            Expr rhs = strip(b.rhs());
            return lhs == null ? rhs : rhs == null ? lhs : new Expr.Binary(b.op(), lhs, rhs);
        }
        if (isTime(b.lhs())) {
            bound(b.op(), b.rhs());
            return null;
        }
        if (isTime(b.rhs())) {
            bound(
                    switch (b.op()) {
                        case GT -> TokenType.LT;
                        case LT -> TokenType.GT;
                        case GTE -> TokenType.LTE;
                        case LTE -> TokenType.GTE;
                        default -> b.op();
                    },
                    b.lhs());
            return null;
        }
        return e;
    }

    private static boolean isTime(Expr e) {
        return Expr.unwrap(e) instanceof Expr.VarRef v && v.name().equalsIgnoreCase("time");
    }

    private void bound(TokenType op, Expr value) {
        long v = valueNs(value);
        switch (op) {
            case GT -> lower(Math.addExact(v, 1));
            case GTE -> lower(v);
            case LT -> upper(Math.subtractExact(v, 1));
            case LTE -> upper(v);
            case EQ -> {
                lower(v);
                upper(v);
            }
            default -> throw new InvalidInputException("invalid time comparison operator: " + op.display());
        }
    }

    private void lower(long ns) {
        lowerNs = lowerNs == null ? ns : Math.max(lowerNs, ns);
    }

    private void upper(long ns) {
        upperNs = upperNs == null ? ns : Math.min(upperNs, ns);
    }

    /** A time expression in nanoseconds since the epoch. */
    private long valueNs(Expr e) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.StringLit s) {
            return parseTime(s.value());
        }
        if (x instanceof Expr.IntegerLit i) {
            return i.value();
        }
        if (x instanceof Expr.NumberLit n) {
            return (long) n.value();
        }
        if (x instanceof Expr.DurationLit d) {
            return d.nanos();
        }
        if (x instanceof Expr.Call c && c.name().equals("now") && c.args().isEmpty()) {
            return nowNs;
        }
        if (x instanceof Expr.Binary b && (b.op() == TokenType.ADD || b.op() == TokenType.SUB)) {
            long l = valueNs(b.lhs());
            long r = valueNs(b.rhs());
            return b.op() == TokenType.ADD ? Math.addExact(l, r) : Math.subtractExact(l, r);
        }
        throw new InvalidInputException("invalid operation: time and " + describe(x) + " are not compatible");
    }

    private long parseTime(String s) {
        try {
            if (DATE.matcher(s).matches()) {
                return nanos(
                        LocalDate.parse(s).atStartOfDay(zoneOrUtc()).toInstant().getEpochSecond(), 0);
            }
            if (DATE_TIME.matcher(s).matches()) {
                try {
                    var t = LocalDateTime.parse(s, LOCAL_DATE_TIME).atZone(zoneOrUtc());
                    return nanos(t.toEpochSecond(), t.getNano());
                } catch (DateTimeParseException e) {
                    OffsetDateTime t = OffsetDateTime.parse(s);
                    return nanos(t.toEpochSecond(), t.getNano());
                }
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidInputException("invalid time literal '" + s + "': want RFC3339 such as "
                    + "'2026-12-01T00:00:00Z', or 'yyyy-MM-dd HH:mm:ss'");
        }
        throw new InvalidInputException("invalid operation: time and string '" + s + "' are not compatible");
    }

    private ZoneId zoneOrUtc() {
        return zone == null ? ZoneId.of("UTC") : zone;
    }

    private static long nanos(long seconds, int nanos) {
        return Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanos);
    }

    private static String describe(Expr e) {
        if (e instanceof Expr.VarRef v) {
            return "reference " + v.name();
        }
        if (e instanceof Expr.Call c) {
            return "call " + c.name() + "()";
        }
        return e.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
