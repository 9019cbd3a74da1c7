package io.meridian.storage.shard;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.txn.WriterSequences;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Points to write, columnar per series (the shape Flink's pre-aggregation and the broker's binary batch
 * produce): per series, a list of field names and rows of (timestamp, one value per field).
 *
 * <p>NaN rule: a NaN value means "this field has no value in this row" and is skipped; NaN can therefore
 * not be stored. Infinite values are rejected. (Line protocol parsers reject NaN and Inf literals with the
 * line number.)
 */
public final class WriteBatch {
    /**
     * Rows of one series.
     *
     * @param key        the series
     * @param fields     field names, one per column
     * @param timestamps row timestamps in ms since the epoch
     * @param values     row-major: {@code values[row * fields.size() + column]}
     */
    public record SeriesRows(SeriesKey key, List<String> fields, long[] timestamps, double[] values) {
        public SeriesRows {
            fields = List.copyOf(fields);
            if (values.length != (long) timestamps.length * fields.size()) {
                throw new InvalidInputException("malformed rows [series=" + key
                        + "]: values must hold rows x fields = " + timestamps.length + " x " + fields.size() + "; got "
                        + values.length);
            }
        }

        public int rows() {
            return timestamps.length;
        }
    }

    private final List<SeriesRows> series;
    private final byte[][] canonicalKeys;
    private final String writerId;
    private final long sequence;

    private WriteBatch(List<SeriesRows> series, byte[][] canonicalKeys, String writerId, long sequence) {
        this.series = series;
        this.canonicalKeys = canonicalKeys;
        this.writerId = writerId;
        this.sequence = sequence;
    }

    private WriteBatch(List<SeriesRows> series) {
        this.series = List.copyOf(series);
        this.canonicalKeys = new byte[this.series.size()][];
        for (int i = 0; i < canonicalKeys.length; i++) {
            canonicalKeys[i] = this.series.get(i).key().canonicalBytes();
        }
        this.writerId = null;
        this.sequence = 0;
    }

    /**
     * The same points, identified as batch {@code sequence} of {@code writerId}: the shard applies each
     * (writer, sequence) at most once, across retries, restarts and flushes. Sequences of one writer must
     * increase; a batch whose sequence is not above the last applied one is acknowledged as a duplicate.
     */
    public WriteBatch withWriter(String writerId, long sequence) {
        if (writerId == null
                || writerId.isEmpty()
                || writerId.getBytes(StandardCharsets.UTF_8).length > WriterSequences.MAX_WRITER_ID_BYTES) {
            throw new InvalidInputException("invalid writer id [writer=" + writerId + "]: want 1.."
                    + WriterSequences.MAX_WRITER_ID_BYTES + " bytes");
        }
        if (sequence < 1) {
            throw new InvalidInputException(
                    "invalid writer sequence [writer=" + writerId + ", sequence=" + sequence + "]: want >= 1");
        }
        return new WriteBatch(series, canonicalKeys, writerId, sequence);
    }

    /** The writer id, or null for an anonymous (not de-duplicated) batch. */
    public String writerId() {
        return writerId;
    }

    public long sequence() {
        return sequence;
    }

    public static WriteBatch of(List<SeriesRows> series) {
        return new WriteBatch(series);
    }

    /** A batch of single points: one row per entry. */
    public static WriteBatch ofPoint(SeriesKey key, long ts, Map<String, Double> fields) {
        List<String> names = new ArrayList<>(fields.keySet());
        double[] v = new double[names.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = fields.get(names.get(i));
        }
        return of(List.of(new SeriesRows(key, names, new long[] {ts}, v)));
    }

    public List<SeriesRows> series() {
        return series;
    }

    public byte[] canonicalKey(int i) {
        return canonicalKeys[i];
    }

    /** Number of (non-NaN) values. */
    public long pointCount() {
        long n = 0;
        for (SeriesRows r : series) {
            for (double v : r.values()) {
                if (!Double.isNaN(v)) {
                    n++;
                }
            }
        }
        return n;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects single points; convenient for tests and small writes. */
    public static final class Builder {
        private final List<SeriesRows> rows = new ArrayList<>();

        public Builder point(SeriesKey key, long ts, String field, double value) {
            rows.add(new SeriesRows(key, List.of(field), new long[] {ts}, new double[] {value}));
            return this;
        }

        public Builder rows(SeriesRows r) {
            rows.add(r);
            return this;
        }

        public WriteBatch build() {
            return new WriteBatch(rows);
        }
    }
}
