package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic crash points inside a flush, built from directory snapshots: the state a crash leaves
 * after the parts are written but before the MANIFEST edit (orphan parts, full WAL) must recover every point
 * once and keep de-duplicating retried batches.
 */
class FlushCrashWindowTest {
    @TempDir
    Path dir;

    final SeriesKey key = SeriesKey.of("cpu", "host", "a");

    private WriteBatch batch(int i) {
        return WriteBatch.builder()
                .point(key, T0 + i * 10_000L, "requests", i)
                .build()
                .withWriter("w", i + 1L);
    }

    private static AggState total(Shard s) {
        return s.query(new LeafQuery(
                        "cpu", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")))
                .cell(List.of(), 0, 0);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void crashAfterPartsBeforeManifestEditLosesNothingAndCountsNothingTwice() throws IOException {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (Shard s = Shard.open(live, TestShards.options())) {
            for (int i = 0; i < 10; i++) {
                s.write(batch(i));
            }
            s.syncWal();
            copyTree(live, crashed); // WAL holds all ten batches, MANIFEST has no parts yet
            s.flush();
            copyTree(live.resolve("segments"), crashed.resolve("segments")); // the parts, not in that MANIFEST
        }
        try (Shard s = Shard.open(crashed, TestShards.options())) {
            assertThat(total(s).count()).isEqualTo(10);
            assertThat(total(s).sum()).isEqualTo(45);
            for (int i = 0; i < 10; i++) {
                assertThat(s.write(batch(i))).as("retry of batch %d", i).isEqualTo(Shard.WriteResult.DUPLICATE);
            }
            s.flush();
            assertThat(total(s).count()).isEqualTo(10);
        }
        try (Shard s = Shard.open(crashed, TestShards.options())) {
            assertThat(total(s).count()).isEqualTo(10);
            assertThat(s.writerSequence("w")).isEqualTo(10);
        }
    }
}
