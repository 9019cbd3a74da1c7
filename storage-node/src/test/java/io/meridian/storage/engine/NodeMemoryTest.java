package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.error.BusyException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node-wide memtable bound: shards whose own memtables are far from full still flush when their sum is over
 * the node's bound, so the node's memtables stay near the bound while writes go on, and every write that was
 * acknowledged is there exactly once; a write is refused (BUSY, retriable) only when flushing cannot keep up.
 */
class NodeMemoryTest {
    private static final long NODE_LIMIT = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void shardsFlushWhenTheirSumIsOverTheNodeBoundAndNoWriteIsLost() {
        NodeMemory node = new NodeMemory(NODE_LIMIT);
        ShardOptions roomy = TestShards.options().withMemtableBytes(64L << 20); // each shard alone never flushes
        try (Shard a = Shard.open(dir.resolve("a"), roomy, ShardMetrics.noop(), node);
                Shard b = Shard.open(dir.resolve("b"), roomy, ShardMetrics.noop(), node)) {
            long acknowledged = 0;
            long peak = 0;
            for (int i = 0; i < 200; i++) {
                Shard s = i % 2 == 0 ? a : b;
                writeRetrying(s, batch(SeriesKey.of("cpu", "host", i % 2 == 0 ? "a" : "b"), i));
                acknowledged += 100;
                peak = Math.max(peak, node.memtableBytes());
            }
            long perBatch = 100 * 64; // rough heap bytes of a batch of 100 points
            assertThat(peak)
                    .as("the node's memtables stay near its bound (one batch per shard above it)")
                    .isLessThan(NODE_LIMIT + 4 * perBatch + 64 * 1024);
            assertThat(a.stats().parts() + b.stats().parts())
                    .as("flushed although neither shard was full")
                    .isGreaterThan(0);
            assertThat(sum(a) + sum(b)).as("every acknowledged point, once").isEqualTo(acknowledged);
        }
        assertThat(node.memtableBytes()).as("closed shards no longer count").isZero();
    }

    @Test
    void stagedPointsCountAgainstTheBoundSoMemtablesFlushSooner() {
        NodeMemory node = new NodeMemory(NODE_LIMIT);
        ShardOptions roomy = TestShards.options().withMemtableBytes(64L << 20);
        try (Shard a = Shard.open(dir.resolve("a"), roomy, ShardMetrics.noop(), node);
                Shard b = Shard.open(dir.resolve("b"), roomy, ShardMetrics.noop(), node)) {
            for (int i = 0; i < 40; i++) {
                a.stage("sink-0", 1, batch(SeriesKey.of("cpu", "host", "a"), i));
            }
            long staged = node.stagedBytes();
            assertThat(staged).as("4,000 staged points").isGreaterThan(4_000L * 16);
            assertThat(node.heldBytes()).isEqualTo(staged + node.memtableBytes());

            long peak = 0;
            for (int i = 0; i < 200; i++) {
                writeRetrying(b, batch(SeriesKey.of("cpu", "host", "b"), i));
                peak = Math.max(peak, node.memtableBytes());
            }
            assertThat(peak)
                    .as("memtables flush to leave room for what is staged")
                    .isLessThan(NODE_LIMIT - staged + 4 * 100 * 64 + 64 * 1024);
            assertThat(node.stagedBytes())
                    .as("staged points stay until their commit")
                    .isEqualTo(staged);

            a.commit("sink-0", 1);
            assertThat(node.stagedBytes())
                    .as("a commit moves staged points into the memtable")
                    .isZero();
            assertThat(sum(a)).isEqualTo(4_000);
            assertThat(sum(b)).isEqualTo(20_000);
        }
    }

    @Test
    void aStageIsLetThroughWhenOnlyStagedPointsAreOverTheBound() {
        // a checkpoint waits for its stages, and only its commit frees them: refusing them would hold it
        NodeMemory node = new NodeMemory(NODE_LIMIT);
        ShardOptions roomy = TestShards.options().withMemtableBytes(64L << 20);
        try (Shard a = Shard.open(dir.resolve("a"), roomy, ShardMetrics.noop(), node)) {
            int batches = 0;
            while (node.stagedBytes() <= 2 * NODE_LIMIT) {
                assertThat(a.stage("sink-0", 1, batch(SeriesKey.of("cpu", "host", "a"), batches)))
                        .isEqualTo(Shard.WriteResult.APPLIED);
                batches++;
            }
            assertThat(node.overBound()).isTrue();
            assertThat(node.memtableBytes()).isZero();

            a.commit("sink-0", 1);
            assertThat(sum(a)).as("every staged point, once").isEqualTo(batches * 100.0);
            assertThat(node.stagedBytes()).isZero();
            writeRetrying(a, batch(SeriesKey.of("cpu", "host", "a"), batches));
            assertThat(a.stats().parts())
                    .as("the committed points, now over the bound, are flushed")
                    .isPositive();
            assertThat(sum(a)).isEqualTo(batches * 100.0 + 100);
        }
    }

    @Test
    void anUnboundedNodeNeverRefuses() {
        NodeMemory node = NodeMemory.unbounded();
        try (Shard a = Shard.open(dir.resolve("a"), TestShards.options(), ShardMetrics.noop(), node)) {
            a.write(batch(SeriesKey.of("cpu", "host", "a"), 0));
            assertThat(node.overBound()).isFalse();
            assertThat(node.memtableBytes()).isPositive();
        }
    }

    private static void writeRetrying(Shard s, WriteBatch batch) {
        while (true) {
            try {
                s.write(batch);
                return;
            } catch (BusyException e) { // retriable, nothing applied: the writer tries again
                assertThat(e.getMessage()).contains("storage.memtable.node-limit");
            }
        }
    }

    private static WriteBatch batch(SeriesKey key, int i) {
        long[] ts = new long[100];
        double[] vs = new double[100];
        for (int r = 0; r < 100; r++) {
            ts[r] = T0 + (i * 100L + r) * 1000;
            vs[r] = 1;
        }
        return WriteBatch.of(List.of(new WriteBatch.SeriesRows(key, List.of("usage"), ts, vs)));
    }

    private static double sum(Shard s) {
        AggState st = s.query(new LeafQuery("cpu", TagPredicate.all(), T0, T0 + DAY, 0, List.of(), List.of("usage")))
                .cell(List.of(), 0, 0);
        return st == null ? 0 : st.aggregate(Aggregate.SUM);
    }
}
