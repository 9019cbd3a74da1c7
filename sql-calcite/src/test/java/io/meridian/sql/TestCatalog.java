package io.meridian.sql;

import io.meridian.common.model.FieldType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A catalog in memory: databases, each with metrics given as tag keys and typed fields. */
final class TestCatalog implements Catalog {
    private final Map<String, Database> databases = new LinkedHashMap<>();
    private final Map<String, Map<String, Metric>> metrics = new LinkedHashMap<>();

    TestCatalog database(String name, long baseIntervalMs, long retentionMs) {
        databases.put(name, new Database(name, baseIntervalMs, retentionMs));
        metrics.put(name, new LinkedHashMap<>());
        return this;
    }

    /** Adds a metric to the database added last; {@code fields} alternate name and type. */
    TestCatalog metric(String name, List<String> tagKeys, Object... fields) {
        Map<String, FieldType> f = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            f.put((String) fields[i], (FieldType) fields[i + 1]);
        }
        String db = List.copyOf(databases.keySet()).get(databases.size() - 1);
        metrics.get(db).put(name, new Metric(name, tagKeys, f));
        return this;
    }

    @Override
    public List<Database> databases() {
        return List.copyOf(databases.values());
    }

    @Override
    public Optional<Database> database(String name) {
        return Optional.ofNullable(databases.get(name));
    }

    @Override
    public List<String> metrics(String database) {
        Map<String, Metric> m = metrics.get(database);
        return m == null ? List.of() : m.keySet().stream().sorted().toList();
    }

    @Override
    public Optional<Metric> metric(String database, String metric) {
        Map<String, Metric> m = metrics.get(database);
        return m == null ? Optional.empty() : Optional.ofNullable(m.get(metric));
    }
}
