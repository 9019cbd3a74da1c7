package io.meridian.sql;

import io.meridian.common.query.QueryExecutor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/** A database as a SQL schema: one {@link MetricTable} per metric, read from the catalog when a statement is planned. */
final class DatabaseSchema extends AbstractSchema {
    private final Catalog catalog;
    private final Catalog.Database database;
    private final QueryExecutor executor;
    private final Duration timeout;
    private final int maxGroups;

    DatabaseSchema(
            Catalog catalog, Catalog.Database database, QueryExecutor executor, Duration timeout, int maxGroups) {
        this.catalog = catalog;
        this.database = database;
        this.executor = executor;
        this.timeout = timeout;
        this.maxGroups = maxGroups;
    }

    @Override
    protected Map<String, Table> getTableMap() {
        Map<String, Table> tables = new LinkedHashMap<>();
        for (String m : catalog.metrics(database.name())) {
            catalog.metric(database.name(), m)
                    .ifPresent(
                            metric -> tables.put(m, new MetricTable(database, metric, executor, timeout, maxGroups)));
        }
        return tables;
    }

    @Override
    public boolean isMutable() {
        return false;
    }
}
