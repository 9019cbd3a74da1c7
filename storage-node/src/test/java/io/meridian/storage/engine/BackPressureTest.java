package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.BusyException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard whose flush cannot finish (its flush gate holds, as when followers do not acknowledge) refuses
 * writes with a retriable BUSY once the fresh memtable is full twice over, instead of growing the heap; the
 * refused write changes nothing, and writes go on once the flush completes.
 */
class BackPressureTest {
    @TempDir
    Path dir;

    @Test
    void writesAreRefusedWhileAFlushIsHeldAndAcceptedAfter() throws Exception {
        ShardOptions small = TestShards.options().withMemtableBytes(64 * 1024);
        try (Shard s = Shard.open(dir, small)) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                CountDownLatch gateReached = new CountDownLatch(1);
                s.setFlushGate(lsn -> {
                    gateReached.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 400; i++) {
                        s.write(rows("a", i));
                    }
                    s.flush();
                });
                assertThat(gateReached.await(30, TimeUnit.SECONDS)).isTrue();
                long lsnBefore = s.lastLsn();
                BusyException busy = null;
                long points = s.stats().memtablePoints();
                for (int i = 0; i < 10_000 && busy == null; i++) {
                    try {
                        s.write(rows("b", i));
                    } catch (BusyException e) {
                        busy = e;
                    }
                }
                assertThat(busy)
                        .as("refused before the heap grows without bound")
                        .isNotNull();
                assertThat(busy.code()).isEqualTo(ErrorCode.BUSY);
                assertThat(busy.isRetriable()).isTrue();
                assertThat(busy.getMessage()).contains("storage.memtable.size");
                long accepted = s.lastLsn() - lsnBefore;
                assertThat(s.stats().memtableBytes()).isLessThan(3 * 64 * 1024 + 64 * 1024);
                assertThatThrownBy(() -> s.write(rows("b", 0))).isInstanceOf(BusyException.class);
                assertThat(s.lastLsn() - lsnBefore)
                        .as("a refused write takes no LSN")
                        .isEqualTo(accepted);
                release.countDown();
                flush.get(30, TimeUnit.SECONDS);
                s.write(rows("c", 0));
                assertThat(s.stats().memtablePoints()).isGreaterThan(0);
                assertThat(points).isGreaterThan(0);
            } finally {
                release.countDown();
            }
        }
    }

    private static WriteBatch rows(String host, int i) {
        WriteBatch.Builder b = WriteBatch.builder();
        for (int k = 0; k < 10; k++) {
            b.point(SeriesKey.of("cpu", "host", host + (i % 50)), T0 + ((i * 10L + k) % 80_000) * 1_000L, "usage", k);
        }
        return b.build();
    }
}
