package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.sql.Catalog;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Plans a SELECT: resolves its sources against the catalog (a database from {@code FROM "db"."rp"."m"} or the
 * request, measurements by name or regex), expands its field list over their fields and tags, checks what it
 * computes, takes its time window out of the condition, and builds one {@link SelectPlan} per measurement.
 */
final class SelectPlanner {
    /** The retention policy every Meridian database answers to, as InfluxDB's default one. */
    static final String RETENTION_POLICY = "autogen";

    /**
     * A planned statement.
     *
     * @param columns the column names of every series: {@code time}, then the outputs
     * @param plans   one per measurement that can have rows, by database and name
     */
    record Planned(List<String> columns, List<SelectPlan> plans, long slimit, long soffset, ZoneId zone) {}

    private final Catalog catalog;

    SelectPlanner(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * @param database the request's database, null when none
     * @param nowMs    what {@code now()} stands for
     * @throws InvalidInputException naming what cannot be run
     */
    Planned plan(SelectStatement s, String database, long nowMs) {
        Map<Catalog.Database, List<Catalog.Metric>> targets = targets(s.sources(), database);
        ZoneId zone = s.timeZone() == null ? null : ZoneId.of(s.timeZone());
        GroupBy groupBy = GroupBy.of(s.dimensions());
        TreeSet<String> fields = new TreeSet<>();
        TreeSet<String> tags = new TreeSet<>();
        targets.values()
                .forEach(ms -> ms.forEach(m -> {
                    fields.addAll(m.fields().keySet());
                    tags.addAll(m.tagKeys());
                }));
        List<String> groupTags = groupBy.resolve(tags);
        TreeSet<String> selectable = new TreeSet<>(groupBy.tagWildcard() ? List.of() : tags);
        selectable.removeAll(groupTags);
        // as InfluxDB: a field "time" is not a column; its alias, if any, names the time column
        String timeColumn = "time";
        List<Statement.Field> selected = new ArrayList<>();
        for (Statement.Field field : s.fields()) {
            if (Expr.unwrap(field.expr()) instanceof Expr.VarRef v && v.name().equalsIgnoreCase("time")) {
                timeColumn = field.alias() != null ? field.alias() : timeColumn;
            } else {
                selected.add(field);
            }
        }
        List<FieldExpander.Column> outputs = FieldExpander.expand(selected, fields, selectable);
        SelectShape shape = SelectShape.of(outputs, groupBy.byTime());
        List<String> columns = new ArrayList<>();
        columns.add(timeColumn);
        outputs.forEach(c -> columns.add(c.name()));
        TimeConditions.Split split = TimeConditions.split(s.condition(), nowMs, zone);
        TimeWindow window = split.window();
        if (groupBy.byTime() && window.upperMs() == null) {
            window = window.withUpper(nowMs); // as InfluxDB: GROUP BY time ends at now() unless told otherwise
        }
        List<SelectPlan> plans = new ArrayList<>();
        if (!window.isEmpty()) {
            long fixedTime = split.lowerNs() == null ? 0 : Math.floorDiv(split.lowerNs(), Durations.NANOS_PER_MS);
            PlanBuilder.Context ctx = new PlanBuilder.Context(
                    s, shape, outputs, groupBy, groupTags, split.rest(), window, fixedTime, nowMs, zone);
            targets.forEach((db, metrics) -> metrics.forEach(m -> {
                SelectPlan p = PlanBuilder.build(ctx, db, m);
                if (p != null) {
                    plans.add(p);
                }
            }));
        }
        return new Planned(List.copyOf(columns), plans, s.slimit(), s.soffset(), zone);
    }

    /** The measurements of the FROM clause that exist, per database, each database's sorted by name. */
    private Map<Catalog.Database, List<Catalog.Metric>> targets(List<Statement.Source> sources, String database) {
        Map<Catalog.Database, List<Catalog.Metric>> out = new LinkedHashMap<>();
        for (Statement.Source source : sources) {
            if (source instanceof Statement.Subquery) {
                throw new InvalidInputException("not supported: subquery in FROM");
            }
            Statement.Measurement m = (Statement.Measurement) source;
            Catalog.Database db = database(m.database() != null && !m.database().isEmpty() ? m.database() : database);
            checkRetentionPolicy(m.retentionPolicy());
            List<Catalog.Metric> metrics = out.computeIfAbsent(db, d -> new ArrayList<>());
            for (String name : names(db.name(), m)) {
                catalog.metric(db.name(), name)
                        .filter(x -> !metrics.contains(x))
                        .ifPresent(metrics::add);
            }
            metrics.sort(Comparator.comparing(Catalog.Metric::name));
        }
        return out;
    }

    private List<String> names(String db, Statement.Measurement m) {
        if (m.regex() == null) {
            return List.of(m.name());
        }
        Pattern p = Pattern.compile(SqlText.javaRegex(m.regex()));
        return catalog.metrics(db).stream().filter(n -> p.matcher(n).find()).toList();
    }

    /** The database named, or the error InfluxDB gives: {@code database name required}, {@code database not found}. */
    Catalog.Database database(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("database name required");
        }
        Optional<Catalog.Database> db = catalog.database(name);
        return db.orElseThrow(() -> new InvalidInputException("database not found: " + name));
    }

    static void checkRetentionPolicy(String rp) {
        if (rp != null && !rp.isEmpty() && !rp.equals(RETENTION_POLICY)) {
            throw new InvalidInputException("retention policy not found: " + rp);
        }
    }
}
