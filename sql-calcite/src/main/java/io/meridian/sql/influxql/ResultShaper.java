package io.meridian.sql.influxql;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Shapes a SELECT's series into the response, as InfluxDB orders and limits them: series by measurement, then by
 * their tag values (keys sorted); {@code SOFFSET}/{@code SLIMIT} over series; within a series {@code ORDER BY time
 * DESC}, then {@code OFFSET}/{@code LIMIT} over its points; a series left without points is dropped; {@code time}
 * first, written per {@link Epoch}.
 */
final class ResultShaper {
    private static final Comparator<SeriesResult> ORDER = Comparator.comparing(SeriesResult::name)
            .thenComparing(s -> List.copyOf(s.tags().values()), ResultShaper::compareLists);

    private ResultShaper() {}

    static List<InfluxQlResponse.Series> shape(
            List<SeriesResult> series,
            List<String> columns,
            boolean descending,
            long limit,
            long offset,
            long slimit,
            long soffset,
            Epoch epoch,
            ZoneId zone) {
        List<SeriesResult> sorted = new ArrayList<>(series);
        sorted.sort(ORDER);
        List<InfluxQlResponse.Series> out = new ArrayList<>();
        for (SeriesResult s : window(sorted, soffset, slimit)) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < s.times().size(); i++) {
                order.add(i);
            }
            if (descending) {
                Collections.reverse(order);
            }
            List<List<Object>> rows = new ArrayList<>();
            for (int i : window(order, offset, limit)) {
                List<Object> row = new ArrayList<>(columns.size());
                row.add(TimeFormat.format(s.times().get(i), epoch, zone));
                row.addAll(s.values().get(i));
                rows.add(row);
            }
            if (!rows.isEmpty()) {
                out.add(new InfluxQlResponse.Series(s.name(), s.tags(), columns, rows));
            }
        }
        return out;
    }

    /** The items after the first {@code offset}, at most {@code limit} of them (0: all). */
    static <T> List<T> window(List<T> items, long offset, long limit) {
        int from = (int) Math.min(items.size(), Math.max(0, offset));
        int to = limit > 0 ? (int) Math.min(items.size(), from + limit) : items.size();
        return items.subList(from, to);
    }

    private static int compareLists(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
