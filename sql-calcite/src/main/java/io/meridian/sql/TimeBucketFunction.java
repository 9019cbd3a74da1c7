package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;
import java.lang.reflect.Method;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.calcite.adapter.enumerable.CallImplementor;
import org.apache.calcite.adapter.enumerable.NullPolicy;
import org.apache.calcite.adapter.enumerable.ReflectiveCallNotNullImplementor;
import org.apache.calcite.adapter.enumerable.RexImpTable;
import org.apache.calcite.avatica.util.TimeUnit;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.FunctionParameter;
import org.apache.calcite.schema.ImplementableFunction;
import org.apache.calcite.schema.ScalarFunction;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code time_bucket(width, ts [, zone])}: the start of the bucket holding {@code ts}, with TimescaleDB's name and
 * meaning.
 * <ul>
 *   <li>{@code time_bucket(INTERVAL '5' MINUTE, ts)}: buckets aligned to the epoch (UTC). Pushed into the
 *       distributed plan as the query's bucket when it groups (see {@link MeridianRules}); evaluated row by row
 *       otherwise.</li>
 *   <li>{@code time_bucket(INTERVAL '1' DAY, ts, 'Europe/Paris')}: buckets aligned to local midnight (the epoch
 *       in local time) of an IANA zone or an offset ({@code '+05:30'}), so a day is 23 or 25 hours across a DST
 *       change; the answer is the bucket's start instant (a UTC timestamp). A local time that falls in a DST
 *       gap starts at the first instant after it; at the fall-back hour, the repeated local hour is one bucket.</li>
 *   <li>{@code time_bucket(INTERVAL '1' MONTH, ts [, zone])} (also {@code YEAR}, {@code 'n' MONTH}): calendar
 *       buckets from the first of the month, counted from January 1970.</li>
 * </ul>
 * The zoned and calendar forms are evaluated over the slots (the statement reads slots and Calcite groups
 * them), which is exact whenever the zone's offset is a multiple of the base interval (every real zone is, at
 * any base interval up to 15 minutes).
 */
public final class TimeBucketFunction implements ScalarFunction, ImplementableFunction {
    static final String NAME = "time_bucket";
    /** TimescaleDB's bucket that also answers the empty buckets of the range ({@link PushedPlan#gapfill}). */
    static final String GAPFILL_NAME = "time_bucket_gapfill";

    private static final Map<String, ZoneId> ZONES = new ConcurrentHashMap<>();

    /** Every form, registered under one name (Calcite picks by the argument types). */
    static List<TimeBucketFunction> forms() {
        Function<RelDataTypeFactory, RelDataType> dayTime = f ->
                f.createSqlIntervalType(new SqlIntervalQualifier(TimeUnit.DAY, TimeUnit.SECOND, SqlParserPos.ZERO));
        Function<RelDataTypeFactory, RelDataType> yearMonth = f ->
                f.createSqlIntervalType(new SqlIntervalQualifier(TimeUnit.YEAR, TimeUnit.MONTH, SqlParserPos.ZERO));
        Function<RelDataTypeFactory, RelDataType> ts = f -> f.createSqlType(SqlTypeName.TIMESTAMP, 3);
        Function<RelDataTypeFactory, RelDataType> zone = f -> f.createSqlType(SqlTypeName.VARCHAR);
        List<TimeBucketFunction> forms = new ArrayList<>();
        forms.add(new TimeBucketFunction("eval", List.of(dayTime, ts), long.class, long.class));
        forms.add(
                new TimeBucketFunction("evalZoned", List.of(dayTime, ts, zone), long.class, long.class, String.class));
        forms.add(new TimeBucketFunction("evalMonths", List.of(yearMonth, ts), int.class, long.class));
        forms.add(new TimeBucketFunction(
                "evalMonthsZoned", List.of(yearMonth, ts, zone), int.class, long.class, String.class));
        return forms;
    }

    /**
     * {@code time_bucket_gapfill(INTERVAL, ts)}: grouped by, the epoch-aligned bucket of a pushed aggregate whose
     * empty buckets are answered too; never evaluated row by row (it fails and says where it works).
     */
    static TimeBucketFunction gapfill() {
        return new TimeBucketFunction(
                "evalGapfill",
                List.of(
                        f -> f.createSqlIntervalType(
                                new SqlIntervalQualifier(TimeUnit.DAY, TimeUnit.SECOND, SqlParserPos.ZERO)),
                        f -> f.createSqlType(SqlTypeName.TIMESTAMP, 3)),
                long.class,
                long.class);
    }

    /** Whether {@code e} is a call of time_bucket or time_bucket_gapfill. */
    static boolean isBucketCall(RexCall c) {
        String name = c.getOperator().getName();
        return name.equalsIgnoreCase(NAME) || name.equalsIgnoreCase(GAPFILL_NAME);
    }

