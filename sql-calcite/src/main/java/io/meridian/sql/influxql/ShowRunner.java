package io.meridian.sql.influxql;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.sql.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Answers the SHOW statements from the {@link Catalog}, in InfluxDB 1.x's shapes; a WHERE over tags runs as SQL
 * ({@code SELECT COUNT(*)} to know whether a measurement has matching series, {@code SELECT DISTINCT "tag"} for the
 * values of matching series).
 *
 * <pre>
 * SHOW DATABASES          {"name":"databases","columns":["name"]}
 * SHOW MEASUREMENTS       {"name":"measurements","columns":["name"]}
 * SHOW TAG KEYS           per measurement {"name":"cpu","columns":["tagKey"]}
 * SHOW TAG VALUES         per measurement {"name":"cpu","columns":["key","value"]}
 * SHOW FIELD KEYS         per measurement {"name":"cpu","columns":["fieldKey","fieldType"]}   (every type: "float")
 * SHOW RETENTION POLICIES {"columns":["name","duration","shardGroupDuration","replicaN","default"]}: one, "autogen"
 * SHOW SERIES             {"columns":["key"]}: "cpu,host=h1,region=eu"
 * </pre>
 */
final class ShowRunner {
    /** Bound on the values of one tag key listed without LIMIT: a longer listing fails rather than being cut. */
    static final int MAX_TAG_VALUES = 10_000;

    private static final long DAY_MS = 86_400_000L;

    private final Catalog catalog;
    private final SqlRunner engine;
    private final SelectPlanner planner;

    ShowRunner(Catalog catalog, SqlRunner engine) {
        this.catalog = catalog;
        this.engine = engine;
        this.planner = new SelectPlanner(catalog);
    }

    List<InfluxQlResponse.Series> run(Statement s, String database, long nowMs) {
        if (s instanceof Statement.ShowDatabases) {
            List<List<Object>> rows = new ArrayList<>();
            catalog.databases().forEach(d -> rows.add(List.of(d.name())));
            return List.of(series("databases", List.of("name"), rows));
        }
        if (s instanceof Statement.ShowRetentionPolicies r) {
            Catalog.Database db = planner.database(r.database() != null ? r.database() : database);
            return List.of(series(
                    null,
                    List.of("name", "duration", "shardGroupDuration", "replicaN", "default"),
                    List.of(List.of(
                            SelectPlanner.RETENTION_POLICY,
                            Durations.goString(db.retentionMs()),
                            Durations.goString(shardGroupMs(db.retentionMs())),
                            1,
                            true))));
        }
        if (s instanceof Statement.ShowMeasurements m) {
            return measurements(m, database, nowMs);
        }
        if (s instanceof Statement.ShowTagKeys k) {
            return tagKeys(k, db(k.database(), database), nowMs);
        }
        if (s instanceof Statement.ShowTagValues v) {
            String db = db(v.database(), database);
            return new TagValuesLister(catalog, engine).list(v, db, metrics(db, v.sources()), nowMs);
        }
        if (s instanceof Statement.ShowFieldKeys f) {
            return fieldKeys(f, db(f.database(), database));
        }
        if (s instanceof Statement.ShowSeries ser) {
            return series(ser, db(ser.database(), database), nowMs);
        }
        throw new IllegalStateException("BUG: not a SHOW statement: " + s);
    }

    private List<InfluxQlResponse.Series> tagKeys(Statement.ShowTagKeys k, String db, long nowMs) {
        List<InfluxQlResponse.Series> out = new ArrayList<>();
        for (Catalog.Metric m : metrics(db, k.sources())) {
            if (k.condition() == null || hasSeries(db, m, k.condition(), nowMs)) {
                List<List<Object>> rows = new ArrayList<>();
                ResultShaper.window(m.tagKeys().stream().sorted().toList(), k.offset(), k.limit())
                        .forEach(t -> rows.add(List.of(t)));
                addIfAny(out, series(m.name(), List.of("tagKey"), rows));
            }
        }
        return out;
    }

    private List<InfluxQlResponse.Series> fieldKeys(Statement.ShowFieldKeys f, String db) {
        List<InfluxQlResponse.Series> out = new ArrayList<>();
        for (Catalog.Metric m : metrics(db, f.sources())) {
            List<List<Object>> rows = new ArrayList<>();
            ResultShaper.window(new ArrayList<>(new TreeSet<>(m.fields().keySet())), f.offset(), f.limit())
                    .forEach(name -> rows.add(List.of(name, "float")));
            addIfAny(out, series(m.name(), List.of("fieldKey", "fieldType"), rows));
        }
        return out;
    }

