package io.meridian.sql;

import java.util.List;
import org.apache.calcite.adapter.enumerable.CallImplementor;
import org.apache.calcite.adapter.enumerable.NullPolicy;
import org.apache.calcite.adapter.enumerable.ReflectiveCallNotNullImplementor;
import org.apache.calcite.adapter.enumerable.RexImpTable;
import org.apache.calcite.avatica.util.TimeUnit;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.FunctionParameter;
import org.apache.calcite.schema.ImplementableFunction;
import org.apache.calcite.schema.ScalarFunction;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code time_bucket(INTERVAL '5' MINUTE, ts)}: the start of the epoch-aligned bucket holding {@code ts}, as in
 * TimescaleDB. Pushed into the distributed plan as the query's bucket when it groups (see {@link MeridianRules});
 * evaluated row by row otherwise.
 */
public final class TimeBucketFunction implements ScalarFunction, ImplementableFunction {
    static final String NAME = "time_bucket";

    /** The bucket start: {@code ts} rounded down to a multiple of {@code widthMs} since the epoch. */
    public static long eval(long widthMs, long ts) {
        if (widthMs <= 0) {
            throw new io.meridian.common.error.InvalidInputException("invalid time_bucket width [width=" + widthMs
                    + "ms]: want a positive interval");
        }
        return Math.floorDiv(ts, widthMs) * widthMs;
    }

    @Override
    public RelDataType getReturnType(RelDataTypeFactory f) {
        return f.createSqlType(SqlTypeName.TIMESTAMP, 3);
    }

    @Override
    public List<FunctionParameter> getParameters() {
        return List.of(parameter(0, "width", f -> f.createSqlIntervalType(
                        new SqlIntervalQualifier(TimeUnit.DAY, TimeUnit.SECOND, SqlParserPos.ZERO))),
                parameter(1, "ts", f -> f.createSqlType(SqlTypeName.TIMESTAMP, 3)));
    }

    @Override
    public CallImplementor getImplementor() {
        try {
            return RexImpTable.createImplementor(new ReflectiveCallNotNullImplementor(
                    TimeBucketFunction.class.getMethod("eval", long.class, long.class)), NullPolicy.STRICT, false);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("BUG: time_bucket has no eval method", e);
        }
    }

    private static FunctionParameter parameter(int ordinal, String name,
                                               java.util.function.Function<RelDataTypeFactory, RelDataType> type) {
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
