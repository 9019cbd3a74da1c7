package io.meridian.common.ingest;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.prometheus.Label;
import io.meridian.common.rpc.prometheus.Sample;
import io.meridian.common.rpc.prometheus.TimeSeries;
import io.meridian.common.rpc.prometheus.WriteRequest;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a Prometheus remote-write {@link WriteRequest} into one columnar batch per shard, the same shape as
 * {@link LineBatcher}'s: the label {@code __name__} is the metric, the other labels are tags (a label with an
 * empty value is absent, as in Prometheus), and each sample is the field {@value #FIELD} at its timestamp.
 *
 * <p>What Meridian does not store is dropped and counted, never refused: stale markers (Prometheus's special NaN
 * that ends a series; a reader's look-back ends it the same way), other NaN samples (NaN is "no value" in
 * Meridian), infinite samples, exemplars, native histograms and metadata. What is wrong is refused before any batch
 * is built, naming the series: a series without {@code __name__}, a label name that is not a valid tag key (or is
 * {@value #FIELD}), a tag value Meridian cannot store, a sample outside the write window
 * {@code [now - retention, now + future tolerance]}.
 *
 * <p>Stateless and thread-safe.
 */
public final class RemoteWriteBatcher {
    /** The field a sample's value is written to. */
    public static final String FIELD = "value";
    /** Prometheus's staleness marker: a NaN with this exact bit pattern ({@code value.StaleNaN}). */
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

    private static final String NAME_LABEL = "__name__";

    /** What a request carried that is not stored, by kind. */
    public record Dropped(
            long staleMarkers, long nanSamples, long infiniteSamples, long exemplars, long histograms, long metadata) {}

    /** The per-shard batches and what was dropped. */
    public record Result(ShardBatches batches, Dropped dropped, int series) {}

    /**
     * @param oldestMs the oldest timestamp the database takes ({@code now - retention})
     * @param newestMs the newest ({@code now + future tolerance})
     * @throws InvalidInputException naming the series and the reason; nothing is produced then
     */
    public Result batch(String database, int shards, WriteRequest request, long oldestMs, long newestMs) {
        Map<Integer, Map<String, SeriesRowsBuilder>> perShard = new TreeMap<>();
        long points = 0;
        long stale = 0;
        long nan = 0;
        long infinite = 0;
        long exemplars = 0;
        long histograms = 0;
        for (int i = 0; i < request.getTimeseriesCount(); i++) {
            TimeSeries ts = request.getTimeseries(i);
            exemplars += ts.getExemplarsCount();
            histograms += ts.getHistogramsCount();
            if (ts.getSamplesCount() == 0) {
                continue;
            }
            SeriesLabels key = SeriesLabels.of(ts, i);
            SeriesRowsBuilder rows = null;
            for (int s = 0; s < ts.getSamplesCount(); s++) {
                Sample sample = ts.getSamples(s);
                double v = sample.getValue();
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
                long t = sample.getTimestamp();
                if (t < oldestMs || t > newestMs) {
                    throw new InvalidInputException(
                            ErrorCode.OUT_OF_RETENTION,
                            "sample outside the write window"
                                    + " [series=" + key.seriesKey() + ", timestamp=" + t + "]: want " + oldestMs + ".."
                                    + newestMs
                                    + " (the database's retention and the future tolerance); nothing of this request was"
                                    + " written");
                }
                if (rows == null) {
                    String canonical = key.canonical();
                    int shard = SeriesHash.shardOf(canonical.getBytes(StandardCharsets.UTF_8), shards);
                    rows = perShard.computeIfAbsent(shard, x -> new LinkedHashMap<>())
                            .computeIfAbsent(canonical, k -> key.rowsBuilder());
                }
                rows.row(t);
                rows.value(v);
                points++;
            }
        }
        Map<Integer, PointBatch> out = new HashMap<>();
        int series = 0;
        for (Map.Entry<Integer, Map<String, SeriesRowsBuilder>> e : perShard.entrySet()) {
            PointBatch.Builder b = PointBatch.newBuilder();
            e.getValue().values().forEach(r -> b.addSeries(r.build()));
            series += e.getValue().size();
            out.put(e.getKey(), b.build());
        }
        Dropped dropped = new Dropped(stale, nan, infinite, exemplars, histograms, request.getMetadataCount());
        // every series was checked above against the same rules and window as BatchRules: the batches are marked so
        return new Result(new ShardBatches(database, out, points, ShardBatches.Skipped.NONE, true), dropped, series);
    }

    /**
     * The metric and tags of one remote-write series, tags sorted by name (Prometheus sends labels sorted, so this
     * usually sorts nothing; of a repeated label name the last value counts) and checked: built without maps, since
     * there is one per sample of a typical request.
     */
    private static final class SeriesLabels {
        private final String metric;
        private final String[] keys;
        private final String[] values;
        private final int count;

        private SeriesLabels(String metric, String[] keys, String[] values, int count) {
            this.metric = metric;
            this.keys = keys;
            this.values = values;
            this.count = count;
        }

        /** @throws InvalidInputException naming the series and the reason */
        static SeriesLabels of(TimeSeries ts, int index) {
            int n = ts.getLabelsCount();
            String metric = null;
            String[] keys = new String[n];
            String[] values = new String[n];
            int count = 0;
            boolean sorted = true;
            for (int i = 0; i < n; i++) {
                Label l = ts.getLabels(i);
                String name = l.getName();
                if (name.equals(NAME_LABEL)) {
                    metric = l.getValue();
                } else if (!l.getValue().isEmpty()) {
                    sorted &= count == 0 || keys[count - 1].compareTo(name) < 0;
                    keys[count] = name;
                    values[count++] = l.getValue();
                }
            }
            if (!sorted) {
                count = sortLastWins(keys, values, count);
            }
            if (metric == null || metric.isEmpty()) {
                throw new InvalidInputException("series without a metric name [timeseries=" + index + ", labels="
                        + labels(ts) + "]: want a __name__ label");
            }
            String metricReason = Names.invalidReason(metric);
            if (metricReason != null) {
                throw new InvalidInputException(
                        "invalid metric name [series=" + labels(ts) + ", __name__=" + metric + "]: " + metricReason);
            }
            for (int t = 0; t < count; t++) {
                String reason = Names.invalidReason(keys[t]);
                if (reason == null && keys[t].equals(FIELD)) {
                    reason = "'" + FIELD + "' is the field samples are written to";
                }
                if (reason != null) {
                    throw new InvalidInputException("invalid label name [series=" + labels(ts) + ", label=" + keys[t]
                            + "]: not a valid tag key: " + reason);
                }
                String valueReason = Names.invalidTagValueReason(values[t]);
                if (valueReason != null) {
                    throw new InvalidInputException(
                            "invalid tag value [tag=" + keys[t] + "]: " + valueReason + " [series=" + labels(ts) + "]");
                }
            }
            return new SeriesLabels(metric, keys, values, count);
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

        String canonical() {
            return SeriesKey.canonicalText(metric, count, t -> keys[t], t -> values[t]);
        }

        SeriesRowsBuilder rowsBuilder() {
            return new SeriesRowsBuilder(metric, keys, values, count, List.of(FIELD));
        }

        SeriesKey seriesKey() {
            Map<String, String> tags = new TreeMap<>();
            for (int t = 0; t < count; t++) {
                tags.put(keys[t], values[t]);
            }
            return SeriesKey.of(metric, tags);
        }
    }

    /** {@code {name="value", ...}} as Prometheus prints a series, shortened past 200 characters. */
    static String labels(TimeSeries ts) {
        List<String> parts = new ArrayList<>();
        for (Label l : ts.getLabelsList()) {
            parts.add(l.getName() + "=\"" + l.getValue() + "\"");
        }
        String s = "{" + String.join(", ", parts) + "}";
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
