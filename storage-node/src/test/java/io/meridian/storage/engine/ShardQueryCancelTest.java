package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf query whose caller gave up stops scanning (an in-process caller runs the scan on its own thread, so a scan
 * that went on would hold it past its deadline), in the memtables and in the parts alike.
 */
class ShardQueryCancelTest {
    static final int SERIES = 1_000;

    @TempDir
    Path dir;

    @Test
    void aCancelledCallerStopsTheScanAndAnUncancelledOneGetsEverySeries() {
        try (Shard shard = Shard.open(dir, TestShards.options())) {
            WriteBatch.Builder b = WriteBatch.builder();
            for (int h = 0; h < SERIES; h++) {
                b.point(SeriesKey.of("cpu", "host", "h" + h), T0, "usage", h);
            }
            shard.write(b.build());
            LeafQuery q = new LeafQuery(
                    "cpu", TagPredicate.all(), T0 - 60_000, T0 + 60_000, 0, List.of("host"), List.of("usage"));

            assertThat(shard.query(q, () -> false).cells()).hasSize(SERIES);
            assertCancelled(shard, q); // memtables

            shard.flush();
            assertThat(shard.query(q, () -> false).cells()).hasSize(SERIES);
            assertCancelled(shard, q); // parts
        }
    }

    private static void assertCancelled(Shard shard, LeafQuery q) {
        AtomicInteger asked = new AtomicInteger();
        assertThatThrownBy(() -> shard.query(q, () -> asked.incrementAndGet() > 0))
                .isInstanceOfSatisfying(
                        QueryCancelledException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_CANCELLED))
                .hasMessageContaining("metric=cpu")
                .hasMessageContaining("gave up");
        assertThat(asked.get())
                .as("asked once, at the first check, then stopped")
                .isEqualTo(1);
    }
}
