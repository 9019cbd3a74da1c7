package io.meridian.bench.broker;

import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

/**
 * A TSBS leaf query shape as the SQL a user writes for it (docs/queries.md, "TSBS query shapes in SQL"), e.g.
 * single-groupby-1-1-1: {@code SELECT FLOOR(ts TO MINUTE) AS t, MAX(usage_user) FROM cpu WHERE hostname = 'host_7'
 * AND ts >= TIMESTAMP '..' AND ts < TIMESTAMP '..' GROUP BY FLOOR(ts TO MINUTE) ORDER BY t}.
 */
final class SqlShapes {
    private SqlShapes() {}

    /** The SQL of {@code q} with aggregate {@code fn}, literals inline. */
    static String of(LeafQuery q, String fn) {
        return build(q, fn, false);
    }

    /**
     * The same statement with parameters for the host and the time range, as a JDBC application prepares it once:
     * {@code hostname = ?} (when the shape filters one host), {@code ts >= ?}, {@code ts < ?}.
     */
    static String parameterized(LeafQuery q, String fn) {
        return build(q, fn, true);
    }

    /** Binds {@link #parameterized} statement's parameters for {@code q}. */
    static void bind(PreparedStatement ps, LeafQuery q) throws SQLException {
        int i = 1;
        if (q.predicate() instanceof TagPredicate.Eq eq) {
            ps.setString(i++, eq.value());
        }
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        ps.setTimestamp(i++, new Timestamp(q.startMs()), utc);
        ps.setTimestamp(i, new Timestamp(q.endMs()), utc);
    }

    private static String build(LeafQuery q, String fn, boolean params) {
        String bucket = switch ((int) (q.bucketMs() / 1000)) {
            case 0 -> null;
            case 60 -> "FLOOR(ts TO MINUTE)";
            case 3600 -> "FLOOR(ts TO HOUR)";
            default -> throw new IllegalArgumentException("no SQL bucket for " + q.bucketMs() + " ms");
        };
        List<String> select = new ArrayList<>();
        List<String> group = new ArrayList<>();
        if (bucket != null) {
            select.add(bucket + " AS t");
            group.add(bucket);
        }
        select.addAll(q.groupBy());
        group.addAll(q.groupBy());
        q.fields().forEach(f -> select.add(fn.toUpperCase(Locale.ROOT) + "(" + f + ")"));
        StringBuilder sql =
                new StringBuilder("SELECT ").append(String.join(", ", select)).append(" FROM cpu WHERE ");
        if (q.predicate() instanceof TagPredicate.Eq eq) {
            sql.append(eq.key()).append(params ? " = ? AND " : " = '" + eq.value() + "' AND ");
        } else if (!(q.predicate() instanceof TagPredicate.All)) {
            throw new IllegalArgumentException("no SQL for " + q.predicate());
        }
        if (params) {
            sql.append("ts >= ? AND ts < ?");
        } else {
            sql.append("ts >= TIMESTAMP '")
                    .append(ts(q.startMs()))
                    .append("' AND ts < TIMESTAMP '")
                    .append(ts(q.endMs()))
                    .append('\'');
        }
        if (!group.isEmpty()) {
            sql.append(" GROUP BY ").append(String.join(", ", group));
            List<String> order = new ArrayList<>();
            if (bucket != null) {
                order.add("t");
            }
            order.addAll(q.groupBy());
            sql.append(" ORDER BY ").append(String.join(", ", order));
        }
        return sql.toString();
    }

    private static String ts(long ms) {
        return Instant.ofEpochMilli(ms).toString().replace('T', ' ').replace("Z", "");
    }
}
