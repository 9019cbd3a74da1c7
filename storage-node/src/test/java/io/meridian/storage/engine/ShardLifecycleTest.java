package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.NOW;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery, torn WAL tails, retention, compaction, memtable-size flushes and histogram fields. */
class ShardLifecycleTest {
    @TempDir
    Path dir;

    final SeriesKey key = SeriesKey.of("cpu", "host", "a");

    private static double sum(Shard s, long from, long to) {
        AggState st = s.query(new LeafQuery("cpu", TagPredicate.all(), from, to, 0, List.of(), List.of("usage")))
                .cell(List.of(), 0, 0);
        return st == null ? 0 : st.aggregate(Aggregate.SUM);
    }

    @Test
    void unflushedWritesSurviveReopen() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.declareField("cpu", "usage", FieldType.SUM);
            for (int i = 0; i < 100; i++) {
                s.write(WriteBatch.builder()
                        .point(key, T0 + i * 10_000L, "usage", i)
                        .build());
            }
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(4950);
            assertThat(s.fields("cpu").get("usage").type()).isEqualTo(FieldType.SUM);
            s.flush();
            s.write(WriteBatch.builder().point(key, T0 + 5, "usage", 50).build());
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(5000);
            assertThat(s.stats().walBytes()).isLessThan(1000);
        }
    }

    @Test
    void walRotatesAtItsSegmentSizeAndReplaysEverySegment() throws IOException {
        ShardOptions d = TestShards.options();
        ShardOptions small = new ShardOptions(
                d.database(),
                d.segmentDuration(),
                d.memtableBytes(),
                d.walFsync(),
                2048,
                d.futureTolerance(),
                d.maxSeriesPerMetric(),
                d.maxTagsPerSeries(),
                d.maxFieldsPerMetric(),
                d.blockCacheBytes(),
                d.compactionMinParts(),
                d.stagedTransactionExpiry(),
                d.clock(),
                d.files());
        try (Shard s = Shard.open(dir, small)) {
            for (int i = 0; i < 200; i++) {
                s.write(WriteBatch.builder()
                        .point(key, T0 + i * 10_000L, "usage", 1)
                        .build());
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            assertThat(files.count()).as("segments").isGreaterThan(2);
        }
        try (Shard s = Shard.open(dir, small)) {
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(200);
            s.flush();
        }
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            assertThat(files.count()).as("a flush drops the covered segments").isEqualTo(1);
        }
    }

    @Test
    void aTornWalTailIsTruncatedAndEverythingBeforeItKept() throws IOException {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            for (int i = 0; i < 50; i++) {
                s.write(WriteBatch.builder()
                        .point(key, T0 + i * 10_000L, "usage", 1)
                        .build());
            }
        }
        Path wal;
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            wal = files.filter(p -> {
                        try {
                            return Files.size(p) > 100;
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    })
                    .findFirst()
                    .orElseThrow();
        }
        long size = Files.size(wal);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.truncate(size - 7);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(49);
            s.write(WriteBatch.builder().point(key, T0 + 1, "usage", 1).build());
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(50);
        }
    }

    @Test
    void retentionDropsWholeExpiredSegmentsPerFamily() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.write(WriteBatch.builder()
                    .point(key, T0 - 20 * DAY, "usage", 1)
                    .point(key, T0, "usage", 2)
                    .build());
            s.flush();
            assertThat(s.stats().parts()).isEqualTo(6);
        }
        // 40 days later: the 10s family (30d) of the old segment is gone, the 1m (90d) and 1h rollups remain
        Clock later = Clock.fixed(Instant.ofEpochMilli(NOW + 15 * DAY), ZoneOffset.UTC);
        try (Shard s = Shard.open(dir, TestShards.options().withClock(later))) {
            assertThat(s.applyRetention()).isEqualTo(1);
            assertThat(s.stats().parts()).isEqualTo(5);
            assertThat(sum(s, T0 - 21 * DAY, T0 - 19 * DAY)).isEqualTo(1);
            LeafQuery base = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T0 - 20 * DAY,
                    T0 - 20 * DAY + 10_000 + 10_000,
                    10_000,
                    List.of(),
                    List.of("usage"));
            assertThat(s.query(base).cells()).isEmpty();
        }
        try (Shard s = Shard.open(dir, TestShards.options().withClock(later))) {
            assertThat(s.stats().parts()).isEqualTo(5);
        }
    }

    @Test
    void compactionMergesPartsAndKeepsAnswers() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 20; i++) {
                    s.write(WriteBatch.builder()
                            .point(key, T0 + i * 10_000L + round, "usage", round)
                            .build());
                }
                s.flush();
            }
            assertThat(s.stats().parts()).isEqualTo(15);
            double before = sum(s, T0, T0 + DAY);
            assertThat(s.compact()).isEqualTo(3);
            assertThat(s.stats().parts()).isEqualTo(3);
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(before).isEqualTo(200);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.stats().parts()).isEqualTo(3);
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(200);
        }
    }

    @Test
    void memtableFlushesWhenItReachesItsSize() {
        try (Shard s = Shard.open(dir, TestShards.options().withMemtableBytes(64 * 1024))) {
            for (int i = 0; i < 100; i++) {
                long[] ts = new long[100];
                double[] vs = new double[100];
                for (int r = 0; r < 100; r++) {
                    ts[r] = T0 + (i * 100L + r) * 1000;
                    vs[r] = 1;
                }
                s.write(WriteBatch.of(List.of(new WriteBatch.SeriesRows(key, List.of("usage"), ts, vs))));
            }
            // the background flush settles the memtables: checking the bytes at the first part raced the second flush
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(s.stats().parts()).isGreaterThan(0);
                assertThat(s.stats().memtableBytes())
                        .as("at most two memtables' worth (back-pressure)")
                        .isLessThan(2 * 64 * 1024 + 4096);
            });
            assertThat(sum(s, T0, T0 + DAY)).isEqualTo(10_000);
        }
    }

    @Test
    void histogramFieldsGiveQuantilesAcrossFlushesAndRollups() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.declareField("cpu", "latency", FieldType.HISTOGRAM);
            for (int i = 1; i <= 1000; i++) {
                s.write(WriteBatch.builder()
                        .point(key, T0 + i * 1000L, "latency", i)
                        .build());
                if (i == 500) {
                    s.flush();
                }
            }
            for (long bucket : new long[] {0, 3_600_000}) {
                AggState st = s.query(new LeafQuery(
                                "cpu", TagPredicate.all(), T0, T0 + 3_600_000, bucket, List.of(), List.of("latency")))
                        .cell(List.of(), 0, 0);
                assertThat(st.count()).isEqualTo(1000);
                assertThat(st.histogram().total()).isEqualTo(1000);
                assertThat(st.histogram().quantile(0.5, st.min(), st.max())).isBetween(500 / 1.2, 500 * 1.2);
                assertThat(st.histogram().quantile(0.99, st.min(), st.max())).isBetween(990 / 1.2, 1000.0);
            }
        }
    }

    @Test
    void lastpointPathAgreesWithTheFullFoldOnLast() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            for (int i = 0; i < 300; i++) {
                s.write(WriteBatch.builder()
                        .point(SeriesKey.of("cpu", "host", "h" + i % 3), T0 + i * 7_000L, "usage", i)
                        .build());
                if (i % 100 == 0) {
                    s.flush();
                }
            }
            s.flush();
            LeafQuery full =
                    new LeafQuery("cpu", TagPredicate.all(), T0, T0 + 3_600_000, 0, List.of("host"), List.of("usage"));
            LeafQuery last = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T0,
                    T0 + 3_600_000,
                    0,
                    List.of("host"),
                    List.of("usage"),
                    Set.of(Aggregate.LAST));
            assertThat(last.latestOnly()).isTrue();
            var a = s.query(full);
            var b = s.query(last);
            for (List<String> g : a.cells().keySet()) {
                assertThat(b.cell(g, 0, 0).aggregate(Aggregate.LAST))
                        .isEqualTo(a.cell(g, 0, 0).aggregate(Aggregate.LAST));
            }
            assertThat(b.cells().keySet()).isEqualTo(a.cells().keySet());
        }
    }

    @Test
    void lastpointOnTheMemtableAgreesWithTheFullFoldAlsoWhenTheRangeEndsInsideTheData() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            for (int i = 0; i < 300; i++) {
                s.write(WriteBatch.builder()
                        .point(SeriesKey.of("cpu", "host", "h" + i % 3), T0 + i * 7_000L, "usage", i)
                        .build());
            }
            s.write(WriteBatch.builder()
                    .point(SeriesKey.of("cpu", "host", "h0"), T0 + 297 * 7_000L, "usage", 1_000)
                    .build());
            for (long end : new long[] {T0 + 3_600_000, T0 + 1_000_000, T0 + 10_000}) {
                LeafQuery full =
                        new LeafQuery("cpu", TagPredicate.all(), T0, end, 0, List.of("host"), List.of("usage"));
                LeafQuery last = new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0,
                        end,
                        0,
                        List.of("host"),
                        List.of("usage"),
                        Set.of(Aggregate.LAST));
                var a = s.query(full);
                var b = s.query(last);
                assertThat(b.cells().keySet())
                        .as("end=" + end)
                        .isEqualTo(a.cells().keySet());
                for (List<String> g : a.cells().keySet()) {
                    assertThat(b.cell(g, 0, 0).aggregate(Aggregate.LAST))
                            .as("end=" + end + ", group=" + g)
                            .isEqualTo(a.cell(g, 0, 0).aggregate(Aggregate.LAST));
                }
            }
        }
    }
}
