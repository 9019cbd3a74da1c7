package io.meridian.broker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker refuses a request whole, before its sink sees any of it, when one batch breaks a {@link BatchRules} rule. */
class CheckedBatchSinkTest {
    static final long NOW = 1_700_000_000_000L;
    static final DatabaseConfig DB = new DatabaseConfig(
            "db", 2, 1, WriteConcern.MAJORITY, List.of(IntervalSpec.parse("10s", "7d")), List.of("c1"));

    final List<ShardBatches> sent = new ArrayList<>();
    final CheckedBatchSink sink = new CheckedBatchSink(
            new BatchSink() {
                @Override
                public void write(ShardBatches request) {
                    sent.add(request);
                }

                @Override
                public void close() {}
            },
            name -> name.equals("db") ? DB : null,
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    static PointBatch batch(long ts, double value) {
        return PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addFields("usage")
                        .addTimestampDeltas(ts)
                        .addValues(value))
                .build();
    }

    @Test
    void aGoodRequestGoesThrough() {
        ShardBatches ok = new ShardBatches("db", Map.of(0, batch(NOW, 1), 1, batch(NOW - 86_400_000, 2)), 2);
        sink.write(ok);
        assertThat(sent).containsExactly(ok);
    }

    @Test
    void oneBadBatchRefusesTheWholeRequestNamingTheShard() {
        assertThatThrownBy(() -> sink.write(new ShardBatches(
                        "db", Map.of(0, batch(NOW, 1), 1, batch(NOW - 8L * 86_400_000, 2)), 2)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RETENTION);
                    assertThat(e.getCause()).isInstanceOf(BatchRules.Violation.class);
                })
                .hasMessageContaining("timestamp outside the write window [series[0], series=cpu, row=0")
                .hasMessageContaining("[database=db, shard=1]");
        assertThatThrownBy(() -> sink.write(new ShardBatches("db", Map.of(0, batch(NOW, Double.NEGATIVE_INFINITY)), 1)))
                .hasMessageContaining("infinite value");
        assertThatThrownBy(() -> sink.write(new ShardBatches("gone", Map.of(0, batch(NOW, 1)), 1)))
                .hasMessageContaining("database does not exist [database=gone]");
        assertThat(sent).as("nothing sent").isEmpty();
    }

    /** A request its builder checked (remote write) is not checked a second time: it goes through as it is. */
    @Test
    void aRequestItsBuilderCheckedGoesThroughUnchecked() {
        ShardBatches checked =
                new ShardBatches("db", Map.of(0, batch(NOW - 8L * 86_400_000, 2)), 1, ShardBatches.Skipped.NONE, true);
        sink.write(checked);
        assertThat(sent).containsExactly(checked);
        assertThatThrownBy(() -> sink.write(
                        new ShardBatches("gone", Map.of(0, batch(NOW, 1)), 1, ShardBatches.Skipped.NONE, true)))
                .as("the database must still exist")
                .hasMessageContaining("database does not exist [database=gone]");
    }
}
