package io.meridian.common.ingest;

import com.google.protobuf.ByteString;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.lineprotocol.LineProtocolOptions;
import io.meridian.common.lineprotocol.LineProtocolParser;
import io.meridian.common.lineprotocol.LineView;
import io.meridian.common.lineprotocol.ParseResult;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.common.lineprotocol.Utf8Slice;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns an InfluxDB line-protocol body (an HTTP write, or an {@code lp} record of the ingest topic) into one columnar {@link PointBatch} per shard: each line's series key
 * (measurement plus tags sorted by key) picks its shard by the documented hash, and consecutive lines of the
 * same series with the same fields become rows of one {@code SeriesRows}. The body is parsed once (not the
 * parser's two-pass atomic mode): the batches are only built in memory, and a body with any bad line yields a
 * {@code LineProtocolException} naming each bad line before any batch leaves, so bad input changes nothing.
 *
 * <p>Given the database's write window ({@link #batch(String, int, byte[], int, int, Precision, long, long, long)}),
 * it also keeps every other rule of {@link BatchRules}, as it goes and once per distinct series and field list
 * rather than once per series of every batch, and marks its batches {@link ShardBatches#checked() checked}: the
 * parser has checked the names, tag values, duplicates and numbers of every line; a new (series, fields) is
 * checked by {@link BatchRules}' own key rules (a field named like a tag); each row's timestamp against the window.
 *
 * <p>A line's series is described (its key built, its rules checked) the first time its shape is seen, by this
 * batcher or by another sharing its {@link LineShapes}; later lines and bodies find it by their bytes.
 *
 * <p>Not thread-safe (the parser reuses its buffers): one per request thread.
 */
public final class LineBatcher {
    private final LineProtocolParser parser;
    private final LineShapes shapes;

    /** String fields skipped ({@link StringFieldPolicy#SKIP}): the default of writes from InfluxDB clients. */
    public LineBatcher() {
        this(StringFieldPolicy.SKIP);
    }

    public LineBatcher(StringFieldPolicy stringFields) {
        this(stringFields, new LineShapes());
    }

    /** @param shapes the line shapes known from earlier bodies, shared with the other request threads' batchers */
    public LineBatcher(StringFieldPolicy stringFields, LineShapes shapes) {
        parser = new LineProtocolParser(
                LineProtocolOptions.DEFAULTS.withAtomic(false).withStringFields(stringFields));
        this.shapes = Objects.requireNonNull(shapes, "shapes");
    }

    /**
     * @param shards        the database's shard count
     * @param defaultTimeMs time of lines without a timestamp (the receive time)
     * @throws io.meridian.common.lineprotocol.LineProtocolException when a line is bad (nothing is produced)
     */
    public ShardBatches batch(
            String database, int shards, byte[] body, int off, int len, Precision precision, long defaultTimeMs) {
        return batch(database, shards, body, off, len, precision, defaultTimeMs, null);
    }

    /**
     * As {@link #batch(String, int, byte[], int, int, Precision, long)}, and checks every rule of
     * {@link BatchRules} with the window {@code [oldestMs, newestMs]} on the way, so the batches are marked
     * {@link ShardBatches#checked() checked}.
     *
     * @param oldestMs the oldest timestamp the database takes ({@code now - base retention})
     * @param newestMs the newest ({@code now + future tolerance})
     * @throws io.meridian.common.lineprotocol.LineProtocolException when a line is bad (nothing is produced)
     * @throws InvalidInputException naming the first line that breaks another rule of {@link BatchRules}, with its
     *     code ({@link ErrorCode#OUT_OF_RETENTION} for a timestamp outside the window); nothing is produced
     */
    public ShardBatches batch(
            String database,
            int shards,
            byte[] body,
            int off,
            int len,
            Precision precision,
            long defaultTimeMs,
            long oldestMs,
            long newestMs) {
        return batch(database, shards, body, off, len, precision, defaultTimeMs, new Window(oldestMs, newestMs));
    }

    private ShardBatches batch(
            String database,
            int shards,
            byte[] body,
            int off,
            int len,
            Precision precision,
            long defaultTimeMs,
            Window window) {
        Collector c = new Collector(shards, window, shapes);
        ParseResult parsed =
                parser.parse(body, off, len, precision, defaultTimeMs, c::line).throwIfErrors();
        if (c.violation != null) {
            throw c.violation; // after the parse, so that bad lines are reported first and all together
        }
        Map<Integer, PointBatch> out = new HashMap<>();
        c.perShard.forEach((shard, series) -> {
            PointBatch.Builder b = PointBatch.newBuilder();
            series.values().forEach(s -> b.addSeries(s.build()));
            out.put(shard, b.build());
        });
        return new ShardBatches(
                database,
                out,
                c.points,
                new ShardBatches.Skipped(parsed.stringFieldsSkipped(), parsed.linesSkipped()),
                window != null);
    }

    /** The timestamps a database takes now: {@code [oldestMs, newestMs]}. */
    private record Window(long oldestMs, long newestMs) {}

    /**
     * A line's series and field names as raw bytes (measurement, tags as written, field names), used to find
     * its {@link SeriesRowsBuilder} without building strings, a sorted tag map and the canonical key for every line; those
     * are built only the first time a shape is seen. Two spellings of one series (tags in another order) are
     * two shapes that lead to the same rows.
     */
    static final class ShapeKey {
        byte[] bytes;
        int length;
        int hash;

        @Override
        public boolean equals(Object o) {
            return o instanceof ShapeKey k && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        ShapeKey frozen() {
            ShapeKey k = new ShapeKey();
            k.bytes = Arrays.copyOf(bytes, length);
            k.length = length;
            k.hash = hash;
            return k;
        }
    }

    private static final class Collector {
        private static final VarHandle LONGS =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        final int shards;
        /** Null: the caller checks the batches ({@link BatchRules}); else the window this collector checks. */
        final Window window;
        /** Shapes known from earlier bodies. */
        final LineShapes shapes;

        final Map<Integer, Map<String, SeriesRowsBuilder>> perShard = new TreeMap<>();
        final Map<ShapeKey, SeriesRowsBuilder> byShape = new HashMap<>();
        final ShapeKey probe = new ShapeKey();
        long points;
        /** The first line that broke a rule of {@link BatchRules}, thrown once the parse is over. */
        InvalidInputException violation;

        Collector(int shards, Window window, LineShapes shapes) {
            this.shards = shards;
            this.window = window;
            this.shapes = shapes;
            probe.bytes = new byte[256];
        }

        void line(LineView line) {
            probe.length = 0;
            append(line.measurement());
            for (int i = 0; i < line.tagCount(); i++) {
                append(line.tagKey(i));
                append(line.tagValue(i));
            }
            probe.bytes = ensure(probe.bytes, probe.length + 1);
            probe.bytes[probe.length++] = 1; // fields follow: a tag key (a name) never starts with 0x01
            for (int i = 0; i < line.fieldCount(); i++) {
                append(line.fieldKey(i));
            }
            probe.hash = hash(probe.bytes, probe.length);
            SeriesRowsBuilder r = byShape.get(probe);
            if (r == null) {
                LineShapes.Shape shape = shapes.get(probe);
                if (shape == null) {
                    shape = describe(line);
                }
                LineShapes.Shape s = shape;
                r = perShard.computeIfAbsent(SeriesHash.shardOfHash(s.hash(), shards), k -> new LinkedHashMap<>())
                        .computeIfAbsent(s.rowsKey(), k -> SeriesRowsBuilder.byKey(s.wireKey(), s.fields()));
                byShape.put(s.key(), r);
            }
            long ts = line.timestampMs();
            if (window != null && violation == null && (ts < window.oldestMs() || ts > window.newestMs())) {
                violation = new InvalidInputException(
                        ErrorCode.OUT_OF_RETENTION,
                        "timestamp outside the write window [line=" + line.lineNumber() + ", series=" + series(line)
                                + ", ts=" + ts + "]: want " + window.oldestMs() + ".." + window.newestMs()
                                + " (now - the database's base retention .. now + the future tolerance); nothing of"
                                + " this request was written");
            }
            r.row(ts);
            for (int i = 0; i < line.fieldCount(); i++) {
                r.value(line.fieldValue(i));
            }
            points += line.fieldCount();
        }

        /**
         * What the line's shape stands for, built from the line: its series (tags sorted), fields, canonical key and
         * the key of its rows in a body, which every spelling of the series (tag order) shares. Kept for the bodies
         * that follow when {@link BatchRules}' key rules pass; when they do not, the violation names this line (if
         * this collector checks) and the shape is not kept, so the next body that carries it is told again.
         */
        private LineShapes.Shape describe(LineView line) {
            Map<String, String> tags = new TreeMap<>();
            for (int i = 0; i < line.tagCount(); i++) {
                tags.put(line.tagKey(i).toString(), line.tagValue(i).toString());
            }
            List<String> fields = new ArrayList<>(line.fieldCount());
            for (int i = 0; i < line.fieldCount(); i++) {
                fields.add(line.fieldKey(i).toString());
            }
            SeriesKey key = SeriesKey.of(line.measurement().toString(), tags);
            byte[] canonical = key.canonicalBytes();
            LineShapes.Shape shape = new LineShapes.Shape(
                    probe.frozen(),
                    key,
                    List.copyOf(fields),
                    ByteString.copyFrom(canonical),
                    SeriesHash.hash(canonical),
                    key + "\u0000" + String.join("\u0000", fields));
            InvalidInputException broken = checkKey(line, key, fields);
            if (broken == null) {
                shapes.add(shape);
            } else if (window != null && violation == null) {
                violation = broken;
            }
            return shape;
        }

        /** The line's series as written ({@code measurement,k=v,...}), for a message. */
        private static String series(LineView line) {
            StringBuilder sb = new StringBuilder(line.measurement().toString());
            for (int i = 0; i < line.tagCount(); i++) {
                sb.append(',').append(line.tagKey(i)).append('=').append(line.tagValue(i));
            }
            return sb.toString();
        }

        /**
         * {@link BatchRules}' key rules for a new (series, fields), which the parser does not all check (a field
         * named like a tag): null when they pass, else the error naming the line.
         */
        private static InvalidInputException checkKey(LineView line, SeriesKey key, List<String> fields) {
            String[] tagKeys = key.tags().keySet().toArray(String[]::new);
            String[] tagValues = key.tags().values().toArray(String[]::new);
            try {
                BatchRules.checkKey(
                        "line",
                        line.lineNumber(),
                        key.metric(),
                        tagKeys.length,
                        t -> tagKeys[t],
                        t -> tagValues[t],
                        fields);
                return null;
            } catch (BatchRules.Violation e) {
                return new InvalidInputException(e.code(), e.getMessage());
            }
        }

        private void append(Utf8Slice slice) {
            probe.bytes = ensure(probe.bytes, probe.length + slice.length() + 1);
            System.arraycopy(slice.array(), slice.offset(), probe.bytes, probe.length, slice.length());
            probe.length += slice.length();
            probe.bytes[probe.length++] = 0;
        }

        private static byte[] ensure(byte[] b, int size) {
            return size <= b.length ? b : Arrays.copyOf(b, Math.max(size, b.length * 2));
        }

        /** A hash of {@code b[0, n)} read eight bytes at a time (a shape is a few hundred bytes, hashed per line). */
        private static int hash(byte[] b, int n) {
            long h = n;
            int i = 0;
            for (; i + Long.BYTES <= n; i += Long.BYTES) {
                h = (h ^ (long) LONGS.get(b, i)) * 0x9E3779B97F4A7C15L;
            }
            for (; i < n; i++) {
                h = (h ^ b[i]) * 0x100000001B3L;
            }
            return (int) (h ^ (h >>> 32));
        }
    }
}
