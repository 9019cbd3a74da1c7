package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.ingest.BatchRules.Rule;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Histogram;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.storage.v1.HistogramBuckets;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of {@link PartialRules}, accepted and refused, as one table. A case changes partial series 1 of a batch
 * whose partial series 0 is good (or the whole batch, for the batch rules); the runner then checks the claimed types
 * against a fixed schema, as storage does. A refusal must name the rule, its error code, the series and what is
 * wrong.
 */
class PartialRulesTest {
    static final long T = 1_767_225_600_000L;
    static final long BASE_MS = 10_000;
    static final long NOW = T + 60_000;
    static final Duration RETENTION = Duration.ofDays(1);
    static final BatchRules.Limits LIMITS = BatchRules.Limits.window(NOW, RETENTION, Duration.ofHours(1))
            .withTagLimit(3, "storage.limits.tags-per-series");
    /** The declared types storage would hold; any other field is undeclared, so a gauge. */
    static final Map<String, FieldType> SCHEMA = Map.of(
            "requests", FieldType.SUM,
            "latency", FieldType.HISTOGRAM,
            "temp", FieldType.GAUGE,
            "total", FieldType.COUNTER);

    static final String AT = "invalid partial [series=http,host=a, field=requests, slot=" + T + "]: ";

    /**
     * @param series  the position a refusal names ({@code -1} for the whole batch)
     * @param points  Σ count of an accepted series 1; {@code cells} its non-empty cells
     */
    record Case(
            String name,
            UnaryOperator<PointBatch.Builder> change,
            Rule rule,
            int series,
            long points,
            long cells,
            List<String> message) {
        @Override
        public String toString() {
            return (rule == null ? "accepts " : "refuses " + rule + ": ") + name;
        }
    }

    static Case accepts(String name, long points, long cells, UnaryOperator<SeriesPartials.Builder> change) {
        return new Case(name, series1(change), null, 1, points, cells, List.of());
    }

    static Case refuses(Rule rule, String name, UnaryOperator<SeriesPartials.Builder> change, String... message) {
        return new Case(name, series1(change), rule, 1, 0, 0, List.of(message));
    }

    static Case refusesBatch(Rule rule, String name, UnaryOperator<PointBatch.Builder> change, String... message) {
        return new Case(name, change, rule, -1, 0, 0, List.of(message));
    }

    static UnaryOperator<PointBatch.Builder> series1(UnaryOperator<SeriesPartials.Builder> change) {
        return b -> b.setPartials(1, change.apply(b.getPartials(1).toBuilder()));
    }

    /** {@code http,host=a requests} (sum): one 10 s slot at T with 3 at T+1 s and 4 at T+4 s. */
    static SeriesPartials.Builder good() {
        return series(List.of("requests"), List.of(FieldType.SUM), BASE_MS, new long[] {T}, sum()).toBuilder();
    }

    static AggState sum() {
        return AggState.of(T + 1_000, 3).add(T + 4_000, 4);
    }

    static SeriesPartials series(
            List<String> fields, List<FieldType> types, long intervalMs, long[] slots, AggState... cells) {
        return SeriesPartialsCodec.encode(SeriesKey.of("http", "host", "a"), fields, types, intervalMs, slots, cells);
    }

    /** Replaces series 1 by one field of the given type, one slot at T, one cell. */
    static UnaryOperator<SeriesPartials.Builder> only(String field, FieldType type, AggState cell) {
        return s -> series(List.of(field), List.of(type), BASE_MS, new long[] {T}, cell).toBuilder();
    }

    /** Changes the cell of series 1. */
    static UnaryOperator<SeriesPartials.Builder> cell(UnaryOperator<PartialAgg.Builder> change) {
        return s -> s.setCells(0, change.apply(s.getCells(0).toBuilder()));
    }

    /** A latency histogram cell of 0.5, 12 and 300 in slot T. */
    static AggState latency() {
        return AggState.empty().observe(T + 1, 0.5).observe(T + 2, 12).observe(T + 3, 300);
    }

    static UnaryOperator<SeriesPartials.Builder> histogram(UnaryOperator<PartialAgg.Builder> change) {
        return s -> only("latency", FieldType.HISTOGRAM, latency())
                .apply(s)
                .setCells(0, change.apply(AggStateCodec.encode(latency()).toBuilder()));
    }

    static HistogramBuckets buckets(int[] indexes, long[] counts) {
        HistogramBuckets.Builder b = HistogramBuckets.newBuilder();
        for (int i : indexes) {
            b.addIndexes(i);
        }
        for (long c : counts) {
            b.addCounts(c);
        }
        return b.build();
    }

