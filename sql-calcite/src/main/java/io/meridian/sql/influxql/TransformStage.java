package io.meridian.sql.influxql;

/**
 * InfluxQL's transformations over one series, as InfluxDB's reducers compute them: the input is walked in the
 * statement's time order, skipping nulls and later points at an already seen time, and each point after the first
 * yields
 * <ul>
 *   <li>{@code derivative(x[, unit])}: {@code (v - prev) / (|t - prevT| / unit)};</li>
 *   <li>{@code non_negative_derivative}: the same, nothing where {@code v < prev};</li>
 *   <li>{@code difference(x)}: {@code v - prev}; {@code non_negative_difference}: nothing where negative;</li>
 *   <li>{@code cumulative_sum(x)}: the running sum, from the first point on.</li>
 * </ul>
 * The value is placed at the point's time; times without one are null.
 */
final class TransformStage {
    private TransformStage() {}

    /**
     * @param times      the rows' times, ascending
     * @param input      the transform's input per row (an aggregate after fill, or a raw field)
     * @param descending walk in descending time ({@code ORDER BY time DESC}), as InfluxDB does
     * @param unitNs     {@code derivative}'s unit
     * @return the output per row
     */
    static Object[] apply(String function, long[] times, Object[] input, boolean descending, long unitNs) {
        Object[] out = new Object[times.length];
        int prev = -1;
        Number sum = null;
        for (int k = 0; k < times.length; k++) {
            int r = descending ? times.length - 1 - k : k;
            if (!(input[r] instanceof Number v)) {
                continue;
            }
            if (prev >= 0 && times[prev] == times[r]) {
                continue; // a joined series may have more than one point at a time: only the first counts
            }
            if (function.equals("cumulative_sum")) {
                sum = sum == null ? v : add(sum, v);
                out[r] = sum;
            } else if (prev >= 0) {
                Number p = (Number) input[prev];
                out[r] = step(function, p, v, Math.abs(times[r] - times[prev]), unitNs);
            }
            prev = r;
        }
        return out;
    }

    private static Object step(String function, Number prev, Number v, long elapsedMs, long unitNs) {
        double diff = v.doubleValue() - prev.doubleValue();
        boolean nonNegative = function.startsWith("non_negative");
        if (nonNegative && diff < 0) {
            return null;
        }
        if (function.endsWith("derivative")) {
            return diff / ((double) elapsedMs * Durations.NANOS_PER_MS / unitNs);
        }
        return prev instanceof Long a && v instanceof Long b ? (Object) (b - a) : (Object) diff;
    }

    private static Number add(Number a, Number b) {
        return a instanceof Long x && b instanceof Long y
                ? (Number) (x + y)
                : (Number) (a.doubleValue() + b.doubleValue());
    }
}
