package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.WriteBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters an operator watches move with the shard's work, labelled by database and shard only. */
class ShardMetricsTest {
    @TempDir
    Path dir;

    @Test
    void metersFollowWritesFlushesDuplicatesAndQueries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        try (Shard shard = Shard.open(dir, TestShards.options(), new ShardMetrics(registry, "db", 3))) {
            shard.write(WriteBatch.builder()
                    .point(key, T0, "usage", 1)
                    .point(key, T0 + 10_000, "usage", 2)
                    .build()
                    .withWriter("w", 1));
            double walBytes = registry.get("meridian.storage.wal.written")
                    .tag("db", "db")
                    .tag("shard", "3")
                    .functionCounter()
                    .count();
            assertThat(walBytes)
                    .as("a series definition and a record of two points, with their headers")
                    .isBetween(9.0 * 2 + 2 * 8, 200.0);
            shard.write(WriteBatch.builder().point(key, T0, "usage", 1).build().withWriter("w", 1));
            System.gc(); // the counter must not depend on a weakly held function
            assertThat(registry.get("meridian.storage.wal.written")
                            .functionCounter()
                            .count())
                    .as("a duplicate is not logged")
                    .isEqualTo(walBytes);
            shard.query(new LeafQuery("cpu", TagPredicate.all(), T0, T0 + 60_000, 0, List.of(), List.of("usage")));
            assertThat(registry.get("meridian.storage.memtable.bytes")
                            .tag("db", "db")
                            .tag("shard", "3")
                            .gauge()
                            .value())
                    .isPositive();
            shard.flush();
            assertThat(registry.get("meridian.storage.points.written").counter().count())
                    .isEqualTo(2);
            assertThat(registry.get("meridian.storage.points.flushed").counter().count())
                    .isEqualTo(2);
            assertThat(registry.get("meridian.storage.batches.duplicate")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("meridian.storage.flush").timer().count()).isEqualTo(1);
            assertThat(registry.get("meridian.storage.leaf.query").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("meridian.storage.series").gauge().value()).isEqualTo(1);
            assertThat(registry.get("meridian.storage.parts").gauge().value()).isEqualTo(3);
            assertThat(registry.get("meridian.storage.disk.bytes").gauge().value())
                    .isPositive();
        }
        assertThat(registry.find("meridian.storage.series").gauge())
                .as("gauges removed on close")
                .isNull();
        assertThat(registry.find("meridian.storage.wal.written").functionCounter())
                .as("removed on close")
                .isNull();
    }
}
