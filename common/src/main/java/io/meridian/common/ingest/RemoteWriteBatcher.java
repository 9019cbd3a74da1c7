package io.meridian.common.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.prometheus.WriteRequest;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a Prometheus remote-write {@code WriteRequest} into one columnar batch per shard, the same shape as
 * {@link LineBatcher}'s: the label {@code __name__} is the metric, the other labels are tags (a label with an
 * empty value is absent, as in Prometheus), and each sample is the field {@value #FIELD} at its timestamp.
 *
 * <p>What Meridian does not store is dropped and counted, never refused: stale markers (Prometheus's special NaN
 * that ends a series; a reader's look-back ends it the same way), other NaN samples (NaN is "no value" in
 * Meridian), infinite samples, exemplars, native histograms and metadata. What is wrong is refused before any batch
 * is built, naming the series: a series without {@code __name__}, a label name that is not a valid tag key (or is
 * {@value #FIELD}), a tag value Meridian cannot store, a sample outside the write window
 * {@code [now - retention, now + future tolerance]}. Every batch it builds therefore keeps {@link BatchRules}, and
 * is marked {@link ShardBatches#checked() checked}.
 *
 * <p>The request is read straight from its protobuf bytes ({@code prometheus/remote.proto}; unknown fields are
 * skipped, as protobuf does), without a message object per series, label and sample. A series' labels are
 * checked, keyed and hashed once and then found by their bytes in a {@link LabelBytesCache}: Prometheus sends the
 * same label sets every scrape, usually one sample each.
 *
 * <p>Thread-safe.
 */
public final class RemoteWriteBatcher {
    /** The field a sample's value is written to. */
    public static final String FIELD = "value";
    /** Prometheus's staleness marker: a NaN with this exact bit pattern ({@code value.StaleNaN}). */
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    /** Label sets {@link #RemoteWriteBatcher()} caches. */
    public static final int DEFAULT_CACHED_SERIES = 4096;
    /** Heap an entry of the label-set cache takes, about: its label bytes, canonical key and name for errors. */
    public static final int CACHED_SERIES_BYTES = 1024;

    private static final String NAME_LABEL = "__name__";
    // field numbers of prometheus/remote.proto
    private static final int REQUEST_TIMESERIES = 1;
    private static final int REQUEST_METADATA = 3;
    private static final int SERIES_LABELS = 1;
    private static final int SERIES_SAMPLES = 2;
    private static final int SERIES_EXEMPLARS = 3;
    private static final int SERIES_HISTOGRAMS = 4;
    private static final int LABEL_NAME = 1;
    private static final int LABEL_VALUE = 2;
    private static final int SAMPLE_VALUE = 1;
    private static final int SAMPLE_TIMESTAMP = 2;

    private final LabelBytesCache<Series> cache;

    /** A batcher that caches {@value #DEFAULT_CACHED_SERIES} label sets. */
    public RemoteWriteBatcher() {
        this(DEFAULT_CACHED_SERIES);
    }

    /** @param cachedSeries the most label sets kept checked and keyed; 0 checks every series of every request */
    public RemoteWriteBatcher(int cachedSeries) {
        this.cache = new LabelBytesCache<>(cachedSeries);
    }

    /** What a request carried that is not stored, by kind. */
    public record Dropped(
            long staleMarkers, long nanSamples, long infiniteSamples, long exemplars, long histograms, long metadata) {}

    /** The per-shard batches and what was dropped. */
    public record Result(ShardBatches batches, Dropped dropped, int series) {}

    /** A request already parsed (tests, and writers that build one). */
    public Result batch(String database, int shards, WriteRequest request, long oldestMs, long newestMs) {
        byte[] bytes = request.toByteArray();
        try {
            return batch(database, shards, bytes, 0, bytes.length, oldestMs, newestMs);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("BUG: a serialized WriteRequest does not parse", e);
        }
    }

    /**
     * @param body     a serialized {@code prometheus.WriteRequest} in {@code body[off, off + len)}
     * @param oldestMs the oldest timestamp the database takes ({@code now - retention})
     * @param newestMs the newest ({@code now + future tolerance})
     * @throws InvalidProtocolBufferException when the bytes are not a WriteRequest
     * @throws InvalidInputException          naming the series and the reason; nothing is produced then
     */
    public Result batch(String database, int shards, byte[] body, int off, int len, long oldestMs, long newestMs)
            throws InvalidProtocolBufferException {
        Request request = new Request(body, off, shards, oldestMs, newestMs);
        CodedInputStream in = CodedInputStream.newInstance(body, off, len);
        try {
            int index = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field == REQUEST_TIMESERIES
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    request.series(in, index++);
                    in.popLimit(limit);
                } else {
                    request.metadata += field == REQUEST_METADATA ? 1 : 0;
                    if (!in.skipField(tag)) {
                        break;
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return request.result(database);
    }

    /** A field's tag on the wire: its number and wire type. */
    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** The label sets held checked and keyed now (for tests). */
    int cachedSeries() {
        return cache.size();
    }

    /**
     * A checked label set: its canonical key's bytes (storage.proto revision 10), the hash its shard is chosen by,
     * and how an error names it.
     */
    private record Series(ByteString key, long hash, String display) {
        /** @throws InvalidInputException naming the series and the reason */
        static Series of(String[] names, String[] values, int n, int index) {
            String metric = null;
            String[] keys = new String[n];
            String[] tagValues = new String[n];
            int count = 0;
            boolean sorted = true;
            for (int i = 0; i < n; i++) {
                if (names[i].equals(NAME_LABEL)) {
                    metric = values[i];
                } else if (!values[i].isEmpty()) {
                    sorted &= count == 0 || keys[count - 1].compareTo(names[i]) < 0;
                    keys[count] = names[i];
                    tagValues[count++] = values[i];
                }
            }
            if (!sorted) {
                count = sortLastWins(keys, tagValues, count);
            }
            if (metric == null || metric.isEmpty()) {
                throw new InvalidInputException("series without a metric name [timeseries=" + index + ", labels="
                        + labels(names, values, n) + "]: want a __name__ label");
            }
            String metricReason = Names.invalidReason(metric);
            if (metricReason != null) {
                throw new InvalidInputException("invalid metric name [series=" + labels(names, values, n)
                        + ", __name__=" + metric + "]: " + metricReason);
            }
            for (int t = 0; t < count; t++) {
                String reason = Names.invalidReason(keys[t]);
                if (reason == null && keys[t].equals(FIELD)) {
                    reason = "'" + FIELD + "' is the field samples are written to";
                }
                if (reason != null) {
                    throw new InvalidInputException("invalid label name [series=" + labels(names, values, n)
                            + ", label=" + keys[t] + "]: not a valid tag key: " + reason);
                }
                String valueReason = Names.invalidTagValueReason(tagValues[t]);
                if (valueReason != null) {
                    throw new InvalidInputException("invalid tag value [tag=" + keys[t] + "]: " + valueReason
                            + " [series=" + labels(names, values, n) + "]");
                }
            }
            String[] k = Arrays.copyOf(keys, count);
            String[] v = Arrays.copyOf(tagValues, count);
            byte[] canonical = SeriesKey.canonicalBytes(metric, k, v);
            return new Series(
                    ByteString.copyFrom(canonical), SeriesHash.hash(canonical), metric + SeriesKey.tagsText(k, v));
        }

        /** Sorts the first {@code count} (key, value) pairs by key, keeping the last value of a repeated key. */
        private static int sortLastWins(String[] keys, String[] values, int count) {
            TreeMap<String, String> byName = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                byName.put(keys[i], values[i]);
            }
            int i = 0;
            for (Map.Entry<String, String> e : byName.entrySet()) {
                keys[i] = e.getKey();
                values[i++] = e.getValue();
            }
            return i;
        }
    }

    /** One request being read: the series' rows per shard, what was dropped, and scratch space for one series. */
    private final class Request {
        private final byte[] body;
        private final int off;
        private final int shards;
        private final long oldestMs;
        private final long newestMs;
        private final PointBatch.Builder[] perShard;
        private int series;
        private long points;
        private long stale;
        private long nan;
        private long infinite;
        private long exemplars;
        private long histograms;
        private long metadata;
        // the series being read: its labels (payload offsets and lengths) and samples
        private int[] labelOffsets = new int[16];
        private int[] labelLengths = new int[16];
        private int labels;
        private long[] timestamps = new long[4];
        private double[] values = new double[4];
        private int samples;

        Request(byte[] body, int off, int shards, long oldestMs, long newestMs) {
            this.body = body;
            this.off = off;
            this.shards = shards;
            this.oldestMs = oldestMs;
            this.newestMs = newestMs;
            this.perShard = new PointBatch.Builder[shards];
        }

        /** Reads one TimeSeries message (up to the stream's limit) and adds its kept samples. */
        void series(CodedInputStream in, int index) throws IOException {
            labels = 0;
            samples = 0;
            int labelsFrom = -1;
            int labelsTo = -1;
            boolean adjacent = true; // the label fields follow each other: their bytes are one cache key
            while (true) {
                int at = off + in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int wireType = WireFormat.getTagWireType(tag);
                switch (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED ? WireFormat.getTagFieldNumber(tag) : 0) {
                    case SERIES_LABELS -> {
                        int length = in.readRawVarint32();
                        int payload = off + in.getTotalBytesRead();
                        in.skipRawBytes(length);
                        addLabel(payload, length);
                        adjacent &= labelsFrom < 0 || at == labelsTo;
                        labelsFrom = labelsFrom < 0 ? at : labelsFrom;
                        labelsTo = payload + length;
                    }
                    case SERIES_SAMPLES -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        readSample(in);
                        in.popLimit(limit);
                    }
                    case SERIES_EXEMPLARS -> {
                        exemplars++;
                        in.skipField(tag);
                    }
                    case SERIES_HISTOGRAMS -> {
                        histograms++;
                        in.skipField(tag);
                    }
                    default -> in.skipField(tag);
                }
            }
            if (samples == 0) {
                return;
            }
            Series series = adjacent && labelsFrom >= 0 ? cache.get(body, labelsFrom, labelsTo - labelsFrom) : null;
            if (series == null) {
                series = parseLabels(index);
                if (adjacent && labelsFrom >= 0) {
                    cache.put(body, labelsFrom, labelsTo - labelsFrom, series);
                }
            }
            // a series repeated in a request (Prometheus sends each once) becomes two entries, written in order
            SeriesRows.Builder rows = null;
            long lastTs = 0;
            for (int i = 0; i < samples; i++) {
                double v = values[i];
                if (Double.isNaN(v)) {
                    if (Double.doubleToRawLongBits(v) == STALE_NAN_BITS) {
                        stale++;
                    } else {
                        nan++;
                    }
                    continue;
                }
                if (Double.isInfinite(v)) {
                    infinite++;
                    continue;
                }
                long t = timestamps[i];
                if (t < oldestMs || t > newestMs) {
                    throw new InvalidInputException(
                            ErrorCode.OUT_OF_RETENTION,
                            "sample outside the write window"
                                    + " [series=" + series.display() + ", timestamp=" + t + "]: want " + oldestMs
                                    + ".." + newestMs
                                    + " (the database's retention and the future tolerance); nothing of this request was"
                                    + " written");
                }
                if (rows == null) {
                    // a new builder: copying a template's would read its lists, elsewhere in memory, every sample
                    rows = SeriesRows.newBuilder().setKey(series.key()).addFields(FIELD);
                    rows.addTimestampDeltas(t);
                } else {
                    rows.addTimestampDeltas(t - lastTs);
                }
                lastTs = t;
                rows.addValues(v);
                points++;
            }
            if (rows != null) {
                int shard = SeriesHash.shardOfHash(series.hash(), shards);
                if (perShard[shard] == null) {
                    perShard[shard] = PointBatch.newBuilder();
                }
                perShard[shard].addSeries(rows.build());
                this.series++;
            }
        }

        private void addLabel(int payload, int length) {
            if (labels == labelOffsets.length) {
                labelOffsets = Arrays.copyOf(labelOffsets, labels * 2);
                labelLengths = Arrays.copyOf(labelLengths, labels * 2);
            }
            labelOffsets[labels] = payload;
            labelLengths[labels++] = length;
        }

        /** A Sample message: proto3 defaults (0) for what it leaves out. */
        private void readSample(CodedInputStream in) throws IOException {
            double v = 0;
            long t = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == tag(SAMPLE_VALUE, WireFormat.WIRETYPE_FIXED64)) {
                    v = in.readDouble();
                } else if (tag == tag(SAMPLE_TIMESTAMP, WireFormat.WIRETYPE_VARINT)) {
                    t = in.readInt64();
                } else {
                    in.skipField(tag);
                }
            }
            if (samples == timestamps.length) {
                timestamps = Arrays.copyOf(timestamps, samples * 2);
                values = Arrays.copyOf(values, samples * 2);
            }
            timestamps[samples] = t;
            values[samples++] = v;
        }

        /** The labels of the series just read, checked (a label set not cached). */
        private Series parseLabels(int index) throws IOException {
            String[] names = new String[labels];
            String[] labelValues = new String[labels];
            for (int i = 0; i < labels; i++) {
                CodedInputStream in = CodedInputStream.newInstance(body, labelOffsets[i], labelLengths[i]);
                String name = "";
                String value = "";
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    if (tag == tag(LABEL_NAME, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                        name = in.readStringRequireUtf8();
                    } else if (tag == tag(LABEL_VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                        value = in.readStringRequireUtf8();
                    } else {
                        in.skipField(tag);
                    }
                }
                names[i] = name;
                labelValues[i] = value;
            }
            return Series.of(names, labelValues, labels, index);
        }

        Result result(String database) {
            Map<Integer, PointBatch> out = new HashMap<>();
            for (int shard = 0; shard < perShard.length; shard++) {
                if (perShard[shard] != null) {
                    out.put(shard, perShard[shard].build());
                }
            }
            Dropped dropped = new Dropped(stale, nan, infinite, exemplars, histograms, metadata);
            // every series was checked above against the same rules and window as BatchRules: the batches are so
            // marked
            return new Result(
                    new ShardBatches(database, out, points, ShardBatches.Skipped.NONE, true), dropped, series);
        }
    }

    /** {@code {name="value", ...}} as Prometheus prints a series, shortened past 200 characters. */
    static String labels(String[] names, String[] values, int n) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(names[i] + "=\"" + values[i] + "\"");
        }
        String s = "{" + String.join(", ", parts) + "}";
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