    private List<InfluxQlResponse.Series> series(Statement.ShowSeries s, String db, long nowMs) {
        TreeSet<String> keys = new TreeSet<>();
        TagValuesLister lister = new TagValuesLister(catalog, engine);
        for (Catalog.Metric m : metrics(db, s.sources())) {
            keys.addAll(lister.seriesKeys(db, m, s.condition(), nowMs));
        }
        List<List<Object>> rows = new ArrayList<>();
        ResultShaper.window(new ArrayList<>(keys), s.offset(), s.limit()).forEach(k -> rows.add(List.of(k)));
        return rows.isEmpty() ? List.of() : List.of(series(null, List.of("key"), rows));
    }

    private List<InfluxQlResponse.Series> measurements(Statement.ShowMeasurements m, String database, long nowMs) {
        String db = db(m.database(), database);
        Pattern re = m.measurement() != null && m.measurement().regex() != null
                ? Pattern.compile(SqlText.javaRegex(m.measurement().regex()))
                : null;
        List<String> names = new ArrayList<>();
        for (String name : catalog.metrics(db)) {
            boolean with = m.measurement() == null
                    || (re != null
                            ? re.matcher(name).find()
                            : name.equals(m.measurement().name()));
            if (with
                    && (m.condition() == null
                            || hasSeries(db, catalog.metric(db, name).orElseThrow(), m.condition(), nowMs))) {
                names.add(name);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        ResultShaper.window(names, m.offset(), m.limit()).forEach(n -> rows.add(List.of(n)));
        return rows.isEmpty() ? List.of() : List.of(series("measurements", List.of("name"), rows));
    }

    /** Whether some series of {@code metric} matches {@code condition} (tags, and time bounds if any). */
    private boolean hasSeries(String db, Catalog.Metric metric, Expr condition, long nowMs) {
        String where = TagValuesLister.where(condition, metric, nowMs);
        if (where == null) {
            return false;
        }
        String sql = "SELECT COUNT(*) FROM " + SqlText.ident(metric.name()) + where;
        return engine.execute(db, sql).rows().stream().anyMatch(r -> r.get(0) instanceof Number n && n.longValue() > 0);
    }

    /** The measurements of a SHOW's FROM (all of the database without one), sorted by name. */
    List<Catalog.Metric> metrics(String db, List<Statement.Source> sources) {
        TreeSet<String> names = new TreeSet<>();
        if (sources.isEmpty()) {
            names.addAll(catalog.metrics(db));
        }
        for (Statement.Source src : sources) {
            Statement.Measurement m = (Statement.Measurement) src;
            SelectPlanner.checkRetentionPolicy(m.retentionPolicy());
            if (m.regex() != null) {
                Pattern p = Pattern.compile(SqlText.javaRegex(m.regex()));
                catalog.metrics(db).stream().filter(n -> p.matcher(n).find()).forEach(names::add);
            } else {
                names.add(m.name());
            }
        }
        List<Catalog.Metric> out = new ArrayList<>();
        names.forEach(n -> catalog.metric(db, n).ifPresent(out::add));
        return out;
    }

    private String db(String named, String request) {
        return planner.database(named != null ? named : request).name();
    }

    /** InfluxDB's shard group duration for a retention: 1h below 2 days, 1d below 180 days, else 7d. */
    static long shardGroupMs(long retentionMs) {
        if (retentionMs == 0 || retentionMs >= 180 * DAY_MS) {
            return 7 * DAY_MS;
        }
        return retentionMs >= 2 * DAY_MS ? DAY_MS : 3_600_000L;
    }

    static InfluxQlResponse.Series series(String name, List<String> columns, List<List<Object>> rows) {
        return new InfluxQlResponse.Series(name, Map.of(), columns, rows);
    }

    private static void addIfAny(List<InfluxQlResponse.Series> out, InfluxQlResponse.Series s) {
        if (!s.values().isEmpty()) {
            out.add(s);
        }
    }

    static InvalidInputException tooManyValues(String db, String metric, String key) {
        return new InvalidInputException(
                ErrorCode.LIMIT_EXCEEDED,
                "too many tag values [database=" + db + ", measurement=" + metric + ", key=" + key + "]: more than "
                        + MAX_TAG_VALUES + "; add LIMIT, or a WHERE clause");
    }
}
