package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.model.SeriesKey;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardMaintenanceTest {
    @TempDir
    Path dir;

    @Test
    void backgroundMaintenanceCompactsPartsAndFlushesOldMemtables() {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        try (Shard shard = Shard.open(dir, TestShards.options());
                ShardMaintenance maintenance = new ShardMaintenance(Duration.ofMillis(50), Duration.ZERO)) {
            for (int i = 0; i < 4; i++) {
                shard.write(WriteBatch.builder()
                        .point(key, T0 + i * 10_000L, "usage", i)
                        .build());
                shard.flush();
            }
            assertThat(shard.stats().parts()).isEqualTo(12);
            shard.write(WriteBatch.builder().point(key, T0 + 99_000, "usage", 9).build());
            maintenance.register(shard);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(shard.stats().memtablePoints()).isZero();
                assertThat(shard.stats().parts()).isEqualTo(3);
            });
        }
    }

    @Test
    void anErrorInAMaintenanceRoundStopsTheProcessLoudlyInsteadOfEndingTheLoopSilently() throws Exception {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        FileIo brokenVm = nioWithOpenHook(file -> {
            if (file.toString().endsWith(".part.tmp")) {
                throw new OutOfMemoryError("injected while flushing");
            }
        });
        CompletableFuture<String> fatal = new CompletableFuture<>();
        try (Shard shard = Shard.open(dir, TestShards.options().withFiles(brokenVm));
                ShardMaintenance maintenance = new ShardMaintenance(
                        Duration.ofMillis(20),
                        Duration.ZERO,
                        (task, error) -> fatal.complete(task + ": " + error.getMessage()))) {
            shard.write(WriteBatch.builder().point(key, T0, "usage", 1).build());
            maintenance.register(shard);
            assertThat(fatal.get(10, TimeUnit.SECONDS)).isEqualTo("shard-maintenance: injected while flushing");
        }
    }

    @Test
    void aShardWhoseRoundIsStuckDoesNotHoldTheOtherShardsBack() throws Exception {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FileIo slowDisk = nioWithOpenHook(file -> {
            if (file.toString().endsWith(".part.tmp")) {
                stuck.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (Shard slow = Shard.open(dir.resolve("slow"), TestShards.options().withFiles(slowDisk));
                Shard other = Shard.open(dir.resolve("other"), TestShards.options());
                ShardMaintenance maintenance = new ShardMaintenance(Duration.ofMillis(20), Duration.ZERO)) {
            try {
                slow.write(WriteBatch.builder().point(key, T0, "usage", 1).build());
                other.write(WriteBatch.builder().point(key, T0, "usage", 2).build());
                maintenance.register(slow);
                assertThat(stuck.await(10, TimeUnit.SECONDS))
                        .as("the slow shard's flush is writing its part")
                        .isTrue();
                maintenance.register(other);
                // the other shard's old memtable is flushed while the slow one's round is still stuck
                await().atMost(Duration.ofSeconds(10)).until(() -> other.stats().memtablePoints() == 0);
                assertThat(other.stats().parts()).isPositive();
                assertThat(stuck.getCount()).isZero();
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.stats().memtablePoints() == 0);
        }
    }

    /** What runs before a file is opened. */
    @FunctionalInterface
    private interface OpenHook {
        void before(Path file) throws IOException;
    }

    /** Plain NIO, with {@code hook} run before every file is opened (to inject an error or a stall there). */
    private static FileIo nioWithOpenHook(OpenHook hook) {
        return new FileIo() {
            @Override
            public FileChannel open(Path file, OpenOption... options) throws IOException {
                hook.before(file);
                return FileIo.NIO.open(file, options);
            }

            @Override
            public void createDirectories(Path d) throws IOException {
                FileIo.NIO.createDirectories(d);
            }

            @Override
            public void move(Path from, Path to) throws IOException {
                FileIo.NIO.move(from, to);
            }

            @Override
            public void delete(Path path) throws IOException {
                FileIo.NIO.delete(path);
            }

            @Override
            public void syncDirectory(Path d) throws IOException {
                FileIo.NIO.syncDirectory(d);
            }
        };
    }
}
