package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
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
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import java.io.ByteArrayOutputStream;
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
        assertThat(rows.getMetric())
                .as("the key stands for metric and tags (revision 10)")
                .isEmpty();
        assertThat(rows.getTagsList()).isEmpty();
        assertThat(rows.getKey().toByteArray())
                .as("sorted, the empty label absent")
                .isEqualTo(key.canonicalBytes());
        assertThat(rows.getFieldsList()).containsExactly("value");
        assertThat(rows.getTimestampDeltasList()).containsExactly(NOW, 15_000L);
        assertThat(rows.getValuesList()).containsExactly(1.0, 0.0);
        assertThat(out.batches().points()).isEqualTo(2);
        assertThat(out.series()).isEqualTo(1);
    }

    /**
     * Labels out of order (Prometheus sorts them; other senders may not) and a repeated name (the last value counts)
     * give the series the sorted labels would, in the shard its key hashes to; two entries of one series in a request
     * stay two entries of that key, in their order.
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
        byte[] key = SeriesKey.of("up", "instance", "h:9100", "job", "node").canonicalBytes();
        int shard = SeriesHash.shardOf(key, 4);
        assertThat(out.series()).as("entries").isEqualTo(2);
        PointBatch batch = out.batches().batches().get(shard);
        assertThat(batch.getSeriesList())
                .extracting(rows -> rows.getKey().toByteArray())
                .containsExactly(key, key);
        assertThat(batch.getSeriesList()).extracting(rows -> rows.getValues(0)).containsExactly(1.0, 2.0);
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

    /**
     * A label set is checked and keyed once, then found by its bytes: the second request with the same series builds
     * the same batches from the cache. A refused label set is not cached, so it is refused every time.
     */
    @Test
    void aLabelSetIsCheckedOnceThenFoundByItsBytes() {
        WriteRequest r = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "instance", "a:1").addSamples(sample(NOW, 1)))
                .addTimeseries(series("__name__", "up", "instance", "b:1").addSamples(sample(NOW, 0)))
                .build();
        RemoteWriteBatcher.Result first = batch(r);
        assertThat(batcher.cachedSeries()).isEqualTo(2);
        RemoteWriteBatcher.Result second = batch(r);
        assertThat(batcher.cachedSeries()).isEqualTo(2);
        assertThat(second.batches().batches()).isEqualTo(first.batches().batches());
        WriteRequest bad = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "value", "x").addSamples(sample(NOW, 1)))
                .build();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> batch(bad)).hasMessageContaining("invalid label name");
        }
        assertThat(batcher.cachedSeries()).isEqualTo(2);
        RemoteWriteBatcher uncached = new RemoteWriteBatcher(0);
        assertThat(uncached.batch("db", 4, r, NOW - 3_600_000, NOW + 3_600_000)
                        .batches()
                        .batches())
                .isEqualTo(first.batches().batches());
        assertThat(uncached.cachedSeries()).isZero();
    }

    /**
     * Read from the bytes as protobuf reads them: fields in any order (a sample between two labels; such a series is
     * not cached, its labels not being one byte range), unknown fields skipped, defaults for absent ones.
     */
    @Test
    void fieldsInAnyOrderAndUnknownFieldsReadAsProtobufReadsThem() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        TimeSeries.Builder split = TimeSeries.newBuilder()
                .addLabels(Label.newBuilder().setName("job").setValue("node"))
                .addSamples(sample(NOW, 3));
        byte[] seriesBytes = concat(
                split.build().toByteArray(),
                TimeSeries.newBuilder()
                        .addLabels(Label.newBuilder().setName("__name__").setValue("up"))
                        .build()
                        .toByteArray(),
                unknownField());
        out.writeByteArray(1, seriesBytes);
        out.writeByteArray(9, new byte[] {1, 2, 3}); // unknown to WriteRequest
        out.flush();
        RemoteWriteBatcher.Result result =
                batcher.batch("db", 4, bytes.toByteArray(), 0, bytes.size(), NOW - 3_600_000, NOW + 3_600_000);
        assertThat(result.series()).isEqualTo(1);
        SeriesRows rows = result.batches().batches().values().iterator().next().getSeries(0);
        assertThat(rows.getKey().toByteArray())
                .isEqualTo(SeriesKey.of("up", "job", "node").canonicalBytes());
        assertThat(rows.getValuesList()).containsExactly(3.0);
        assertThat(batcher.cachedSeries())
                .as("labels split by a sample: not one key")
                .isZero();
    }

    @Test
    void bytesThatAreNotAWriteRequestAreRefusedAsSuch() {
        byte[] badUtf8Label = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "a", "Z").addSamples(sample(NOW, 1)))
                .build()
                .toByteArray();
        int z = -1;
        for (int i = 0; i < badUtf8Label.length; i++) {
            if (badUtf8Label[i] == 'Z') {
                assertThat(z).as("one 'Z' in the bytes").isEqualTo(-1);
                z = i;
            }
        }
        badUtf8Label[z] = (byte) 0xff; // not UTF-8
        assertThatThrownBy(() -> batcher.batch("db", 4, badUtf8Label, 0, badUtf8Label.length, 0, Long.MAX_VALUE))
                .isInstanceOf(InvalidProtocolBufferException.class);
        assertThat(batcher.cachedSeries()).isZero();
        byte[] truncated = {0x0a, 0x7f, 0x0a};
        assertThatThrownBy(() -> batcher.batch("db", 4, truncated, 0, truncated.length, 0, Long.MAX_VALUE))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }

    private static byte[] unknownField() {
        return new byte[] {(byte) (12 << 3), 42}; // field 12, varint 42
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
