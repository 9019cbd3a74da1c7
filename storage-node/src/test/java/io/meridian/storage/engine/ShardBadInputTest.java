package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets a clear error naming what and where, and changes nothing. */
class ShardBadInputTest {
    @TempDir
    Path dir;

    Shard shard;
    final SeriesKey good = SeriesKey.of("cpu", "host", "a");

    @BeforeEach
    void open() {
        shard = Shard.open(dir, TestShards.options().withLimits(3, 4, 3));
        shard.write(WriteBatch.builder().point(good, T0, "usage", 1).build());
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        shard.close();
    }

    private String snapshot() {
        LeafQuery q = new LeafQuery(
                "cpu",
                TagPredicate.all(),
                T0 - 86_400_000L,
                NOW + 3_600_000,
                0,
                List.of("host"),
                List.of("usage", "idle", "x", "y"));
        return shard.query(q).cells().keySet() + "/" + shard.stats().series() + "/"
                + shard.fields("cpu").keySet() + "/" + shard.stats().memtablePoints();
    }

    private void assertRejected(Consumer<Shard> action, ErrorCode code, String... messageParts) {
        String before = snapshot();
        assertThatThrownBy(() -> action.accept(shard)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
        assertThat(snapshot()).as("state after rejected input").isEqualTo(before);
        shard.close();
        shard = Shard.open(dir, TestShards.options().withLimits(3, 4, 3));
        assertThat(snapshot()).as("state after reopen").isEqualTo(before);
    }

    @Test
    void invalidNamesAreRejectedBeforeTheShard() {
        assertThatThrownBy(() -> SeriesKey.of("9cpu", "host", "a"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("metric=9cpu");
        assertRejected(
                s -> s.write(
                        WriteBatch.builder().point(good, T0, "bad field", 1).build()),
                ErrorCode.INVALID_NAME,
                "field=bad field");
    }

    @Test
    void infiniteValuesAreRejectedNaNMeansNoValue() {
        assertRejected(
                s -> s.write(WriteBatch.builder()
                        .point(SeriesKey.of("cpu", "host", "b"), T0, "usage", 1)
                        .point(good, T0 + 10_000, "usage", Double.POSITIVE_INFINITY)
                        .build()),
                ErrorCode.INVALID_INPUT,
                "infinite value",
                "field=usage",
                "row=0");
        long before = shard.stats().memtablePoints();
        shard.write(WriteBatch.builder()
                .point(good, T0 + 20_000, "usage", Double.NaN)
                .build());
        assertThat(shard.stats().memtablePoints()).isEqualTo(before);
    }

    @Test
    void timestampsOutsideTheWriteWindowAreRejected() {
        assertRejected(
                s -> s.write(WriteBatch.builder()
                        .point(good, NOW - 31L * 86_400_000, "usage", 1)
                        .build()),
                ErrorCode.OUT_OF_RETENTION,
                "write window",
                "series=cpu,host=a");
        assertRejected(
                s -> s.write(WriteBatch.builder()
                        .point(good, NOW + 2 * 3_600_000, "usage", 1)
                        .build()),
                ErrorCode.OUT_OF_RETENTION,
                "future tolerance");
    }

    @Test
    void seriesLimitPerMetricIsEnforcedWholeBatch() {
        shard.write(WriteBatch.builder()
                .point(SeriesKey.of("cpu", "host", "b"), T0, "usage", 1)
                .build());
        assertRejected(
                s -> s.write(WriteBatch.builder()
                        .point(SeriesKey.of("cpu", "host", "c"), T0, "usage", 1)
                        .point(SeriesKey.of("cpu", "host", "d"), T0, "usage", 1)
                        .build()),
                ErrorCode.LIMIT_EXCEEDED,
                "too many series",
                "metric=cpu",
                "series-per-metric=3");
    }

    @Test
    void tagAndFieldLimitsAreEnforced() {
        assertRejected(
                s -> s.write(WriteBatch.builder()
                        .point(SeriesKey.of("cpu", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"), T0, "usage", 1)
                        .build()),
                ErrorCode.LIMIT_EXCEEDED,
                "too many tags",
                "tags-per-series=4");
        assertRejected(
                s -> s.write(WriteBatch.of(List.of(new WriteBatch.SeriesRows(
                        good, List.of("w", "x", "y"), new long[] {T0}, new double[] {1, 2, 3})))),
                ErrorCode.LIMIT_EXCEEDED,
                "too many fields",
                "metric=cpu");
    }

    @Test
    void typeConflictsAreRejected() {
        shard.declareField("cpu", "requests", FieldType.SUM);
        assertRejected(
                s -> s.declareField("cpu", "requests", FieldType.MAX),
                ErrorCode.TYPE_CONFLICT,
                "field=requests",
                "got max; field is sum");
        assertRejected(
                s -> s.write(WriteBatch.builder().point(good, T0, "host", 1).build()),
                ErrorCode.TYPE_CONFLICT,
                "both tag and field");
    }

    @Test
    void negativeHistogramObservationsAreRejected() {
        shard.declareField("cpu", "latency", FieldType.HISTOGRAM);
        assertRejected(
                s -> s.write(WriteBatch.builder().point(good, T0, "latency", -3).build()),
                ErrorCode.INVALID_INPUT,
                "negative histogram observation",
                "value=-3.0");
    }

    @Test
    void aClosedShardRefusesWithARetriableError() {
        shard.close();
        assertThatThrownBy(() -> shard.write(
                        WriteBatch.builder().point(good, T0, "usage", 1).build()))
                .isInstanceOf(ShardUnavailableException.class)
                .hasMessageContaining("closed");
        shard = Shard.open(dir, TestShards.options().withLimits(3, 4, 3));
    }
}
