package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.model.SeriesKey;
import java.nio.file.Path;
import java.time.Duration;
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
                shard.write(WriteBatch.builder().point(key, T0 + i * 10_000L, "usage", i).build());
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
}
