package io.meridian.connector.flink.table;

import io.meridian.connector.flink.MeridianPoint;
import io.meridian.connector.flink.PointConverter;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;

/**
 * Maps a table row to a point: the time column to the timestamp, the tag columns to tags (a NULL tag is left out),
 * the field columns to fields (a NULL field is left out; a row without any field is refused, naming the row's
 * time).
 */
final class RowPointConverter implements PointConverter<RowData> {
    /** A column of the row: its position, name and how to read it. */
    record ColumnRef(int position, String name, RowData.FieldGetter getter) implements Serializable {}

    private final String metric;
    private final ColumnRef time;
    private final List<ColumnRef> tags;
    private final List<ColumnRef> fields;

    RowPointConverter(String metric, ColumnRef time, List<ColumnRef> tags, List<ColumnRef> fields) {
        this.metric = metric;
        this.time = time;
        this.tags = List.copyOf(tags);
        this.fields = List.copyOf(fields);
    }

    @Override
    public MeridianPoint toPoint(RowData row) {
        Object t = time.getter().getFieldOrNull(row);
        if (t == null) {
            throw new IllegalArgumentException("the time column is NULL [metric=" + metric + ", column=" + time.name()
                    + "]: every row needs a time");
        }
        long ts = ((TimestampData) t).getMillisecond();
        Map<String, String> tagValues = new LinkedHashMap<>();
        for (ColumnRef c : tags) {
            Object v = c.getter().getFieldOrNull(row);
            if (v != null) {
                tagValues.put(c.name(), v.toString());
            }
        }
        Map<String, Double> values = new HashMap<>();
        for (ColumnRef c : fields) {
            Object v = c.getter().getFieldOrNull(row);
            if (v != null) {
                values.put(c.name(), toDouble(v));
            }
        }
        return new MeridianPoint(metric, tagValues, ts, values);
    }

    private static double toDouble(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof DecimalData d) {
            return d.toBigDecimal().doubleValue();
        }
        throw new IllegalArgumentException("not a number: " + v.getClass().getName());
    }
}
