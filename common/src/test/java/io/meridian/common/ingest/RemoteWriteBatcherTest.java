package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.prometheus.Exemplar;
import io.meridian.common.rpc.prometheus.Label;
import io.meridian.common.rpc.prometheus.MetricMetadata;
import io.meridian.common.rpc.prometheus.Sample;
import io.meridian.common.rpc.prometheus.TimeSeries;
import io.meridian.common.rpc.prometheus.WriteRequest;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import org.junit.jupiter.api.Test;

/** Prometheus remote write to per-shard batches: names, tags, samples, what is dropped and what is refused. */
class RemoteWriteBatcherTest {
    private static final long NOW = 1_767_225_600_000L;
    private final RemoteWriteBatcher batcher = new RemoteWriteBatcher();

    private static TimeSeries.Builder series(String... labels) {
        TimeSeries.Builder b = TimeSeries.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            b.addLabels(Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return b;
    }

    private static Sample sample(long ts, double v) {
        return Sample.newBuilder().setTimestamp(ts).setValue(v).build();
    }

    private RemoteWriteBatcher.Result batch(WriteRequest r) {
        return batcher.batch("db", 4, r, NOW - 3_600_000, NOW + 3_600_000);
    }

    @Test
    void nameIsTheMetricOtherLabelsAreTagsAndSamplesTheValueField() {
        WriteRequest r = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "job", "node", "instance", "h:9100", "empty", "")
                        .addSamples(sample(NOW, 1))
                        .addSamples(sample(NOW + 15_000, 0)))
                .build();
        RemoteWriteBatcher.Result out = batch(r);
        SeriesKey key = SeriesKey.of("up", "instance", "h:9100", "job", "node");
        int shard = SeriesHash.shardOf(key.canonicalBytes(), 4);
        SeriesRows rows = out.batches().batches().get(shard).getSeries(0);
        assertThat(rows.getMetric()).isEqualTo("up");
        assertThat(rows.getTagsList())
                .extracting(t -> t.getKey() + "=" + t.getValue())
                .as("sorted, the empty label absent")
                .containsExactly("instance=h:9100", "job=node");
        assertThat(rows.getFieldsList()).containsExactly("value");
        assertThat(rows.getTimestampDeltasList()).containsExactly(NOW, 15_000L);
        assertThat(rows.getValuesList()).containsExactly(1.0, 0.0);
        assertThat(out.batches().points()).isEqualTo(2);
        assertThat(out.series()).isEqualTo(1);
    }

    /**
     * Labels out of order (Prometheus sorts them; other senders may not) and a repeated name (the last value counts)
     * give the series the sorted labels would, in the shard its key hashes to; two entries of one series in a request
     * are one series with both samples.
     */
    @Test
    void unsortedAndRepeatedLabelsMakeTheSameSeriesAsSortedOnes() {
        WriteRequest r = WriteRequest.newBuilder()
                .addTimeseries(series("job", "x", "__name__", "up", "instance", "h:9100", "job", "node")
                        .addSamples(sample(NOW, 1)))
                .addTimeseries(series("__name__", "up", "instance", "h:9100", "job", "node")
                        .addSamples(sample(NOW + 15_000, 2)))
                .build();
        RemoteWriteBatcher.Result out = batch(r);
        int shard = SeriesHash.shardOf(
                SeriesKey.of("up", "instance", "h:9100", "job", "node").canonicalBytes(), 4);
        assertThat(out.series()).isEqualTo(1);
        SeriesRows rows = out.batches().batches().get(shard).getSeries(0);
        assertThat(rows.getTagsList())
                .extracting(t -> t.getKey() + "=" + t.getValue())
                .containsExactly("instance=h:9100", "job=node");
        assertThat(rows.getValuesList()).containsExactly(1.0, 2.0);
    }

    /**
     * The batcher checks each series as it reads it, so the broker does not check its batches again
     * ({@link ShardBatches#checked()}): whatever it builds must keep every rule of {@link BatchRules} in the window it
     * was given, also for labels out of order, repeated, empty, and for dropped samples.
     */
    @Test
    void whatItBuildsKeepsEveryBatchRuleSoItIsMarkedChecked() {
        WriteRequest r = WriteRequest.newBuilder()
                .addTimeseries(series("job", "x", "__name__", "up", "instance", "h:9100", "job", "node", "e", "")
                        .addSamples(sample(NOW, 1))
                        .addSamples(sample(NOW + 1, Double.NaN)))
                .addTimeseries(series("__name__", "up", "instance", "h:9100", "job", "node")
                        .addSamples(sample(NOW - 3_600_000, 2)))
                .addTimeseries(series("__name__", "node_load1", "instance", "h2:9100")
                        .addSamples(sample(NOW + 3_600_000, 0.5)))
                .build();
        ShardBatches out = batch(r).batches();
        assertThat(out.checked()).isTrue();
        BatchRules.Limits window =
                BatchRules.Limits.window(NOW, java.time.Duration.ofHours(1), BatchRules.DEFAULT_FUTURE_TOLERANCE);
        assertThat(out.batches().values().stream()
                        .mapToLong(b -> BatchRules.check(b, window))
                        .sum())
                .isEqualTo(out.points())
                .isEqualTo(3);
    }

    @Test
    void staleMarkersNanInfinityExemplarsAndMetadataAreDroppedAndCounted() {
        WriteRequest r = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "m", "a", "1")
                        .addSamples(sample(NOW, Double.longBitsToDouble(RemoteWriteBatcher.STALE_NAN_BITS)))
                        .addSamples(sample(NOW + 1, Double.NaN))
                        .addSamples(sample(NOW + 2, Double.POSITIVE_INFINITY))
                        .addSamples(sample(NOW + 3, 7))
                        .addExemplars(Exemplar.newBuilder().setValue(1)))
                .addMetadata(MetricMetadata.newBuilder().setMetricFamilyName("m"))
                .build();
        RemoteWriteBatcher.Result out = batch(r);
        assertThat(out.dropped()).isEqualTo(new RemoteWriteBatcher.Dropped(1, 1, 1, 1, 0, 1));
        assertThat(out.batches().points()).isEqualTo(1);
    }

    @Test
    void badSeriesAreRefusedNamingTheSeries() {
        assertThatThrownBy(() -> batch(WriteRequest.newBuilder()
                        .addTimeseries(series("job", "x").addSamples(sample(NOW, 1)))
                        .build()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("series without a metric name [timeseries=0, labels={job=\"x\"}]");
        assertThatThrownBy(() -> batch(WriteRequest.newBuilder()
                        .addTimeseries(series("__name__", "m", "value", "x").addSamples(sample(NOW, 1)))
                        .build()))
                .hasMessageContaining("invalid label name [series={__name__=\"m\"," + " value=\"x\"}, label=value]");
        assertThatThrownBy(() -> batch(WriteRequest.newBuilder()
                        .addTimeseries(series("__name__", "m").addSamples(sample(NOW - 7_200_000, 1)))
                        .build()))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RETENTION))
                .hasMessageContaining("sample outside the write window [series=m");
        assertThatThrownBy(() -> batch(WriteRequest.newBuilder()
                        .addTimeseries(series("__name__", "9lives").addSamples(sample(NOW, 1)))
                        .build()))
                .hasMessageContaining("invalid metric name");
    }
}
