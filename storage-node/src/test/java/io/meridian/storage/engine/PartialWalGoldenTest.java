package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden WAL segment of partial-aggregate records (golden/records/v1/partials.wal, log/FORMAT.md): types 9
 * PARTIALS, 10 PARTIALS_FROM_WRITER and 11 STAGED_PARTIALS inside REPLICATED ops, with a histogram cell, a one-point
 * cell and a hole. The bytes must not change, and a shard replays them into the same answers and replica-log ops.
 */
class PartialWalGoldenTest {
    private static final SeriesKey KEY = SeriesKey.of("http", "host", "a");

    @TempDir
    Path dir;

    static WriteBatch partials(String field, FieldType type, long slot, AggState... cells) {
        long[] starts = new long[cells.length];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = slot + i * 10_000L;
        }
        return WriteBatch.ofPartials(
                List.of(new WriteBatch.SeriesPartials(KEY, List.of(field), List.of(type), 10_000, starts, cells)));
    }

    static AggState query(Shard s, String field) {
        return s.query(new LeafQuery("http", TagPredicate.all(), T0, T0 + 60_000, 0, List.of(), List.of(field)))
                .cell(List.of(), 0, 0);
    }

    @Test
    void partialRecordsAreStableAndReplay() throws IOException {
        Path d = dir.resolve("golden");
        AggState latency = AggState.empty().observe(T0 + 1, 3).observe(T0 + 2, 40);
        AggState requests = AggState.of(T0 + 5, 2).add(T0 + 6, 5);
        AggState one = AggState.of(T0 + 10_004, 7);
        AggState staged = AggState.of(T0 + 20_001, 1).add(T0 + 20_002, 1);
        AggState bytesCell = AggState.of(T0 + 10_001, 100).add(T0 + 10_009, 300);
        try (Shard s = Shard.open(d, TestShards.options())) {
            s.setEpoch(2);
            s.declareField("http", "latency", FieldType.HISTOGRAM);
            s.write(partials("latency", FieldType.HISTOGRAM, T0, latency).withWriter("w", 3));
            // two slots x (requests, bytes): bytes has no value in the first slot (a hole)
            s.write(WriteBatch.ofPartials(List.of(new WriteBatch.SeriesPartials(
                    KEY,
                    List.of("requests", "bytes"),
                    List.of(FieldType.GAUGE, FieldType.GAUGE),
                    10_000,
                    new long[] {T0, T0 + 10_000},
                    new AggState[] {requests, null, one, bytesCell}))));
            s.stage("job", 1, partials("requests", FieldType.GAUGE, T0 + 20_000, staged));
            s.commit("job", 1);
        }
        Path segment = d.resolve(ShardFiles.WAL_DIR).resolve("000000000001.wal");
        byte[] bytes = Files.readAllBytes(segment);
        byte[] golden = GoldenRecords.read("partials.wal", segment);
        assertThat(bytes).isEqualTo(golden);

        Path copy = dir.resolve("copy");
        Files.createDirectories(copy.resolve(ShardFiles.WAL_DIR));
        Files.write(copy.resolve(ShardFiles.WAL_DIR).resolve("000000000001.wal"), golden);
        try (Shard s = Shard.open(copy, TestShards.options())) {
            assertThat(s.lastLsn()).isEqualTo(5);
            assertThat(ReplicaLogTest.readAll(s, 1))
                    .extracting(LogOp::kind)
                    .containsExactly(
                            LogOp.Kind.DECLARE,
                            LogOp.Kind.WRITE,
                            LogOp.Kind.WRITE,
                            LogOp.Kind.STAGE,
                            LogOp.Kind.COMMIT);
            LogOp histogramOp = ReplicaLogTest.readAll(s, 2).get(0);
            assertThat(histogramOp.batch().partials().get(0).cells()[0]).isEqualTo(latency);
            assertThat(histogramOp.batch().writerId()).isEqualTo("w");
            assertThat(query(s, "latency")).isEqualTo(latency);
            AggState all = requests.copy().merge(one).merge(staged);
            assertThat(query(s, "requests")).isEqualTo(all);
            assertThat(query(s, "bytes")).isEqualTo(bytesCell);
        }
    }
}
