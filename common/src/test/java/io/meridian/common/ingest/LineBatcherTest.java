package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.lineprotocol.LineProtocolException;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Line protocol to per-shard columnar batches: routing by the series hash, rows, values, and bad bodies. */
class LineBatcherTest {
    static final long NOW = 1_767_225_600_000L;

    static ShardBatches batch(String body, int shards, Precision p) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new LineBatcher().batch("db", shards, b, 0, b.length, p, NOW);
    }

    @Test
    void linesGoToTheShardOfTheirSeriesKeyAsRowsOfOneSeries() {
        ShardBatches r = batch("""
                cpu,host=a,dc=eu usage=1.5,idle=2i 1767225600000
                cpu,dc=eu,host=a usage=2.5,idle=3i 1767225610000
                cpu,host=b usage=7 1767225600000
                """, 8, Precision.MILLISECONDS);
        assertThat(r.points()).isEqualTo(5);
        int shardA =
                SeriesHash.shardOf(SeriesKey.of("cpu", "dc", "eu", "host", "a").canonicalBytes(), 8);
        int shardB = SeriesHash.shardOf(SeriesKey.of("cpu", "host", "b").canonicalBytes(), 8);
        SeriesRows a = r.batches().get(shardA).getSeriesList().stream()
                .filter(s ->
                        SeriesKey.fromCanonical(s.getKey().toByteArray()).tags().size() == 2)
                .findFirst()
                .orElseThrow();
        assertThat(a.getMetric()).as("named by its canonical key's bytes alone").isEmpty();
        assertThat(a.getTagsList()).isEmpty();
        assertThat(a.getKey().toByteArray())
                .isEqualTo(SeriesKey.of("cpu", "dc", "eu", "host", "a").canonicalBytes());
        assertThat(a.getFieldsList()).containsExactly("usage", "idle");
        assertThat(a.getTimestampDeltasList())
                .as("first absolute, then deltas")
                .containsExactly(1767225600000L, 10_000L);
        assertThat(a.getValuesList()).containsExactly(1.5, 2.0, 2.5, 3.0);
        assertThat(r.batches().get(shardB).getSeriesList())
                .anySatisfy(s -> assertThat(s.getValuesList()).containsExactly(7.0));
    }

    @Test
    void stringFieldsAreSkippedAndCountedByDefaultAndRefusedUnderReject() {
        String body = "cpu,host=a usage=1,msg=\"x y\" 1767225600000\nsystem uptime_format=\"1 day\" 1767225600000\n"
                + "cpu,host=a usage=2 1767225610000\n";
        ShardBatches r = batch(body, 1, Precision.MILLISECONDS);
        assertThat(r.points()).as("the numeric fields of every line").isEqualTo(2);
        assertThat(r.skipped()).isEqualTo(new ShardBatches.Skipped(2, 1));
        assertThat(r.batches().get(0).getSeriesList())
                .allSatisfy(s -> assertThat(s.getFieldsList()).containsExactly("usage"));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new LineBatcher(StringFieldPolicy.REJECT)
                        .batch("db", 1, b, 0, b.length, Precision.MILLISECONDS, NOW))
                .isInstanceOf(LineProtocolException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("string fields are not supported [field=msg]");
    }

    @Test
    void anotherTagOrderIsTheSameSeriesAndOtherFieldsAreOtherRows() {
        ShardBatches r = batch(
                "m,a=1,b=2 x=1 1767225600000\n"
                        + "m,b=2,a=1 x=2 1767225601000\n"
                        + "m,a=1,b=2 y=3 1767225602000\n"
                        + "m,a=1,b=2 x=4 1767225603000\n",
                1,
                Precision.MILLISECONDS);
        List<SeriesRows> rows = r.batches().get(0).getSeriesList();
        assertThat(rows).as("the x rows of the series, then its y rows").hasSize(2);
        assertThat(rows.get(0).getValuesList()).containsExactly(1.0, 2.0, 4.0);
        assertThat(rows.get(0).getTimestampDeltasList()).containsExactly(1767225600000L, 1000L, 2000L);
        assertThat(rows.get(1).getFieldsList()).containsExactly("y");
        assertThat(r.points()).isEqualTo(4);
    }

    @Test
    void precisionDefaultTimeAndValueKinds() {
        ShardBatches r = batch("m,k=v a=t,b=-3i,c=4u 1767225600\nm,k=v a=f,b=1i,c=0u\n", 1, Precision.SECONDS);
        PointBatch p = r.batches().get(0);
        List<SeriesRows> rows = p.getSeriesList();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getTimestampDeltasList()).containsExactly(1767225600000L, NOW - 1767225600000L);
        assertThat(rows.get(0).getValuesList()).containsExactly(1.0, -3.0, 4.0, 0.0, 1.0, 0.0);
    }

    @Test
    void aBodyWithBadLinesNamesEachAndProducesNothing() {
        assertThatThrownBy(() ->
                        batch("cpu,host=a usage=1\ncpu,host=b usage=abc\ncpu usage=\n", 4, Precision.MILLISECONDS))
                .isInstanceOf(LineProtocolException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("line 3");
        assertThat(batch("", 4, Precision.MILLISECONDS).batches()).isEqualTo(Map.of());
    }

    static ShardBatches checked(String body, long oldestMs, long newestMs) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new LineBatcher().batch("db", 4, b, 0, b.length, Precision.MILLISECONDS, NOW, oldestMs, newestMs);
    }

    /**
     * The broker passes a checked request through without {@link BatchRules} ({@code CheckedBatchSink}): whatever the
     * batcher marks checked must keep every rule in the window it was given.
     */
    @Test
    void whatItChecksKeepsEveryBatchRuleInItsWindowAndIsMarkedChecked() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            body.append("cpu,host=h")
                    .append(i % 7)
                    .append(",dc=eu usage=")
                    .append(i)
                    .append(",idle=")
                    .append(i % 3)
                    .append("i ")
                    .append(NOW - i * 1000L)
                    .append('\n');
            body.append("mem,host=h")
                    .append(i % 5)
                    .append(" used=")
                    .append(i * 0.5)
                    .append(",s=\"x\" ")
                    .append(NOW - i)
                    .append('\n');
        }
        ShardBatches out = checked(body.toString(), NOW - 3_600_000, NOW + 1000);
        assertThat(out.checked()).isTrue();
        assertThat(out.points()).isEqualTo(150);
        BatchRules.Limits window =
                BatchRules.Limits.window(NOW, java.time.Duration.ofHours(1), java.time.Duration.ofSeconds(1));
        assertThat(out.batches().values().stream()
                        .mapToLong(b -> BatchRules.check(b, window))
                        .sum())
                .isEqualTo(150);
        assertThat(batch(body.toString(), 4, Precision.MILLISECONDS).checked())
                .as("without a window the caller checks")
                .isFalse();
    }

    @Test
    void aLineOutsideTheWindowRefusesTheBodyNamingTheLineAndSeries() {
        String body = "cpu,host=a usage=1 " + NOW + "\ncpu,host=b usage=2 " + (NOW - 7_200_000) + "\n";
        assertThatThrownBy(() -> checked(body, NOW - 3_600_000, NOW + 3_600_000))
                .isInstanceOfSatisfying(
                        io.meridian.common.error.InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(io.meridian.common.error.ErrorCode.OUT_OF_RETENTION))
                .hasMessageContaining(
                        "timestamp outside the write window [line=2, series=cpu,host=b, ts=" + (NOW - 7_200_000) + "]")
                .hasMessageContaining("want " + (NOW - 3_600_000) + ".." + (NOW + 3_600_000));
        assertThatThrownBy(() -> checked("cpu usage=1 " + (NOW + 7_200_000), NOW - 3_600_000, NOW + 3_600_000))
                .hasMessageContaining("line=1");
    }

    @Test
    void aFieldNamedLikeATagIsRefusedByTheRuleOfBatchRules() {
        assertThatThrownBy(() ->
                        checked("cpu,host=a usage=1\ncpu,host=a host=2,usage=1\n", Long.MIN_VALUE, Long.MAX_VALUE))
                .isInstanceOfSatisfying(
                        io.meridian.common.error.InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(io.meridian.common.error.ErrorCode.TYPE_CONFLICT))
                .hasMessageContaining("name used as both tag and field [line[2], metric=cpu, field=host]");
    }

    @Test
    void badLinesAreReportedBeforeAWindowViolation() {
        String body = "cpu,host=a usage=1 1\ncpu,host=a usage=x " + NOW + "\n";
        assertThatThrownBy(() -> checked(body, NOW - 1000, NOW + 1000))
                .isInstanceOf(LineProtocolException.class)
                .hasMessageContaining("line 2");
    }

    private static ShardBatches batch(LineBatcher b, String body, int shards, boolean checked) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return checked
                ? b.batch(
                        "db",
                        shards,
                        bytes,
                        0,
                        bytes.length,
                        Precision.MILLISECONDS,
                        NOW,
                        Long.MIN_VALUE,
                        Long.MAX_VALUE)
                : b.batch("db", shards, bytes, 0, bytes.length, Precision.MILLISECONDS, NOW);
    }

    /**
     * A shape is described once for every batcher sharing the broker's {@link LineShapes} (one per request thread),
     * and the bodies that find it produce what a batcher of their own would, whatever the database's shard count.
     */
    @Test
    void shapesAreDescribedOnceForEveryBatcherSharingThem() {
        LineShapes shapes = new LineShapes();
        LineBatcher first = new LineBatcher(StringFieldPolicy.SKIP, shapes);
        LineBatcher second = new LineBatcher(StringFieldPolicy.SKIP, shapes);
        String body = """
                cpu,host=a,dc=eu usage=1.5,idle=2i 1767225600000
                cpu,host=b usage=7 1767225600000
                cpu,dc=eu,host=a usage=2.5,idle=3i 1767225610000
                mem,host=a free=3 1767225600000
                """;
        batch(first, body, 8, true);
        assertThat(shapes.size()).as("four spellings of three series").isEqualTo(4);
        for (int shards : new int[] {8, 3, 1}) {
            for (boolean checked : new boolean[] {true, false}) {
                ShardBatches shared = batch(second, body, shards, checked);
                ShardBatches own = batch(new LineBatcher(), body, shards, checked);
                assertThat(shared.batches()).as("%d shards", shards).isEqualTo(own.batches());
                assertThat(shared.points()).isEqualTo(own.points()).isEqualTo(6);
            }
        }
        assertThat(shapes.size()).as("nothing described again").isEqualTo(4);
    }

    /**
     * A shape that breaks a key rule is not kept: every body that carries it is refused again, naming its own line,
     * also after a body that was not checked (the caller's {@link BatchRules} check those).
     */
    @Test
    void aShapeThatBreaksAKeyRuleIsRefusedInEveryBodyThatCarriesIt() {
        LineShapes shapes = new LineShapes();
        LineBatcher b = new LineBatcher(StringFieldPolicy.SKIP, shapes);
        String bad = "cpu,host=a host=2,usage=1 1767225600000";
        assertThat(batch(b, "cpu,host=a usage=1 1767225600000\n" + bad, 4, false)
                        .points())
                .as("unchecked: produced, the caller checks")
                .isEqualTo(3);
        for (String body : List.of("cpu,host=a usage=1 1767225600000\n" + bad, bad)) {
            int line = body.split("\n").length;
            assertThatThrownBy(() -> batch(b, body, 4, true))
                    .hasMessageContaining(
                            "name used as both tag and field [line[" + line + "], metric=cpu, field=host]");
        }
        assertThat(shapes.size()).as("only the good shape").isEqualTo(1);
    }

    @Test
    void aBoundedCacheStillBatchesEveryLine() {
        LineShapes none = new LineShapes(0);
        String body = "cpu,host=a usage=1 1767225600000\ncpu,host=b usage=2 1767225600000\n";
        LineBatcher b = new LineBatcher(StringFieldPolicy.SKIP, none);
        for (int i = 0; i < 3; i++) {
            assertThat(batch(b, body, 4, true).batches())
                    .isEqualTo(batch(new LineBatcher(), body, 4, true).batches());
        }
        assertThat(none.size()).isZero();
    }
}