    /** Whether {@code e} is a call of time_bucket_gapfill. */
    static boolean isGapfill(RexNode e) {
        return e instanceof RexCall c && c.getOperator().getName().equalsIgnoreCase(GAPFILL_NAME);
    }

    private final List<Function<RelDataTypeFactory, RelDataType>> parameterTypes;
    private final Method method;

    private TimeBucketFunction(
            String method, List<Function<RelDataTypeFactory, RelDataType>> parameterTypes, Class<?>... javaTypes) {
        this.parameterTypes = parameterTypes;
        try {
            this.method = TimeBucketFunction.class.getMethod(method, javaTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("BUG: time_bucket has no method " + method, e);
        }
    }

    /** The bucket start: {@code ts} rounded down to a multiple of {@code widthMs} since the epoch. */
    public static long eval(long widthMs, long ts) {
        requirePositive(widthMs, "ms");
        return Math.floorDiv(ts, widthMs) * widthMs;
    }

    /** time_bucket_gapfill outside a pushed GROUP BY: refused (its gaps could not be filled there). */
    public static long evalGapfill(long widthMs, long ts) {
        throw new InvalidInputException(
                "misplaced " + GAPFILL_NAME + " [function=" + GAPFILL_NAME + "]: it works as the "
                        + "time group of a statement over one metric whose aggregates Meridian computes (SUM, MIN, MAX, AVG, "
                        + "COUNT, FIRST, LAST, PERCENTILE of fields, tag filters, a bounded ts range); use time_bucket elsewhere");
    }

    /** The start of the bucket of {@code widthMs} in local time of {@code zone} holding {@code ts}. */
    public static long evalZoned(long widthMs, long ts, String zone) {
        requirePositive(widthMs, "ms");
        ZoneId z = zone(zone);
        long local = LocalDateTime.ofInstant(Instant.ofEpochMilli(ts), z)
                .toInstant(ZoneOffset.UTC)
                .toEpochMilli();
        long bucket = Math.floorDiv(local, widthMs) * widthMs;
        return startOf(LocalDateTime.ofInstant(Instant.ofEpochMilli(bucket), ZoneOffset.UTC), z);
    }

    /** The start of the {@code months}-month calendar bucket (UTC) holding {@code ts}. */
    public static long evalMonths(int months, long ts) {
        return evalMonthsZoned(months, ts, "UTC");
    }

    /** The start of the {@code months}-month calendar bucket in local time of {@code zone} holding {@code ts}. */
    public static long evalMonthsZoned(int months, long ts, String zone) {
        requirePositive(months, "months");
        ZoneId z = zone(zone);
        LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(ts), z);
        long index = (date.getYear() - 1970L) * 12 + date.getMonthValue() - 1;
        long bucket = Math.floorDiv(index, months) * months;
        LocalDate first =
                LocalDate.of((int) (1970 + Math.floorDiv(bucket, 12)), (int) Math.floorMod(bucket, 12) + 1, 1);
        return startOf(first.atStartOfDay(), z);
    }

    private static long startOf(LocalDateTime local, ZoneId zone) {
        return ZonedDateTime.ofLocal(local, zone, null).toInstant().toEpochMilli();
    }

    private static void requirePositive(long width, String unit) {
        if (width <= 0) {
            throw new InvalidInputException("invalid bucket width [function=time_bucket, argument=1]: got " + width
                    + " " + unit + "; want a positive interval such as INTERVAL '5' MINUTE");
        }
    }

    private static ZoneId zone(String zone) {
        ZoneId z = ZONES.get(zone);
        if (z != null) {
            return z;
        }
        try {
            z = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new InvalidInputException(
                    "unknown time zone [function=time_bucket, argument=3]: '" + zone
                            + "'; want an IANA zone such as 'Europe/Paris' or 'America/New_York', or an offset such as '+05:30'");
        }
        if (ZONES.size() < 1024) {
            ZONES.put(zone, z);
        }
        return z;
    }

    @Override
    public RelDataType getReturnType(RelDataTypeFactory f) {
        return f.createSqlType(SqlTypeName.TIMESTAMP, 3);
    }

    @Override
    public List<FunctionParameter> getParameters() {
        List<String> names = List.of("width", "ts", "zone");
        List<FunctionParameter> out = new ArrayList<>();
        for (int i = 0; i < parameterTypes.size(); i++) {
            out.add(parameter(i, names.get(i), parameterTypes.get(i)));
        }
        return out;
    }

    @Override
    public CallImplementor getImplementor() {
        return RexImpTable.createImplementor(new ReflectiveCallNotNullImplementor(method), NullPolicy.STRICT, false);
    }

    private static FunctionParameter parameter(
            int ordinal, String name, Function<RelDataTypeFactory, RelDataType> type) {
        return new FunctionParameter() {
            @Override
            public int getOrdinal() {
                return ordinal;
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public RelDataType getType(RelDataTypeFactory f) {
                return type.apply(f);
            }

            @Override
            public boolean isOptional() {
                return false;
            }
        };
    }
}
