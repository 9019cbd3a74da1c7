package io.meridian.connector.flink;

import com.google.protobuf.ByteString;
import io.meridian.common.ingest.SeriesRowsBuilder;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writer's mini-batches: one columnar {@link PointBatch} being built per (database, shard), with the points of
 * one series and field list gathered into one {@code SeriesRows} (delta-encoded timestamps, row-major values),
 * so a shard's batch costs a few bytes per point on the wire whatever the input's record granularity was.
 *
 * <p>Not thread-safe: the sink's task thread only.
 */
final class ShardBuffers {
    /** A shard's batch being built. */
    static final class Buffer {
        final String database;
        final int shard;
        /** Serialized PointBatches appended as they came (pre-sharded input): never parsed here. */
        private final ByteString.Output raw = ByteString.newOutput();
        /** Serialized PointBatches of partial aggregates: a request never mixes them with points. */
        private final ByteString.Output rawPartials = ByteString.newOutput();

        private final Map<String, SeriesRowsBuilder> rows = new HashMap<>();
        /** Points, those the partial cells fold included (for metrics). */
        long points;
        /** What the batch size limit counts: points, and one per partial cell. */
        long size;

        Buffer(String database, int shard) {
            this.database = database;
            this.shard = shard;
        }

        /**
         * The finished batches, each one serialized {@code PointBatch} (concatenated serialized batches are one batch
         * with all their series): the points, then the partial aggregates, each when there are any; the buffer is
         * not used again.
         */
        boolean hasPartials() {
            return rawPartials.size() > 0;
        }

        List<ByteString> build() {
            ByteString points = raw.toByteString();
            if (!rows.isEmpty()) {
                PointBatch.Builder b = PointBatch.newBuilder();
                rows.values().forEach(r -> b.addSeries(r.build()));
                points = points.concat(b.build().toByteString());
            }
            ByteString partials = rawPartials.toByteString();
            if (partials.isEmpty()) {
                return List.of(points);
            }
            return points.isEmpty() ? List.of(partials) : List.of(points, partials);
        }
    }

    private final Map<String, Buffer> buffers = new LinkedHashMap<>();

    /** The buffer of (database, shard), created when absent. */
    Buffer of(String database, int shard) {
        return buffers.computeIfAbsent(database + '\u0000' + shard, k -> new Buffer(database, shard));
    }

    /** Appends a serialized {@code PointBatch} of that shard (a {@link ShardBatch}'s payload) to its buffer. */
    Buffer addBatch(String database, int shard, byte[] serialized, long points) {
        Buffer b = of(database, shard);
        b.raw.write(serialized, 0, serialized.length);
        b.points += points;
        b.size += points;
        return b;
    }

    /** Appends a serialized {@code PointBatch} of partial aggregates of that shard folding {@code points} points. */
    Buffer addPartials(String database, int shard, byte[] serialized, long points, long cells) {
        Buffer b = of(database, shard);
        b.rawPartials.write(serialized, 0, serialized.length);
        b.points += points;
        b.size += cells;
        return b;
    }

    /** Appends one row of a series (fields in {@code fields} order, NaN = no value) to its shard's buffer. */
    Buffer addRow(String database, int shard, SeriesKey key, List<String> fields, long ts, double[] values) {
        Buffer b = of(database, shard);
        SeriesRowsBuilder r = b.rows.computeIfAbsent(
                key.toString() + '\u0000' + String.join("\u0000", fields), k -> new SeriesRowsBuilder(key, fields));
        r.row(ts);
        for (double v : values) {
            r.value(v);
            if (!Double.isNaN(v)) {
                b.points++;
                b.size++;
            }
        }
        return b;
    }

    /** Removes and returns the buffer of (database, shard). */
    Buffer take(Buffer b) {
        buffers.remove(b.database + '\u0000' + b.shard);
        return b;
    }

    /** Removes and returns every buffer. */
    List<Buffer> takeAll() {
        List<Buffer> all = new ArrayList<>(buffers.values());
        buffers.clear();
        return all;
    }

    boolean isEmpty() {
        return buffers.isEmpty();
    }
}
