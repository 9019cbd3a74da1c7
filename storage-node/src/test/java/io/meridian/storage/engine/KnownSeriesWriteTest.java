package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wire batch decoded against a shard's known series: a series the shard defined is known to the next decode (its id
 * travels with the rows), and the shard uses that id for a batch decoded against its own series only.
 */
class KnownSeriesWriteTest {
    @TempDir
    Path dir;

    private static PointBatch batch(long ts, String host) {
        return PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addTags(Tag.newBuilder().setKey("host").setValue(host))
                        .addTags(Tag.newBuilder().setKey("dc").setValue("x"))
                        .addFields("usage")
                        .addTimestampDeltas(ts)
                        .addValues(1))
                .build();
    }

    @Test
    void theSeriesAShardDefinedAreKnownToTheNextDecode() {
        try (Shard shard = Shard.open(dir.resolve("a"), TestShards.options());
                Shard other = Shard.open(dir.resolve("b"), TestShards.options())) {
            WriteBatch first = PointBatchCodec.decode(batch(NOW - 60_000, "h1"), shard.knownSeries());
            assertThat(first.series().get(0).knownId()).isEqualTo(-1);
            shard.write(first);
            other.write(PointBatchCodec.decode(batch(NOW - 60_000, "h0"), other.knownSeries()));
            other.write(PointBatchCodec.decode(batch(NOW - 60_000, "h1"), other.knownSeries()));

            WriteBatch second = PointBatchCodec.decode(batch(NOW - 50_000, "h1"), shard.knownSeries());
            int id = second.series().get(0).knownId();
            assertThat(id)
                    .isEqualTo(shard.knownSeries().idOf(second.canonicalKey(0)))
                    .isGreaterThanOrEqualTo(0);
            shard.write(second);
            assertThat(shard.knownSeries().idOf(second.canonicalKey(0)))
                    .as("still one series")
                    .isEqualTo(id);

            // decoded against shard a (where h1 is id 0), written to b (where id 0 is h0): b resolves h1 itself
            other.write(PointBatchCodec.decode(batch(NOW - 50_000, "h1"), shard.knownSeries()));
            assertThat(points(other, "h0")).isEqualTo(1);
            assertThat(points(other, "h1")).isEqualTo(2);
            assertThat(points(shard, "h1")).isEqualTo(2);
            assertThat(other.knownSeries().idOf(batchKey("h2"))).isEqualTo(-1);
        }
    }

    /** The same series by its canonical key (storage.proto revision 10), as the broker's remote write sends it. */
    private static PointBatch keyed(long ts, String host, double value) {
        return PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setKey(ByteString.copyFrom(
                                SeriesKey.of("cpu", "dc", "x", "host", host).canonicalBytes()))
                        .addFields("usage")
                        .addTimestampDeltas(ts)
                        .addValues(value))
                .build();
    }

    /**
     * A series sent by its key is the series sent with its tags: new, it is defined from the key (and found by the
     * tag form next); known, it is found by the key's bytes, and its tags are read from them only when asked for.
     */
    @Test
    void aSeriesByItsKeyIsTheSeriesByItsTags() {
        try (Shard shard = Shard.open(dir.resolve("a"), TestShards.options())) {
            WriteBatch defined = PointBatchCodec.decode(keyed(NOW - 60_000, "h1", 1), shard.knownSeries());
            assertThat(defined.series().get(0).knownId()).as("new").isEqualTo(-1);
            shard.write(defined);
            WriteBatch byTags = PointBatchCodec.decode(batch(NOW - 50_000, "h1"), shard.knownSeries());
            int id = byTags.series().get(0).knownId();
            assertThat(id).as("the key defined the series the tags name").isGreaterThanOrEqualTo(0);
            shard.write(byTags);

            WriteBatch known = PointBatchCodec.decode(keyed(NOW - 40_000, "h1", 1), shard.knownSeries());
            WriteBatch.SeriesRows rows = known.series().get(0);
            assertThat(rows.knownId()).isEqualTo(id);
            assertThat(rows.metric()).isEqualTo("cpu");
            assertThat(rows.tagCount()).isEqualTo(2);
            assertThat(rows.tagKey(1) + "=" + rows.tagValue(1)).isEqualTo("host=h1");
            assertThat(rows.key()).isEqualTo(SeriesKey.of("cpu", "dc", "x", "host", "h1"));
            shard.write(known);
            assertThat(points(shard, "h1")).isEqualTo(3);
        }
    }

    /** A malformed key, or a known key whose field breaks a rule, is refused naming the series; nothing is written. */
    @Test
    void aBadSeriesByItsKeyIsRefusedAndNothingIsWritten() {
        try (Shard shard = Shard.open(dir.resolve("a"), TestShards.options())) {
            shard.write(PointBatchCodec.decode(keyed(NOW - 60_000, "h1", 1), shard.knownSeries()));
            PointBatch unsorted = PointBatch.newBuilder()
                    .addSeries(keyed(NOW - 50_000, "h1", 1).getSeries(0))
                    .addSeries(keyed(NOW - 50_000, "h2", 1).getSeries(0).toBuilder()
                            .setKey(ByteString.copyFromUtf8("cpu\0host\0h2\0dc\0x")))
                    .build();
            assertThatThrownBy(() -> PointBatchCodec.decode(unsorted, shard.knownSeries()))
                    .isInstanceOf(BatchRules.Violation.class)
                    .hasMessageContaining("malformed series key [key=cpu,host=h2,dc=x]")
                    .hasMessageContaining("not in strictly ascending order")
                    .hasMessageContaining("series[1]");
            PointBatch fieldIsTag = PointBatch.newBuilder()
                    .addSeries(keyed(NOW - 50_000, "h1", 1).getSeries(0).toBuilder()
                            .setFields(0, "host"))
                    .build();
            assertThatThrownBy(() -> PointBatchCodec.decode(fieldIsTag, shard.knownSeries()))
                    .isInstanceOf(BatchRules.Violation.class)
                    .hasMessageContaining("name used as both tag and field [series[0], metric=cpu, field=host]");
            PointBatch both = PointBatch.newBuilder()
                    .addSeries(keyed(NOW - 50_000, "h1", 1).getSeries(0).toBuilder()
                            .setMetric("cpu"))
                    .build();
            assertThatThrownBy(() -> PointBatchCodec.decode(both, shard.knownSeries()))
                    .isInstanceOf(BatchRules.Violation.class)
                    .hasMessageContaining("series key and metric both set [series[0], metric=cpu]");
            assertThat(points(shard, "h1")).isEqualTo(1);
            assertThat(points(shard, "h2")).isZero();
        }
    }

    private static long points(Shard shard, String host) {
        LeafQuery q = new LeafQuery(
                "cpu", TagPredicate.eq("host", host), NOW - 3_600_000, NOW, 0, List.of(), List.of("usage"));
        AggState cell = shard.query(q).cell(List.of(), 0, 0);
        return cell == null ? 0 : cell.count();
    }

    private static byte[] batchKey(String host) {
        return PointBatchCodec.decode(batch(NOW, host)).canonicalKey(0);
    }
}
