package io.meridian.connector.flink;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * One point as a user's job hands it to {@link MeridianSink}: a metric, its tags (the series), a time and one or
 * more numeric fields. What a {@link PointConverter} makes of a user's own record type.
 *
 * @param metric      the metric (a table in SQL): {@code [A-Za-z_][A-Za-z0-9_.:-]{0,127}}
 * @param tags        tag key to value; the key set identifies the series (may be empty)
 * @param timestampMs milliseconds since the Unix epoch (UTC)
 * @param fields      field name to value; at least one, finite values
 */
public record MeridianPoint(String metric, Map<String, String> tags, long timestampMs, Map<String, Double> fields)
        implements Serializable {
    public MeridianPoint {
        Objects.requireNonNull(metric, "metric");
        tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
        fields = Map.copyOf(Objects.requireNonNull(fields, "fields"));
    }
}
