package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers sharing group commits, readers, and flushes/compactions all at once: nothing is lost or counted
 * twice, and every query sees a consistent (monotonically growing) count.
 */
class ConcurrentWritersTest {
    @TempDir
    Path dir;

    @Test
    void concurrentWritesQueriesFlushesAndCompactionsLoseNothing() throws Exception {
        int writers = 4;
        int batches = 300;
        LeafQuery q = new LeafQuery("cpu", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("usage"));
        try (Shard shard = Shard.open(dir, TestShards.options().withMemtableBytes(256 * 1024))) {
            ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
            AtomicBoolean done = new AtomicBoolean();
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    for (int b = 0; b < batches; b++) {
                        WriteBatch.Builder batch = WriteBatch.builder();
                        for (int k = 0; k < 10; k++) {
                            batch.point(
                                    SeriesKey.of("cpu", "host", "h" + (b * 10 + k) % 37, "writer", "w" + writer),
                                    T0 + (b * 10L + k) * 1000,
                                    "usage",
                                    1);
                        }
                        shard.write(batch.build());
                    }
                    return null;
                }));
            }
            Future<Long> reader = pool.submit(() -> {
                long last = 0;
                long checks = 0;
                while (!done.get()) {
                    AggState s = shard.query(q).cell(List.of(), 0, 0);
                    long count = s == null ? 0 : s.count();
                    assertThat(count).as("count never goes backwards").isGreaterThanOrEqualTo(last);
                    last = count;
                    checks++;
                }
                return checks;
            });
            Future<?> maintenance = pool.submit(() -> {
                while (!done.get()) {
                    shard.flush();
                    shard.compact(2);
                }
                return null;
            });
            for (Future<?> f : futures) {
                f.get();
            }
            done.set(true);
            assertThat(reader.get()).isPositive();
            maintenance.get();
            pool.shutdown();
            assertThat(shard.query(q).cell(List.of(), 0, 0).count()).isEqualTo((long) writers * batches * 10);
            assertThat(shard.stats().series()).isEqualTo(writers * 37L);
        }
        try (Shard reopened = Shard.open(dir, TestShards.options())) {
            assertThat(reopened.query(q).cell(List.of(), 0, 0).count()).isEqualTo((long) writers * batches * 10);
        }
    }
}
