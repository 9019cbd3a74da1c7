package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.ingest.BatchRules.Rule;
import io.meridian.common.model.Names;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of {@link BatchRules}, accepted and refused, as one table: each case changes series 1 of a batch whose
 * series 0 is good, so a refusal must name {@code series[1]}, the rule, its error code and what is wrong.
 */
class BatchRulesTest {
    static final long NOW = 1_700_000_000_000L;
    static final Duration RETENTION = Duration.ofDays(1);
    static final Duration TOLERANCE = Duration.ofHours(1);
    static final int MAX_TAGS = 3;
    static final BatchRules.Limits LIMITS = BatchRules.Limits.window(NOW, RETENTION, TOLERANCE)
            .withTagLimit(MAX_TAGS, "storage.limits.tags-per-series");

    /**
     * @param rule     null when the batch is accepted
     * @param points   the non-NaN values of an accepted batch (series 0 holds one)
     * @param message  parts the refusal's message contains
     */
    record Case(String name, UnaryOperator<SeriesRows.Builder> change, Rule rule, long points, List<String> message) {
        @Override
        public String toString() {
            return (rule == null ? "accepts " : "refuses " + rule + ": ") + name;
        }
    }

    static Case accepts(String name, long points, UnaryOperator<SeriesRows.Builder> change) {
        return new Case(name, change, null, points, List.of());
    }

    static Case refuses(Rule rule, String name, UnaryOperator<SeriesRows.Builder> change, String... message) {
        return new Case(name, change, rule, 0, List.of(message));
    }

    /** {@code cpu,host=a usage=1.5} at NOW. */
    static SeriesRows.Builder good() {
        return SeriesRows.newBuilder()
                .setMetric("cpu")
                .addTags(tag("host", "a"))
                .addFields("usage")
                .addTimestampDeltas(NOW)
                .addValues(1.5);
    }

    /** Canonical key bytes of parts in the order given: metric, then key, value, ... (not sorted here). */
    static ByteString key(String... parts) {
        return ByteString.copyFromUtf8(String.join("\0", parts));
    }

    static Tag tag(String key, String value) {
        return Tag.newBuilder().setKey(key).setValue(value).build();
    }