    static Stream<Case> cases() {
        long past = NOW - RETENTION.toMillis() - BASE_MS;
        long pastSlot = Math.floorDiv(past, BASE_MS) * BASE_MS;
        return Stream.of(
                accepts("a sum cell of two points", 2, 1, s -> s),
                accepts("a gauge cell", 3, 1, only("temp", FieldType.GAUGE, sum().add(T + 9_999, 3.5))),
                accepts(
                        "a counter cell (last is not max after a reset)",
                        3,
                        1,
                        only(
                                "total",
                                FieldType.COUNTER,
                                AggState.of(T, 100).add(T + 5_000, 120).add(T + 6_000, 2))),
                accepts("a histogram cell", 3, 1, only("latency", FieldType.HISTOGRAM, latency())),
                accepts("a count-1 cell", 1, 1, only("requests", FieldType.SUM, AggState.of(T + 5, 7))),
                accepts(
                        "a count-1 histogram cell at zero",
                        1,
                        1,
                        only("latency", FieldType.HISTOGRAM, AggState.empty().observe(T, 0))),
                accepts(
                        "a count-1 cell of -0.0 (its sum is 0.0)",
                        1,
                        1,
                        only("temp", FieldType.GAUGE, AggState.of(T, -0.0))),
                accepts(
                        "equal times: first keeps the smaller value",
                        2,
                        1,
                        only("temp", FieldType.GAUGE, AggState.of(T + 7, 5).add(T + 7, 3))),
                accepts(
                        "a hole (a default cell) next to a value, two 5 s slots",
                        3,
                        3,
                        s -> series(
                                List.of("requests", "latency"),
                                List.of(FieldType.SUM, FieldType.HISTOGRAM),
                                5_000,
                                new long[] {T + 5_000, T},
                                AggState.of(T + 5_000, 1),
                                AggState.empty().observe(T + 9_999, 2),
                                null,
                                AggState.empty().observe(T, 3))
                                .toBuilder()),
                refusesBatch(
                        Rule.MIXED_BATCH,
                        "rows and partials",
                        b -> b.addSeries(SeriesRows.newBuilder()
                                .setMetric("cpu")
                                .addFields("usage")
                                .addTimestampDeltas(T)
                                .addValues(1)),
                        "mixed batch [field=batch.partials]: got 1 series of rows and 2 partial series;"
                                + " want rows or partials, never both"),
                refusesBatch(
                        Rule.EMPTY_BATCH,
                        "neither",
                        PointBatch.Builder::clearPartials,
                        "empty batch [field=batch.series, batch.partials]"),
                refuses(
                        Rule.METRIC_NAME,
                        "a metric starting with a digit",
                        s -> s.setMetric("9http"),
                        "invalid metric name [metric=9http] at [partials[1]]"),
                refuses(
                        Rule.FIELD_IS_TAG,
                        "a field named like a tag",
                        s -> s.setFields(0, "host"),
                        "name used as both tag and field [partials[1], metric=http, field=host]"),
                refuses(
                        Rule.CELL_COUNT,
                        "no types",
                        SeriesPartials.Builder::clearTypes,
                        "type count mismatch [partials[1], metric=http]: got 0 types; want one per field = 1"),
                refuses(
                        Rule.CELL_COUNT,
                        "an unset type",
                        s -> s.setTypesValue(0, 0),
                        "missing or unknown field type [partials[1], metric=http, field=requests]: got 0"),
                refuses(
                        Rule.CELL_COUNT,
                        "a type of a later revision",
                        s -> s.setTypesValue(0, 99),
                        "got 99; want one of gauge"),
                refuses(
                        Rule.CELL_COUNT,
                        "a cell too many",
                        s -> s.addCells(PartialAgg.getDefaultInstance()),
                        "cell count mismatch [partials[1], metric=http]: got 2 cells; want slots x fields = 1 x 1 = 1"),
                refuses(
                        Rule.MISSING_ROWS,
                        "no slots",
                        s -> s.clearSlotDeltas().clearCells(),
                        "missing slots [partials[1], metric=http]: want at least one slot start"),
                refuses(
                        Rule.PARTIAL_SLOT,
                        "interval 0",
                        s -> s.setIntervalMs(0),
                        "invalid partial interval [series=http,host=a]: got interval_ms=0; want a width > 0 that"
                                + " divides the base interval 10000 ms"),
                refuses(Rule.PARTIAL_SLOT, "an interval not dividing the base", s -> s.setIntervalMs(3_000), "=3000"),
                refuses(
                        Rule.PARTIAL_SLOT,
                        "a slot start between slots",
                        s -> s.setSlotDeltas(0, T + 5_000),
                        "invalid partial slot [series=http,host=a, slot=" + (T + 5_000) + "]: got a slot start 5000"
                                + " ms past a multiple of interval_ms=10000"),
                refuses(
                        Rule.PARTIAL_SLOT,
                        "a point before its slot",
                        cell(c -> c.setFirstTs(T - 1)),
                        AT + "got first_ts=" + (T - 1) + " last_ts=" + (T + 4_000) + "; want times in the slot [" + T
                                + ", " + T + " + 10000)"),
                refuses(
                        Rule.PARTIAL_SLOT,
                        "a point at the slot's end",
                        cell(c -> c.setLastTs(T + BASE_MS)),
                        "last_ts=" + (T + BASE_MS)),
                refuses(
                        Rule.PARTIAL_MOMENTS,
                        "m2 set",
                        cell(c -> c.setM2(0.5)),
                        AT + "got m2=0.5; want no m2 (a query-only component)"),
                refuses(
                        Rule.PARTIAL_MOMENTS,
                        "m2 set on a hole",
                        cell(c -> c.clear().setM2(0)),
                        "want no m2"),
                refuses(
                        Rule.PARTIAL_COUNT,
                        "count 0 with a sum",
                        cell(c -> c.clear().setSum(2)),
                        AT + "got count=0 with sum=2.0",
                        "want nothing set in a cell without points (a hole)"),
                refuses(
                        Rule.PARTIAL_COUNT,
                        "count 0 with -0.0 as the sum",
                        cell(c -> c.clear().setSum(-0.0)),
                        "got count=0 with sum=-0.0"),
                refuses(
                        Rule.PARTIAL_COUNT,
                        "count 2^63",
                        cell(c -> c.setCount(Long.MIN_VALUE)),
                        AT + "got count=9223372036854775808; want a count below 2^63"),
                refuses(
                        Rule.PARTIAL_COUNT,
                        "a slot with no cell",
                        s -> s.setCells(0, PartialAgg.getDefaultInstance()),
                        "empty partial slot [series=http,host=a, slot=" + T + "]: got 1 cells with count 0;"
                                + " want at least one non-empty cell (leave the slot out)"),
                refuses(
                        Rule.PARTIAL_NOT_FINITE,
                        "a NaN sum",
                        cell(c -> c.setSum(Double.NaN)),
                        AT + "got sum=NaN min=3.0 max=4.0",
                        "want finite sum, min, max, first and last"),
                refuses(
                        Rule.PARTIAL_NOT_FINITE,
                        "an infinite max",
                        cell(c -> c.setMax(Double.POSITIVE_INFINITY)),
                        "max=Infinity"),
                refuses(
                        Rule.PARTIAL_RANGE,
                        "min above max",
                        cell(c -> c.setMin(5).setMax(3)),
                        AT + "got min=5.0 max=3.0; want min <= max"),
                refuses(
                        Rule.PARTIAL_RANGE,
                        "last above max",
                        cell(c -> c.setLast(4.5)),
                        AT + "got min=3.0 max=4.0 first=3.0 last=4.5; want first and last in [min, max]"),
                refuses(
                        Rule.PARTIAL_TIMES,
                        "first after last",
                        cell(c -> c.setFirstTs(T + 5_000)),
                        AT + "got first=3.0@" + (T + 5_000) + " last=4.0@" + (T + 4_000)
                                + "; want first_ts <= last_ts, and first <= last on equal times"),
                refuses(
                        Rule.PARTIAL_TIMES,
                        "equal times, first the larger value",
                        cell(c -> c.setFirstTs(T + 4_000).setFirst(4).setLast(3)),
                        "got first=4.0@" + (T + 4_000) + " last=3.0@" + (T + 4_000)),
                refuses(
                        Rule.PARTIAL_SINGLE,
                        "count 1 with a sum of two",
                        cell(c -> c.setCount(1)),
                        AT + "got count=1 with sum=7.0",
                        "want sum = min = max = first = last and first_ts = last_ts (one point)"),
                refuses(
                        Rule.PARTIAL_SINGLE,
                        "count 1 at two times",
                        only("temp", FieldType.GAUGE, AggState.of(T + 5, 7)).andThen(cell(c -> c.setLastTs(T + 6)))
                                ::apply,
                        "field=temp",
                        "last=7.0@" + (T + 6)),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "buckets on a sum field",
                        cell(c -> c.setHistogram(buckets(new int[] {0}, new long[] {2}))),
                        AT + "got histogram buckets on a FIELD_TYPE_SUM field; want them on histogram fields only"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "no buckets on a histogram field",
                        histogram(PartialAgg.Builder::clearHistogram),
                        "field=latency",
                        "got no histogram buckets; want the buckets of the cell's 3 observations"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "a negative observation",
                        histogram(c -> c.setMin(-1).setFirst(-1)),
                        "got min=-1.0; want histogram observations >= 0"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "indexes and counts of different lengths",
                        histogram(
                                c -> c.setHistogram(c.getHistogram().toBuilder().addCounts(1))),
                        "got 3 indexes and 4 counts; want the same number, at least one"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "indexes out of order",
                        histogram(c -> c.setHistogram(buckets(
                                new int[] {Histogram.bucketOf(300), Histogram.bucketOf(0.5)}, new long[] {2, 1}))),
                        "at position 1; want strictly increasing indexes in 0..512 and counts >= 1"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "an index past the last bucket",
                        histogram(c -> c.setHistogram(buckets(new int[] {1, 513}, new long[] {2, 1}))),
                        "got bucket index 513 count 1"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "a bucket count of 0",
                        histogram(c -> c.setHistogram(
                                c.getHistogram().toBuilder().setCounts(1, 0).build())),
                        "count 0 at position 1"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "bucket counts not adding up to count",
                        histogram(c -> c.setCount(4)),
                        "got bucket counts adding up to 3; want count=4"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "bucket counts adding up past 2^63",
                        histogram(c -> c.setHistogram(buckets(
                                new int[] {Histogram.bucketOf(0.5), Histogram.bucketOf(300)},
                                new long[] {Long.MAX_VALUE, 2}))),
                        "got bucket counts adding up to more than 9223372036854775807; want count=3"),
                refuses(
                        Rule.PARTIAL_HISTOGRAM,
                        "max outside the last bucket",
                        histogram(c -> c.setMax(1000).setLast(1000)),
                        "for min=0.5 max=1000.0; want the first bucket " + Histogram.bucketOf(0.5) + " (min's) and the"
                                + " last " + Histogram.bucketOf(1000) + " (max's)"),
                refuses(
                        Rule.PARTIAL_TYPE,
                        "a gauge claim for a sum field",
                        s -> s.setTypes(0, io.meridian.common.rpc.storage.v1.FieldType.FIELD_TYPE_GAUGE),
                        "partial of another field type [series=http,host=a, field=requests]: got gauge",
                        "want sum (the declared type"),
                refuses(
                        Rule.PARTIAL_TYPE,
                        "a sum claim for an undeclared field",
                        only("errors", FieldType.SUM, sum()),
                        "field=errors]: got sum",
                        "want gauge (the declared type; an undeclared field is a gauge: declare it first)"),
                refuses(
                        Rule.TAGS_PER_SERIES,
                        "more tags than the limit",
                        s -> s.addTags(tag("b", "1")).addTags(tag("c", "2")).addTags(tag("d", "3")),
                        "too many tags [partials[1], metric=http]: got 4; limit storage.limits.tags-per-series=3"),
                refuses(
                        Rule.WINDOW,
                        "a slot before the retention",
                        s -> series(
                                List.of("requests"),
                                List.of(FieldType.SUM),
                                BASE_MS,
                                new long[] {pastSlot},
                                AggState.of(pastSlot, 1))
                                .toBuilder(),
                        "timestamp outside the write window [series=http,host=a, field=requests, slot=" + pastSlot
                                + ", ts=" + pastSlot + "]: want " + (NOW - RETENTION.toMillis()) + ".."));
    }

    static Tag tag(String key, String value) {
        return Tag.newBuilder().setKey(key).setValue(value).build();
    }

    /** What storage does: every rule of the batch, then each claimed type against the schema. */
    static PartialRules.Totals check(PointBatch batch) {
        PartialRules.Totals totals = PartialRules.check(batch, BASE_MS, LIMITS);
        for (int i = 0; i < batch.getPartialsCount(); i++) {
            SeriesPartials s = batch.getPartials(i);
            for (int f = 0; f < s.getFieldsCount(); f++) {
                PartialRules.checkType(i, s, f, SCHEMA.getOrDefault(s.getFields(f), FieldType.GAUGE));
            }
        }
        return totals;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachRuleAcceptsAndRefuses(Case c) {
        PointBatch batch = c.change()
                .apply(PointBatch.newBuilder().addPartials(good()).addPartials(good()))
                .build();
        if (c.rule() == null) {
            assertThat(check(batch)).isEqualTo(new PartialRules.Totals(2 + c.points(), 1 + c.cells()));
            for (SeriesPartials s : batch.getPartialsList()) {
                AggState[] cells = SeriesPartialsCodec.cells(s);
                assertThat(cells).hasSize(s.getCellsCount());
                for (int i = 0; i < cells.length; i++) {
                    assertThat(AggStateCodec.encodeStored(cells[i]))
                            .as("cell %d round trip", i)
                            .isEqualTo(s.getCells(i));
                }
            }
            return;
        }
        BatchRules.Violation v = catchThrowableOfType(BatchRules.Violation.class, () -> check(batch));
        assertThat(v).as("refused: " + c).isNotNull();
        assertThat(v.rule()).isEqualTo(c.rule());
        assertThat(v.code()).isEqualTo(c.rule().code());
        assertThat(v.series()).isEqualTo(c.series());
        assertThat(v.getMessage()).contains(c.message());
    }

    @Test
    void theTableCoversEveryPartialRule() {
        Set<Rule> covered = cases().map(Case::rule).filter(r -> r != null).collect(Collectors.toSet());
        assertThat(covered).containsAll(PartialRules.RULES);
        assertThat(PartialRules.RULES).contains(Rule.MIXED_BATCH, Rule.PARTIAL_TYPE);
    }

    @Test
    void codesAreInvalidInputButTheTypeClaim() {
        for (Rule r : PartialRules.RULES) {
            assertThat(r.code())
                    .as(r.name())
                    .isEqualTo(r == Rule.PARTIAL_TYPE ? ErrorCode.TYPE_CONFLICT : ErrorCode.INVALID_INPUT);
        }
    }

    @Test
    void carriesPartialsTellsTheKindOfABatch() {
        assertThat(PartialRules.carriesPartials(
                        PointBatch.newBuilder().addPartials(good()).build()))
                .isTrue();
        assertThat(PartialRules.carriesPartials(PointBatch.newBuilder()
                        .addSeries(SeriesRows.newBuilder().setMetric("cpu"))
                        .build()))
                .isFalse();
        BatchRules.Violation v = catchThrowableOfType(
                BatchRules.Violation.class,
                () -> PartialRules.check(
                        PointBatch.newBuilder()
                                .addSeries(SeriesRows.newBuilder().setMetric("cpu"))
                                .build(),
                        BASE_MS));
        assertThat(v.rule()).isEqualTo(Rule.EMPTY_BATCH);
        assertThat(v)
                .hasMessage("empty batch [field=batch.partials]: got 1 series of rows; want at least one partial"
                        + " series");
    }

    @Test
    void theRowRulesRefuseABatchOfPartials() {
        PointBatch partials = PointBatch.newBuilder().addPartials(good()).build();
        BatchRules.Violation v =
                catchThrowableOfType(BatchRules.Violation.class, () -> BatchRules.checkStructure(partials));
        assertThat(v.rule()).isEqualTo(Rule.EMPTY_BATCH);
        assertThat(v)
                .hasMessage("empty batch [field=batch.series]: got 0 series and 1 partial series, which this check"
                        + " does not read; want at least one series");
        PointBatch mixed = partials.toBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addFields("usage")
                        .addTimestampDeltas(T)
                        .addValues(1))
                .build();
        v = catchThrowableOfType(BatchRules.Violation.class, () -> BatchRules.check(mixed, LIMITS));
        assertThat(v.rule()).isEqualTo(Rule.MIXED_BATCH);
    }

    @Test
    void limitsAreOptional() {
        PointBatch old = PointBatch.newBuilder() // a slot before 1970: a multiple of the interval all the same
                .addPartials(series(
                        List.of("requests"),
                        List.of(FieldType.SUM),
                        BASE_MS,
                        new long[] {-BASE_MS},
                        AggState.of(-1, 1)))
                .build();
        assertThat(PartialRules.check(old, BASE_MS)).isEqualTo(new PartialRules.Totals(1, 1));
        assertThat(catchThrowableOfType(BatchRules.Violation.class, () -> PartialRules.check(old, BASE_MS, LIMITS))
                        .rule())
                .isEqualTo(Rule.WINDOW);
    }

    @Test
    void aBaseIntervalMustBePositive() {
        PointBatch batch = PointBatch.newBuilder().addPartials(good()).build();
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> PartialRules.check(batch, 0)))
                .hasMessage("invalid base interval [baseIntervalMs=0]: want > 0");
    }
}
