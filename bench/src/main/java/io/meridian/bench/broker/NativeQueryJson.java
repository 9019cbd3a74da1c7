package io.meridian.bench.broker;

import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;

/**
 * The native JSON query ({@code POST /api/v1/query}, docs/queries.md) that asks the broker what a
 * {@link LeafQuery} of the engine benchmark's shapes asks one shard, with one aggregate function for every field.
 * Only the predicates the TSBS shapes use (every series, one tag equal to a value) are supported.
 */
final class NativeQueryJson {
    private static final long SECOND_MS = 1_000;
    private static final long MINUTE_MS = 60 * SECOND_MS;
    private static final long HOUR_MS = 60 * MINUTE_MS;

    private NativeQueryJson() {}

    /**
     * @param fn the aggregate of every selected field ({@code max}, {@code avg}, {@code last}, ...)
     * @throws IllegalArgumentException for a predicate other than every series or one tag equality
     */
    static String of(String db, LeafQuery q, String fn) {
        StringBuilder sb = new StringBuilder(256)
                .append("{\"db\":\"")
                .append(db)
                .append("\",\"metric\":\"")
                .append(q.metric())
                .append("\",\"start\":")
                .append(q.startMs())
                .append(",\"end\":")
                .append(q.endMs());
        if (q.bucketMs() > 0) {
            sb.append(",\"bucket\":\"").append(duration(q.bucketMs())).append('"');
        }
        if (q.predicate() instanceof TagPredicate.Eq eq) {
            sb.append(",\"where\":{\"tag\":\"")
                    .append(eq.key())
                    .append("\",\"eq\":\"")
                    .append(eq.value())
                    .append("\"}");
        } else if (!(q.predicate() instanceof TagPredicate.All)) {
            throw new IllegalArgumentException("unsupported predicate: got " + q.predicate() + "; want All or Eq");
        }
        if (!q.groupBy().isEmpty()) {
            sb.append(",\"groupBy\":[");
            for (int i = 0; i < q.groupBy().size(); i++) {
                sb.append(i > 0 ? "," : "")
                        .append('"')
                        .append(q.groupBy().get(i))
                        .append('"');
            }
            sb.append(']');
        }
        sb.append(",\"select\":[");
        for (int i = 0; i < q.fields().size(); i++) {
            sb.append(i > 0 ? "," : "")
                    .append("{\"fn\":\"")
                    .append(fn)
                    .append("\",\"field\":\"")
                    .append(q.fields().get(i))
                    .append("\"}");
        }
        return sb.append("]}").toString();
    }

    /** The configuration's duration syntax: the largest whole unit. */
    static String duration(long ms) {
        if (ms % HOUR_MS == 0) {
            return ms / HOUR_MS + "h";
        } else if (ms % MINUTE_MS == 0) {
            return ms / MINUTE_MS + "m";
        } else if (ms % SECOND_MS == 0) {
            return ms / SECOND_MS + "s";
        }
        return ms + "ms";
    }
}
