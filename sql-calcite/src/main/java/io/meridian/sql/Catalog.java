package io.meridian.sql;

import io.meridian.common.model.FieldType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the SQL layer knows of the data: databases (schemas), their metrics (tables) with tag keys and field
 * types (columns). The broker implements it from the metadata and the storage nodes, and caches it.
 */
public interface Catalog {
    /** One database: its name, the base interval (the finest bucket a scan returns) and its longest retention. */
    record Database(String name, long baseIntervalMs, long retentionMs) {
        public Database {
            Objects.requireNonNull(name, "name");
        }
    }

    /** One metric: tag keys (sorted) and fields with their types (in definition order). */
    record Metric(String name, List<String> tagKeys, Map<String, FieldType> fields) {
        public Metric {
            Objects.requireNonNull(name, "name");
            tagKeys = List.copyOf(tagKeys);
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    List<Database> databases();

    Optional<Database> database(String name);

    /** Metric names of a database, sorted; empty for an unknown database. */
    List<String> metrics(String database);

    Optional<Metric> metric(String database, String metric);

    /**
     * The distinct values of tag {@code tagKey} among the series of {@code metric}, sorted, at most {@code limit}
     * of them (the first ones): what InfluxQL's {@code SHOW TAG VALUES FROM metric WITH KEY = tagKey} answers.
     * Empty for an unknown database, metric or tag key. Read when asked, not cached for long: values change with
     * every write of a new series. A caller that must not cut a listing asks for one more than it keeps.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    List<String> tagValues(String database, String metric, String tagKey, int limit);
}
