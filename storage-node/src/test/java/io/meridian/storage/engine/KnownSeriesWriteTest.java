package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
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
