package io.meridian.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code information_schema}: what the catalog holds, as tables a SQL user can query and join:
 * {@code databases(database, shards_interval_ms, retention_ms)}, {@code metrics(database, metric)},
 * {@code tags(database, metric, tag)}, {@code fields(database, metric, field, type)} and
 * {@code tag_values(database, metric, tag, value)} ({@link TagValuesTable}: filtered by equalities on its first
 * three columns, and bounded). Read when a statement runs.
 */
final class InformationSchema extends AbstractSchema {
    static final String NAME = "information_schema";
    /** Bound on the values {@code tag_values} lists for one (database, metric, tag); more fail the statement. */
    static final int MAX_TAG_VALUES = 10_000;
    /** Bound on the (database, metric, tag) listings one scan of {@code tag_values} asks the catalog for. */
    static final int MAX_TAG_LISTINGS = 1_000;

    private final Catalog catalog;

    InformationSchema(Catalog catalog) {
        this.catalog = catalog;
    }

    @Override
    protected Map<String, Table> getTableMap() {
        return Map.of(
                "databases",
                        table(
                                List.of("database", "base_interval_ms", "retention_ms"),
                                List.of(SqlTypeName.VARCHAR, SqlTypeName.BIGINT, SqlTypeName.BIGINT),
                                c -> {
                                    List<Object[]> rows = new ArrayList<>();
                                    c.databases()
                                            .forEach(d -> rows.add(
                                                    new Object[] {d.name(), d.baseIntervalMs(), d.retentionMs()}));
                                    return rows;
                                }),
                "metrics",
                        table(List.of("database", "metric"), List.of(SqlTypeName.VARCHAR, SqlTypeName.VARCHAR), c -> {
                            List<Object[]> rows = new ArrayList<>();
                            c.databases()
                                    .forEach(d ->
                                            c.metrics(d.name()).forEach(m -> rows.add(new Object[] {d.name(), m})));
                            return rows;
                        }),
                "tags",
                        table(
                                List.of("database", "metric", "tag"),
                                List.of(SqlTypeName.VARCHAR, SqlTypeName.VARCHAR, SqlTypeName.VARCHAR),
                                c -> {
                                    List<Object[]> rows = new ArrayList<>();
                                    c.databases()
                                            .forEach(d -> c.metrics(d.name())
                                                    .forEach(m -> c.metric(d.name(), m)
                                                            .ifPresent(x -> x.tagKeys()
                                                                    .forEach(t ->
                                                                            rows.add(new Object[] {d.name(), m, t})))));
                                    return rows;
                                }),
                "fields",
                        table(
                                List.of("database", "metric", "field", "type"),
                                List.of(
                                        SqlTypeName.VARCHAR,
                                        SqlTypeName.VARCHAR,
                                        SqlTypeName.VARCHAR,
                                        SqlTypeName.VARCHAR),
                                c -> {
                                    List<Object[]> rows = new ArrayList<>();
                                    c.databases()
                                            .forEach(d -> c.metrics(d.name())
                                                    .forEach(m -> c.metric(d.name(), m)
                                                            .ifPresent(x -> x.fields()
                                                                    .forEach((f, type) -> rows.add(new Object[] {
                                                                        d.name(),
                                                                        m,
                                                                        f,
                                                                        type.name()
                                                                                .toLowerCase(Locale.ROOT)
                                                                    })))));
                                    return rows;
                                }),
                "tag_values", new TagValuesTable(catalog, MAX_TAG_VALUES, MAX_TAG_LISTINGS));
    }

    private Table table(List<String> names, List<SqlTypeName> types, Function<Catalog, List<Object[]>> rows) {
        return new Listing(names, types, () -> rows.apply(catalog));
    }

    private static final class Listing extends AbstractTable implements ScannableTable {
        private final List<String> names;
        private final List<SqlTypeName> types;
        private final Supplier<List<Object[]>> rows;

        Listing(List<String> names, List<SqlTypeName> types, Supplier<List<Object[]>> rows) {
            this.names = names;
            this.types = types;
            this.rows = rows;
        }

        @Override
        public RelDataType getRowType(RelDataTypeFactory f) {
            RelDataTypeFactory.Builder b = f.builder();
            for (int i = 0; i < names.size(); i++) {
                b.add(names.get(i), f.createTypeWithNullability(f.createSqlType(types.get(i)), false));
            }
            return b.build();
        }

        @Override
        public Enumerable<Object[]> scan(DataContext root) {
            return Linq4j.asEnumerable(rows.get());
        }
    }
}
