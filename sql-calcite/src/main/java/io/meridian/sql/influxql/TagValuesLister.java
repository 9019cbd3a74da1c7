package io.meridian.sql.influxql;

import io.meridian.sql.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The tag values of {@code SHOW TAG VALUES} and the series keys of {@code SHOW SERIES}: from the catalog's
 * listing when there is no WHERE, else from {@code SELECT DISTINCT "key" FROM "m" WHERE ...}, which the rules
 * answer from the newest point of each matching series. A series without the tag (read as {@code ''}) lists no value.
 */
final class TagValuesLister {
    private final Catalog catalog;
    private final SqlRunner engine;

    TagValuesLister(Catalog catalog, SqlRunner engine) {
        this.catalog = catalog;
        this.engine = engine;
    }

    List<InfluxQlResponse.Series> list(Statement.ShowTagValues s, String db, List<Catalog.Metric> metrics, long nowMs) {
        List<InfluxQlResponse.Series> out = new ArrayList<>();
        for (Catalog.Metric m : metrics) {
            List<List<Object>> rows = new ArrayList<>();
            for (String key : keys(s, m)) {
                for (String value :
                        values(db, m, key, s.condition(), s.limit() > 0 ? s.offset() + s.limit() : 0, nowMs)) {
                    rows.add(List.of(key, value));
                }
            }
            List<List<Object>> window = ResultShaper.window(rows, s.offset(), s.limit());
            if (!window.isEmpty()) {
                out.add(ShowRunner.series(m.name(), List.of("key", "value"), window));
            }
        }
        return out;
    }

    private static List<String> keys(Statement.ShowTagValues s, Catalog.Metric m) {
        TreeSet<String> keys = new TreeSet<>();
        for (String k : m.tagKeys()) {
            boolean match;
            if (s.keyOp() == null) {
                match = s.keys().contains(k);
            } else {
                match = switch (s.keyOp()) {
                    case EQ -> k.equals(s.keys().get(0));
                    case NEQ -> !k.equals(s.keys().get(0));
                    case EQ_REGEX ->
                        Pattern.compile(SqlText.javaRegex(s.keys().get(0)))
                                .matcher(k)
                                .find();
                    case NEQ_REGEX ->
                        !Pattern.compile(SqlText.javaRegex(s.keys().get(0)))
                                .matcher(k)
                                .find();
                    default -> throw new IllegalStateException("BUG: WITH KEY " + s.keyOp());
                };
            }
            if (match) {
                keys.add(k);
            }
        }
        return List.copyOf(keys);
    }

    /** The sorted values of {@code key}: at most {@code want} (0: all, up to the bound) of them. */
    private List<String> values(String db, Catalog.Metric m, String key, Expr condition, long want, long nowMs) {
        if (condition == null) {
            int limit = want > 0 ? (int) Math.min(want, ShowRunner.MAX_TAG_VALUES) : ShowRunner.MAX_TAG_VALUES + 1;
            List<String> values = catalog.tagValues(db, m.name(), key, limit);
            if (want == 0 && values.size() > ShowRunner.MAX_TAG_VALUES) {
                throw ShowRunner.tooManyValues(db, m.name(), key);
            }
            return values;
        }
        TreeSet<String> values = new TreeSet<>();
        distinct(db, m, List.of(key), condition, nowMs).forEach(row -> {
            if (row.get(0) != null && !row.get(0).toString().isEmpty()) {
                values.add(row.get(0).toString());
            }
        });
        return new ArrayList<>(values);
    }

    /** The series keys of {@code m} matching {@code condition}: {@code cpu,host=h1,region=eu}. */
    List<String> seriesKeys(String db, Catalog.Metric m, Expr condition, long nowMs) {
        List<String> tags = m.tagKeys().stream().sorted().toList();
        List<String> keys = new ArrayList<>();
        if (tags.isEmpty()) {
            // a measurement without tags has one series, its name: listed when it has a point
            String where = where(condition, m, nowMs);
            if (where != null
                    && engine.execute(db, "SELECT COUNT(*) FROM " + SqlText.ident(m.name()) + where).rows().stream()
                            .anyMatch(r -> r.get(0) instanceof Number n && n.longValue() > 0)) {
                keys.add(escape(m.name(), false));
            }
            return keys;
        }
        for (List<Object> row : distinct(db, m, tags, condition, nowMs)) {
            StringBuilder sb = new StringBuilder(escape(m.name(), false));
            Map<String, String> pairs = new TreeMap<>();
            for (int i = 0; i < tags.size(); i++) {
                Object v = row.get(i);
                if (v != null && !v.toString().isEmpty()) {
                    pairs.put(tags.get(i), v.toString());
                }
            }
            pairs.forEach(
                    (k, v) -> sb.append(',').append(escape(k, true)).append('=').append(escape(v, true)));
            keys.add(sb.toString());
        }
        return keys;
    }

    private List<List<Object>> distinct(String db, Catalog.Metric m, List<String> columns, Expr condition, long nowMs) {
        String where = where(condition, m, nowMs);
        if (where == null) {
            return List.of();
        }
        return engine.execute(
                        db,
                        "SELECT DISTINCT "
                                + String.join(
                                        ", ",
                                        columns.stream().map(SqlText::ident).toList()) + " FROM "
                                + SqlText.ident(m.name()) + where)
                .rows();
    }

    /**
     * The {@code WHERE ...} of a listing's condition over {@code m} (tags and time bounds), "" without one, null when
     * it can never hold.
     */
    static String where(Expr condition, Catalog.Metric m, long nowMs) {
        TimeConditions.Split split = TimeConditions.split(condition, nowMs, null);
        ConditionSql.Rendered cond = ConditionSql.render(split.rest(), m);
        if (cond.alwaysFalse() || split.window().isEmpty()) {
            return null;
        }
        List<String> where = new ArrayList<>();
        if (cond.sql() != null) {
            where.add(cond.conjunct());
        }
        where.addAll(split.window().sql());
        return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    }

    /** Line protocol escaping of a series key part: commas and spaces, and equals signs in tags. */
    private static String escape(String s, boolean tag) {
        String out = s.replace(",", "\\,").replace(" ", "\\ ");
        return tag ? out.replace("=", "\\=") : out;
    }
}
