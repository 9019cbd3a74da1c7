package io.meridian.sql;

import io.meridian.common.model.FieldType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A catalog in memory (for the SQL and the InfluxQL tests): databases, each with metrics given as tag keys and typed fields, and the values of their
 * tags. Records every {@link #tagValues} call in {@link #tagValueCalls}.
 */
public final class TestCatalog implements Catalog {
    /** A {@link #tagValues} call: its arguments. */
    public record TagValuesCall(String database, String metric, String tagKey, int limit) {}

    /** The {@link #tagValues} calls made so far, in order. */
    public final List<TagValuesCall> tagValueCalls = new ArrayList<>();

    private final Map<String, Database> databases = new LinkedHashMap<>();
    private final Map<String, Map<String, Metric>> metrics = new LinkedHashMap<>();
    private final Map<List<String>, TreeSet<String>> tagValues = new LinkedHashMap<>();

    public TestCatalog database(String name, long baseIntervalMs, long retentionMs) {
        databases.put(name, new Database(name, baseIntervalMs, retentionMs));
        metrics.put(name, new LinkedHashMap<>());
        return this;
    }

    /** Adds a metric to the database added last; {@code fields} alternate name and type. */
    public TestCatalog metric(String name, List<String> tagKeys, Object... fields) {
        Map<String, FieldType> f = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            f.put((String) fields[i], (FieldType) fields[i + 1]);
        }
        String db = List.copyOf(databases.keySet()).get(databases.size() - 1);
        metrics.get(db).put(name, new Metric(name, tagKeys.stream().sorted().toList(), f));
        return this;
    }

    /** Adds values of a tag of a metric of the database added last (in any order; listed sorted and distinct). */
    public TestCatalog tagValues(String metric, String tagKey, List<String> values) {
        String db = List.copyOf(databases.keySet()).get(databases.size() - 1);
        tagValues
                .computeIfAbsent(List.of(db, metric, tagKey), k -> new TreeSet<>())
                .addAll(values);
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

    @Override
    public List<String> tagValues(String database, String metric, String tagKey, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit);
        }
        tagValueCalls.add(new TagValuesCall(database, metric, tagKey, limit));
        TreeSet<String> values = tagValues.get(List.of(database, metric, tagKey));
        return values == null ? List.of() : values.stream().limit(limit).toList();
    }
}