    static Stream<Case> cases() {
        String longValue = "v".repeat(Names.MAX_TAG_VALUE_LENGTH);
        return Stream.of(
                accepts("a good series", 2, s -> s),
                accepts("NaN is no value, not a point", 1, s -> s.setValues(0, Double.NaN)),
                accepts(
                        "two rows of two fields, deltas after the first",
                        5,
                        s -> s.addFields("idle")
                                .addTimestampDeltas(10_000)
                                .setValues(0, 1)
                                .addValues(2)
                                .addValues(3)
                                .addValues(4)),
                accepts(
                        "the oldest timestamp of the window",
                        2,
                        s -> s.setTimestampDeltas(0, NOW - RETENTION.toMillis())),
                accepts(
                        "the newest timestamp of the window",
                        2,
                        s -> s.setTimestampDeltas(0, NOW + TOLERANCE.toMillis())),
                accepts(
                        "tags up to the limit",
                        2,
                        s -> s.addTags(tag("dc", "x")).addTags(tag("rack", "r1"))),
                accepts("no tags", 2, SeriesRows.Builder::clearTags),
                accepts(
                        "every allowed name character",
                        2,
                        s -> s.setMetric("_a1.b:c-d").setFields(0, "Z_9.x:y-z")),
                accepts(
                        "a tag value of the longest length, any UTF-8",
                        2,
                        s -> s.setTags(0, tag("host", longValue)).addTags(tag("city", "Zürich 東京"))),
                accepts("negative and zero values", 2, s -> s.setValues(0, -0.0)),
                accepts(
                        "the series by its canonical key (revision 10)",
                        2,
                        s -> s.clearMetric().clearTags().setKey(key("cpu", "dc", "x", "host", "a"))),
                accepts(
                        "a key without tags",
                        2,
                        s -> s.clearMetric().clearTags().setKey(key("cpu"))),
                refuses(
                        Rule.SERIES_KEY,
                        "a key and a metric",
                        s -> s.clearTags().setKey(key("cpu", "host", "a")),
                        "series key and metric both set [series[1], metric=cpu]"),
                refuses(
                        Rule.SERIES_KEY,
                        "a key without a tag's value",
                        s -> s.clearMetric().clearTags().setKey(key("cpu", "host")),
                        "malformed series key [key=cpu,host]: 2 parts",
                        "at [series[1]]"),
                refuses(
                        Rule.SERIES_KEY,
                        "a key with its tags out of key order",
                        s -> s.clearMetric().clearTags().setKey(key("cpu", "host", "a", "dc", "x")),
                        "tag keys host and dc are not in strictly ascending order"),
                refuses(
                        Rule.METRIC_NAME,
                        "a key with an invalid metric",
                        s -> s.clearMetric().clearTags().setKey(key("9cpu", "host", "a")),
                        "invalid metric name [metric=9cpu] at [series[1]]"),
                refuses(
                        Rule.FIELD_IS_TAG,
                        "a field named like a tag of the key",
                        s -> s.clearMetric().clearTags().setKey(key("cpu", "usage", "a")),
                        "name used as both tag and field [series[1], metric=cpu, field=usage]"),
                refuses(
                        Rule.METRIC_NAME,
                        "an empty metric",
                        s -> s.setMetric(""),
                        "invalid metric name [metric=] at [series[1]]",
                        "must not be empty"),
                refuses(
                        Rule.METRIC_NAME,
                        "a metric starting with a digit",
                        s -> s.setMetric("9cpu"),
                        "invalid metric name [metric=9cpu] at [series[1]]",
                        "must start with a letter"),
                refuses(
                        Rule.TAG_NAME,
                        "a tag key with a space",
                        s -> s.addTags(tag("data center", "x")),
                        "invalid tag name [tag=data center] at [series[1], metric=cpu]",
                        "character ' '"),
                refuses(
                        Rule.TAG_NAME,
                        "an empty tag key",
                        s -> s.addTags(tag("", "x")),
                        "invalid tag name [tag=]",
                        "must not be empty"),
                refuses(
                        Rule.TAG_VALUE,
                        "an empty tag value",
                        s -> s.setTags(0, tag("host", "")),
                        "invalid tag value [tag=host] at [series[1], metric=cpu]: must not be empty"),
                refuses(Rule.TAG_VALUE, "a tag value with NUL", s -> s.setTags(0, tag("host", "a\0b")), "contains NUL"),
                refuses(
                        Rule.TAG_VALUE,
                        "a tag value too long",
                        s -> s.setTags(0, tag("host", longValue + "v")),
                        "too long: got 257 characters; want at most 256"),
                refuses(
                        Rule.DUPLICATE_TAG,
                        "a tag key twice",
                        s -> s.addTags(tag("host", "b")),
                        "duplicate tag key [series[1], metric=cpu, tag=host]"),
                refuses(
                        Rule.TAGS_PER_SERIES,
                        "more tags than the limit",
                        s -> s.addTags(tag("b", "1")).addTags(tag("c", "2")).addTags(tag("d", "3")),
                        "too many tags [series[1], metric=cpu]: got 4; limit storage.limits.tags-per-series=3"),
                refuses(
                        Rule.MISSING_FIELDS,
                        "no fields",
                        SeriesRows.Builder::clearFields,
                        "missing fields [series[1], metric=cpu]"),
                refuses(
                        Rule.FIELD_NAME,
                        "a field name with a space",
                        s -> s.setFields(0, "us age"),
                        "invalid field name [field=us age] at [series[1], metric=cpu]"),
                refuses(
                        Rule.FIELD_NAME,
                        "the COUNT(*) pseudo field",
                        s -> s.setFields(0, Names.ROWS),
                        "invalid field name [field=*]"),
                refuses(
                        Rule.DUPLICATE_FIELD,
                        "a field twice",
                        s -> s.addFields("usage").addValues(2),
                        "duplicate field [series[1], metric=cpu, field=usage]"),
                refuses(
                        Rule.FIELD_IS_TAG,
                        "a field named like a tag",
                        s -> s.addFields("host").addValues(2),
                        "name used as both tag and field [series[1], metric=cpu, field=host]"),
                refuses(
                        Rule.MISSING_ROWS,
                        "no rows",
                        s -> s.clearTimestampDeltas().clearValues(),
                        "missing rows [series[1], metric=cpu]"),
                refuses(
                        Rule.VALUE_COUNT,
                        "a value too many",
                        s -> s.addValues(2),
                        "value count mismatch [series[1], metric=cpu]: got 2 values; want rows x fields = 1 x 1 = 1"),
                refuses(Rule.VALUE_COUNT, "a value too few", s -> s.addTimestampDeltas(10_000), "got 1 values"),
                refuses(
                        Rule.WINDOW,
                        "a timestamp before the retention",
                        s -> s.setTimestampDeltas(0, NOW - RETENTION.toMillis() - 1),
                        "timestamp outside the write window [series[1], " + "series=cpu,host=a, row=0, ts="
                                + (NOW - RETENTION.toMillis() - 1) + "]",
                        "future tolerance 1h"),
                refuses(
                        Rule.WINDOW,
                        "a second row past the future tolerance",
                        s -> s.addTimestampDeltas(TOLERANCE.toMillis() + 1).addValues(2),
                        "row=1, ts=" + (NOW + TOLERANCE.toMillis() + 1),
                        "want " + (NOW - RETENTION.toMillis()) + ".." + (NOW + TOLERANCE.toMillis())),
                refuses(
                        Rule.INFINITE_VALUE,
                        "+Infinity",
                        s -> s.setValues(0, Double.POSITIVE_INFINITY),
                        "infinite value [series[1], series=cpu,host=a, field=usage, row=0, value=Infinity]"),
                refuses(
                        Rule.INFINITE_VALUE,
                        "-Infinity in the second field",
                        s -> s.addFields("idle").addValues(Double.NEGATIVE_INFINITY),
                        "field=idle, row=0, value=-Infinity"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachRuleAcceptsAndRefuses(Case c) {
        PointBatch batch = PointBatch.newBuilder()
                .addSeries(good())
                .addSeries(c.change().apply(good()))
                .build();
        if (c.rule() == null) {
            assertThat(BatchRules.check(batch, LIMITS)).as("points").isEqualTo(c.points());
            return;
        }
        BatchRules.Violation v =
                catchThrowableOfType(BatchRules.Violation.class, () -> BatchRules.check(batch, LIMITS));
        assertThat(v).as("refused: " + c).isNotNull();
        assertThat(v.rule()).isEqualTo(c.rule());
        assertThat(v.code()).isEqualTo(c.rule().code());
        assertThat(v.series()).isEqualTo(1);
        assertThat(v.getMessage()).contains(c.message());
    }

    @Test
    void theTableCoversEveryRuleButTheBatchHistogramAndPartialOnes() {
        Set<Rule> covered = cases().map(Case::rule).filter(r -> r != null).collect(Collectors.toSet());
        EnumSet<Rule> others = EnumSet.of(Rule.EMPTY_BATCH, Rule.NEGATIVE_HISTOGRAM);
        others.addAll(PartialRules.RULES); // PartialRulesTest's table
        assertThat(covered).containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(others));
    }

    @Test
    void structureRulesNeedNoLimits() {
        PointBatch late = PointBatch.newBuilder()
                .addSeries(good().setTimestampDeltas(0, 0).setValues(0, Double.POSITIVE_INFINITY))
                .build();
        BatchRules.checkStructure(late);
        BatchRules.Violation v = catchThrowableOfType(
                BatchRules.Violation.class,
                () -> BatchRules.checkStructure(PointBatch.newBuilder()
                        .addSeries(good())
                        .addSeries(good().setFields(0, "us age"))
                        .build()));
        assertThat(v.rule()).isEqualTo(Rule.FIELD_NAME);
        assertThat(v.series()).isEqualTo(1);
    }

    @Test
    void anEmptyBatchIsRefused() {
        for (Runnable check : List.<Runnable>of(
                () -> BatchRules.check(PointBatch.getDefaultInstance(), LIMITS),
                () -> BatchRules.checkStructure(PointBatch.getDefaultInstance()))) {
            BatchRules.Violation v = catchThrowableOfType(BatchRules.Violation.class, check::run);
            assertThat(v.rule()).isEqualTo(Rule.EMPTY_BATCH);
            assertThat(v.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(v.series()).isEqualTo(-1);
            assertThat(v).hasMessage("empty batch [field=batch.series]: want at least one series");
        }
    }

    @Test
    void histogramObservationsAreNeverNegative() {
        SeriesRows rows = good().addFields("latency")
                .setValues(0, -1)
                .addValues(0)
                .addTimestampDeltas(10_000)
                .addValues(-2)
                .addValues(Double.NaN)
                .build();
        BatchRules.checkHistogramValues(3, BatchRules.view(3, rows), 1); // 0 and NaN (no value) are fine
        BatchRules.Violation v = catchThrowableOfType(
                BatchRules.Violation.class,
                () -> BatchRules.checkHistogramValues(
                        3, BatchRules.view(3, rows.toBuilder().setValues(3, -3).build()), 1));
        assertThat(v.rule()).isEqualTo(Rule.NEGATIVE_HISTOGRAM);
        assertThat(v.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(v)
                .hasMessage("negative histogram observation [series[3], series=cpu,host=a, field=latency, row=1,"
                        + " value=-3.0]: want >= 0");
    }

    @Test
    void theWindowSaturatesInsteadOfWrappingAround() {
        BatchRules.Limits forever =
                BatchRules.Limits.window(NOW, Duration.ofMillis(Long.MAX_VALUE), Duration.ofMillis(Long.MAX_VALUE));
        assertThat(forever.oldestMs()).isEqualTo(NOW - Long.MAX_VALUE);
        assertThat(forever.newestMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(BatchRules.Limits.window(-NOW, Duration.ofMillis(Long.MAX_VALUE), TOLERANCE)
                        .oldestMs())
                .isEqualTo(Long.MIN_VALUE);
        assertThat(Arrays.stream(new long[] {NOW - Long.MAX_VALUE, 0, Long.MAX_VALUE})
                        .allMatch(forever::admits))
                .isTrue();
        assertThat(LIMITS.admits(NOW - RETENTION.toMillis() - 1)).isFalse();
        assertThat(LIMITS.admits(NOW + TOLERANCE.toMillis())).isTrue();
    }
}
