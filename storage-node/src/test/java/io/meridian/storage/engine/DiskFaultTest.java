package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.file.FaultyFileIo;
import io.meridian.storage.file.FaultyFileIo.Op;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix of issue #16: an I/O error (a full disk, EIO) at every write, fsync, rename and open site of a
 * shard, through the {@link FileIo} seam. After each, once the disk is healed and the shard reopened from its files:
 * every acknowledged batch is there exactly once ({@code sum} exact), nothing was acknowledged after a fault that
 * stops the shard, a client's retry of what failed is not counted twice, and no part file was deleted.
 */
class DiskFaultTest {
    private static final int BEFORE = 8;
    private static final int AFTER = 4;

    @TempDir
    Path dir;

    /** One fault site: the call that fails, on which files, and whether it stops the shard. */
    record Site(String name, Op op, String file, boolean duringFlush, boolean stopsShard) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Site> sites() {
        return List.of(
                new Site("WAL append (ENOSPC mid-record)", Op.WRITE, ".wal", false, true),
                new Site("WAL fsync", Op.FORCE, ".wal", false, true),
                new Site("WAL segment rotation", Op.OPEN, ".wal", true, true),
                new Site("part write", Op.WRITE, ".part.tmp", true, false),
                new Site("part fsync", Op.FORCE, ".part.tmp", true, false),
                new Site("part rename", Op.MOVE, ".part", true, false),
                new Site("part directory fsync", Op.SYNC_DIRECTORY, "segments", true, false),
                new Site("MANIFEST edit", Op.WRITE, "MANIFEST", true, true),
                new Site("MANIFEST fsync", Op.FORCE, "MANIFEST", true, true),
                new Site("dictionary append", Op.WRITE, "series.dict", true, true),
                new Site("dictionary fsync", Op.FORCE, "series.dict", true, true),
                new Site("schema fsync", Op.FORCE, "schema.log", true, true));
    }

    /** Batch {@code i}: one point of value {@code i}, a new series from {@link #BEFORE} on, writer sequence i. */
    private static WriteBatch batch(int i) {
        SeriesKey key = SeriesKey.of("cpu", "host", i < BEFORE ? "h" + i % 3 : "new" + i);
        return WriteBatch.builder()
                .point(key, T0 + i * 10_000L, "requests", i)
                .build()
                .withWriter("w", i + 1L);
    }

    private static AggState total(Shard s) {
        return s.query(new LeafQuery(
                        "cpu", TagPredicate.all(), T0, T0 + TestShards.DAY, 0, List.of(), List.of("requests")))
                .cell(List.of(), 0, 0);
    }

    private Set<String> partFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".part"))
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sites")
    void aFaultLosesNothingAcknowledgedAndARetryCountsOnce(Site site) throws IOException {
        FaultyFileIo io = new FaultyFileIo();
        List<Integer> acked = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        Set<String> partsBefore;
        try (Shard s = Shard.open(dir, TestShards.options().withFiles(io))) {
            for (int i = 0; i < BEFORE; i++) {
                s.write(batch(i));
                acked.add(i);
                if (i == BEFORE / 2) {
                    s.flush();
                }
            }
            partsBefore = partFiles();
            assertThat(partsBefore).isNotEmpty();
            io.fail(site.op(), site.file(), 0, true, "No space left on device");
            boolean stopped = false;
            for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                try {
                    s.write(batch(i));
                    assertThat(stopped)
                            .as("a write acknowledged after the shard stopped")
                            .isFalse();
                    acked.add(i);
                } catch (ShardUnavailableException e) {
                    assertThat(site.stopsShard())
                            .as("only fail-stop sites refuse writes")
                            .isTrue();
                    assertThat(e.getMessage())
                            .contains("shard stopped after a storage failure")
                            .contains(dir.toString());
                    stopped = true;
                    failed.add(i);
                }
                if (site.duringFlush() && i == BEFORE) {
                    Class<? extends RuntimeException> expected =
                            site.stopsShard() ? ShardUnavailableException.class : StorageIoException.class;
                    assertThatThrownBy(s::flush).isInstanceOf(expected).hasMessageContaining("No space left on device");
                    stopped = site.stopsShard();
                }
            }
            assertThat(io.injected()).as("the fault was hit").isPositive();
            if (site.stopsShard()) {
                assertThat(s.failure()).isNotNull();
                assertThatThrownBy(() -> total(s))
                        .as("a stopped shard answers no reads")
                        .isInstanceOf(ShardUnavailableException.class);
            } else {
                // the disk has room again: the same frozen memtable is flushed, then the shard goes on
                assertThat(failed).isEmpty();
                io.heal();
                s.flush();
                assertThat(total(s).count()).isEqualTo(acked.size());
            }
        }
        io.heal();
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(total(s).count())
                    .as("acknowledged batches after reopening")
                    .isEqualTo(acked.size());
            assertThat(total(s).sum())
                    .isEqualTo(acked.stream().mapToInt(Integer::intValue).sum());
            for (int i : failed) {
                assertThat(s.write(batch(i))).as("client retry of batch %d", i).isEqualTo(Shard.WriteResult.APPLIED);
            }
            for (int i : acked) {
                assertThat(s.write(batch(i)))
                        .as("retry of acknowledged batch %d", i)
                        .isEqualTo(Shard.WriteResult.DUPLICATE);
            }
            int all = BEFORE + AFTER;
            assertThat(total(s).count()).isEqualTo(all);
            assertThat(total(s).sum()).isEqualTo((all - 1) * all / 2.0);
            s.flush();
        }
        assertThat(partFiles()).as("no part file deleted").containsAll(partsBefore);
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(total(s).count()).isEqualTo(BEFORE + AFTER);
        }
    }

    @ParameterizedTest(name = "compaction: {0} on {1}")
    @CsvSource({"WRITE, .part.tmp, false", "FORCE, .part.tmp, false", "MOVE, .part, false", "WRITE, MANIFEST, true"})
    void aFailedCompactionLosesNothingAndDeletesNoPart(Op op, String file, boolean stopsShard) throws IOException {
        FaultyFileIo io = new FaultyFileIo();
        Set<String> partsBefore;
        try (Shard s = Shard.open(dir, TestShards.options().withFiles(io))) {
            for (int i = 0; i < BEFORE; i++) {
                s.write(batch(i));
                s.flush(); // one part per family per flush: enough inputs to merge
            }
            partsBefore = partFiles();
            io.fail(op, file, 0, true, "No space left on device");
            Class<? extends RuntimeException> expected =
                    stopsShard ? ShardUnavailableException.class : StorageIoException.class;
            assertThatThrownBy(() -> s.compact(2)).isInstanceOf(expected).hasMessageContaining("No space left");
            assertThat(s.failure() != null).isEqualTo(stopsShard);
            if (!stopsShard) {
                assertThat(total(s).count()).as("the inputs still answer").isEqualTo(BEFORE);
                io.heal();
                assertThat(s.compact(2)).as("the merge is tried again").isPositive();
            }
        }
        io.heal();
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(total(s).count()).isEqualTo(BEFORE);
            assertThat(total(s).sum()).isEqualTo((BEFORE - 1) * BEFORE / 2.0);
        }
        if (stopsShard) {
            assertThat(partFiles()).as("no input part deleted").containsAll(partsBefore);
        }
    }
}
