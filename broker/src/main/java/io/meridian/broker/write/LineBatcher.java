package io.meridian.broker.write;

import io.meridian.common.lineprotocol.LineProtocolParser;
import io.meridian.common.lineprotocol.LineView;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an InfluxDB line-protocol body into one columnar {@link PointBatch} per shard: each line's series key
 * (measurement plus tags sorted by key) picks its shard by the documented hash, and consecutive lines of the
 * same series with the same fields become rows of one {@code SeriesRows}. The body is validated whole first
 * (atomic parse): a body with any bad line yields a {@code LineProtocolException} naming each bad line and
 * produces no batch, so bad input changes nothing.
 *
 * <p>Not thread-safe (the parser reuses its buffers): one per request thread.
 */
public final class LineBatcher {
    private final LineProtocolParser parser = new LineProtocolParser();

    /**
     * @param shards        the database's shard count
     * @param defaultTimeMs time of lines without a timestamp (the receive time)
     * @throws io.meridian.common.lineprotocol.LineProtocolException when a line is bad (nothing is produced)
     */
    public ShardBatches batch(String database, int shards, byte[] body, int off, int len, Precision precision,
                              long defaultTimeMs) {
        Collector c = new Collector(shards);
        parser.parse(body, off, len, precision, defaultTimeMs, c::line).throwIfErrors();
        Map<Integer, PointBatch> out = new HashMap<>();
        c.perShard.forEach((shard, series) -> {
            PointBatch.Builder b = PointBatch.newBuilder();
            series.values().forEach(s -> b.addSeries(s.build()));
            out.put(shard, b.build());
        });
        return new ShardBatches(database, out, c.points);
    }

    /** Rows of one (series, field list) being built. */
    private static final class Rows {
        final SeriesRows.Builder rows;
        long lastTs;

        Rows(SeriesKey key, List<String> fields) {
            rows = SeriesRows.newBuilder().setMetric(key.metric()).addAllFields(fields);
            key.tags().forEach((k, v) -> rows.addTags(Tag.newBuilder().setKey(k).setValue(v)));
        }

        SeriesRows build() {
            return rows.build();
        }
    }

    private static final class Collector {
        final int shards;
        final Map<Integer, Map<String, Rows>> perShard = new TreeMap<>();
        long points;

        Collector(int shards) {
            this.shards = shards;
        }

        void line(LineView line) {
            Map<String, String> tags = new TreeMap<>();
            for (int i = 0; i < line.tagCount(); i++) {
                tags.put(line.tagKey(i).toString(), line.tagValue(i).toString());
            }
            SeriesKey key = SeriesKey.of(line.measurement().toString(), tags);
            List<String> fields = new ArrayList<>(line.fieldCount());
            for (int i = 0; i < line.fieldCount(); i++) {
                fields.add(line.fieldKey(i).toString());
            }
            int shard = SeriesHash.shardOf(key.canonicalBytes(), shards);
            Rows r = perShard.computeIfAbsent(shard, s -> new LinkedHashMap<>())
                    .computeIfAbsent(key + "\u0000" + String.join("\u0000", fields), k -> new Rows(key, fields));
            long ts = line.timestampMs();
            r.rows.addTimestampDeltas(r.rows.getTimestampDeltasCount() == 0 ? ts : ts - r.lastTs);
            r.lastTs = ts;
            for (int i = 0; i < line.fieldCount(); i++) {
                r.rows.addValues(line.fieldValue(i));
            }
            points += line.fieldCount();
        }
    }
}
