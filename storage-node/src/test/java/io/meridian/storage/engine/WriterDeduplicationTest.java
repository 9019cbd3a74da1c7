package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A (writer, sequence) is applied at most once: across retries, reopen (WAL replay) and flushes. */
class WriterDeduplicationTest {
    @TempDir
    Path dir;

    final SeriesKey key = SeriesKey.of("cpu", "host", "a");

    private WriteBatch batch(long ts, double v) {
        return WriteBatch.builder().point(key, ts, "requests", v).build();
    }

    private static double sum(Shard s) {
        AggState st = s.query(new LeafQuery(
                        "cpu", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")))
                .cell(List.of(), 0, 0);
        return st == null ? 0 : st.sum();
    }

    @Test
    void retriedBatchesAreAcknowledgedButNotAppliedTwice() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.write(batch(T0, 5).withWriter("flink-0", 1))).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(s.write(batch(T0, 5).withWriter("flink-0", 1))).isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(s.write(batch(T0 + 1000, 7).withWriter("flink-0", 2))).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(s.write(batch(T0, 5).withWriter("flink-0", 1))).isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(s.write(batch(T0, 3).withWriter("flink-1", 1))).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(s.write(batch(T0, 1))).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(s.write(batch(T0, 1)))
                    .as("anonymous batches are never de-duplicated")
                    .isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(17);
            assertThat(s.writerSequence("flink-0")).isEqualTo(2);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.writerSequence("flink-0"))
                    .as("rebuilt from WAL replay")
                    .isEqualTo(2);
            assertThat(s.write(batch(T0 + 1000, 7).withWriter("flink-0", 2))).isEqualTo(Shard.WriteResult.DUPLICATE);
            s.flush();
            assertThat(s.write(batch(T0 + 1000, 7).withWriter("flink-0", 2))).isEqualTo(Shard.WriteResult.DUPLICATE);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.writerSequence("flink-0"))
                    .as("kept in the MANIFEST after the WAL was trimmed")
                    .isEqualTo(2);
            assertThat(s.writerSequence("flink-1")).isEqualTo(1);
            assertThat(s.write(batch(T0, 5).withWriter("flink-0", 1))).isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(s.write(batch(T0 + 2000, 11).withWriter("flink-0", 3))).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(28);
        }
    }

    @Test
    void invalidWriterIdentitiesAreRejected() {
        assertThatThrownBy(() -> batch(T0, 1).withWriter("", 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid writer id");
        assertThatThrownBy(() -> batch(T0, 1).withWriter("w", 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("sequence=0");
        assertThatThrownBy(() -> batch(T0, 1).withWriter("x".repeat(300), 1)).isInstanceOf(InvalidInputException.class);
    }
}
