package io.meridian.storage.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.RemoteCallException;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.HistogramBuckets;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.common.rpc.storage.v1.TagFilter;
import io.meridian.storage.index.KnownSeries;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Codec laws (decode(encode(x)) = x) and the stable error mapping, without a server. */
class WireCodecsTest {
    private static SeriesRows.Builder wireRows(String metric, String... tags) {
        SeriesRows.Builder b = SeriesRows.newBuilder().setMetric(metric);
        for (int i = 0; i < tags.length; i += 2) {
            b.addTags(Tag.newBuilder().setKey(tags[i]).setValue(tags[i + 1]));
        }
        return b.addFields("v")
                .addTimestampDeltas(1_000)
                .addTimestampDeltas(10_000)
                .addValues(1)
                .addValues(2);
    }

    /**
     * A wire series decodes to its key without a map: tags in any order give the sorted key and its canonical bytes,
     * and the batch is marked as checked so that the shard checks only the limits. What breaks a structure rule is
     * refused by the decoder, naming the series.
     */
    @Test
    void pointBatchesDecodeToSortedKeysAndAreMarkedStructureChecked() {
        WriteBatch decoded = PointBatchCodec.decode(PointBatch.newBuilder()
                .addSeries(wireRows("cpu", "host", "a", "dc", "x", "cpu", "0"))
                .addSeries(wireRows("mem"))
                .build());
        assertThat(decoded.structureChecked()).isTrue();
        SeriesKey expected = SeriesKey.of("cpu", "cpu", "0", "dc", "x", "host", "a");
        WriteBatch.SeriesRows rows = decoded.series().get(0);
        assertThat(rows.canonicalKey()).isEqualTo(expected.canonicalBytes());
        assertThat(decoded.canonicalKey(0)).isEqualTo(expected.canonicalBytes());
        assertThat(rows.key()).isEqualTo(expected);
        assertThat(rows.metric()).isEqualTo("cpu");
        assertThat(List.of(rows.tagKey(0), rows.tagKey(1), rows.tagKey(2))).containsExactly("cpu", "dc", "host");
        assertThat(rows.timestamps()).containsExactly(1_000, 11_000);
        assertThat(decoded.series().get(1).key()).isEqualTo(SeriesKey.of("mem"));
        assertThat(WriteBatch.of(List.of(rows)).structureChecked())
                .as("built in the JVM")
                .isFalse();

        assertThatThrownBy(() -> PointBatchCodec.decode(PointBatch.newBuilder()
                        .addSeries(wireRows("cpu", "host", "a"))
                        .addSeries(wireRows("cpu", "host", "a", "host", "b"))
                        .build()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("series[1]")
                .hasMessageContaining("host");
        assertThatThrownBy(() -> PointBatchCodec.decode(PointBatch.newBuilder()
                        .addSeries(wireRows("cpu", "v", "a"))
                        .build()))
                .as("a field named like a tag")
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("series[0]");
    }

    /**
     * Against the shard's known series: a known key's names are not checked again and its id travels with the rows; its
     * fields still are. A key whose bytes only look known because a value holds the separator (NUL) is checked in full.
     */
    @Test
    void knownKeysCarryTheirIdAndForgedOnesAreCheckedInFull() {
        byte[] known = SeriesKey.of("cpu", "dc", "x", "host", "a").canonicalBytes();
        KnownSeries shard = key -> java.util.Arrays.equals(key, known) ? 7 : -1;
        WriteBatch decoded = PointBatchCodec.decode(
                PointBatch.newBuilder()
                        .addSeries(wireRows("cpu", "host", "a", "dc", "x"))
                        .addSeries(wireRows("cpu", "host", "b"))
                        .build(),
                shard);
        assertThat(decoded.knownSeries()).isSameAs(shard);
        assertThat(decoded.series().get(0).knownId()).isEqualTo(7);
        assertThat(decoded.series().get(1).knownId()).isEqualTo(-1);
        assertThat(PointBatchCodec.decode(PointBatch.newBuilder()
                                .addSeries(wireRows("cpu", "host", "a", "dc", "x"))
                                .build())
                        .series()
                        .get(0)
                        .knownId())
                .as("decoded without a shard")
                .isEqualTo(-1);

        assertThatThrownBy(() -> PointBatchCodec.decode(
                        PointBatch.newBuilder()
                                .addSeries(wireRows("cpu", "host", "a", "dc", "x", "v", "1"))
                                .build(),
                        key -> 7))
                .as("a field named like a tag of a known key")
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("name used as both tag and field");
        // "dc" = "x\0host\0a" has the bytes of cpu,dc=x,host=a
        assertThatThrownBy(() -> PointBatchCodec.decode(
                        PointBatch.newBuilder()
                                .addSeries(wireRows("cpu", "dc", "x\0host\0a"))
                                .build(),
                        shard))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("contains NUL");
    }

    @Test
    void everyTagPredicateKindRoundTrips() {
        TagPredicate p = new TagPredicate.Or(List.of(
                new TagPredicate.And(
                        List.of(TagPredicate.eq("host", "a"), new TagPredicate.In("dc", List.of("x", "y")))),
                new TagPredicate.Not(new TagPredicate.Prefix("host", "web-")),
                TagPredicate.Regex.of("rack", "r[0-9]+"),
                TagPredicate.all()));
        TagPredicate back = TagFilterCodec.decode(TagFilterCodec.encode(p));
        // Pattern has identity equality: compare the encoded forms
        assertThat(TagFilterCodec.encode(back)).isEqualTo(TagFilterCodec.encode(p));
        assertThat(back).isInstanceOf(TagPredicate.Or.class);
    }

    @Test
    void leafQueriesRoundTripWithTheirExistenceFlag() {
        for (boolean existOnly : new boolean[] {false, true}) {
            LeafQuery q = new LeafQuery(
                    "cpu",
                    TagPredicate.eq("host", "a"),
                    1_000,
                    61_000,
                    0,
                    List.of("host"),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT),
                    List.of(),
                    existOnly);
            LeafQueryRequest wire = LeafQueryCodec.encode(q).build();
            assertThat(wire.getRowsExistOnly()).isEqualTo(existOnly);
            LeafQuery back = LeafQueryCodec.decode(wire);
            assertThat(back.rowsExistOnly()).isEqualTo(existOnly);
            assertThat(back.fields()).isEqualTo(q.fields());
            assertThat(back.aggregates()).isEqualTo(q.aggregates());
            assertThat(back.selectorTimes()).isFalse();
        }
        LeafQuery selectors = new LeafQuery(
                "cpu",
                TagPredicate.all(),
                1_000,
                61_000,
                0,
                List.of(),
                List.of("usage"),
                Set.of(Aggregate.MAX),
                List.of(),
                false,
                true);
        LeafQueryRequest wire = LeafQueryCodec.encode(selectors).build();
        assertThat(wire.getSelectorTimes()).isTrue();
        assertThat(LeafQueryCodec.decode(wire).selectorTimes()).isTrue();
    }

    @Test
    void filtersThatAreTooDeepOrBadAreRejectedWithTheirPath() {
        TagFilter f = TagFilter.newBuilder()
                .setMatchAll(TagFilter.MatchAll.getDefaultInstance())
                .build();
        for (int i = 0; i < StorageRpc.MAX_FILTER_DEPTH; i++) {
            f = TagFilter.newBuilder()
                    .setNegation(TagFilter.Negation.newBuilder().setInner(f))
                    .build();
        }
        TagFilter deep = f;
        assertThatThrownBy(() -> TagFilterCodec.decode(deep)).hasMessageContaining("too deep");
        TagFilter badRegex = TagFilter.newBuilder()
                .setDisjunction(TagFilter.Disjunction.newBuilder()
                        .addParts(TagFilter.newBuilder()
                                .setRegex(TagFilter.Regex.newBuilder()
                                        .setKey("host")
                                        .setPattern("("))))
                .build();
        assertThatThrownBy(() -> TagFilterCodec.decode(badRegex))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("path=filter.disjunction.parts[0].regex.pattern");
        TagFilter badKey = TagFilter.newBuilder()
                .setEq(TagFilter.Eq.newBuilder().setKey("").setValue("a"))
                .build();
        assertThatThrownBy(() -> TagFilterCodec.decode(badKey)).hasMessageContaining("path=filter.eq.key");
    }

    @Test
    void aggStatesRoundTripWithTheirHistogram() {
        AggState h = AggState.empty()
                .observe(10, 0)
                .observe(11, 2.5)
                .observe(12, 1e6)
                .observe(9, 2.5);
        assertThat(AggStateCodec.decode(AggStateCodec.encode(h), "test")).isEqualTo(h);
        AggState plain = AggState.of(5, -3).add(7, Double.MAX_VALUE);
        assertThat(AggStateCodec.decode(AggStateCodec.encode(plain), "test")).isEqualTo(plain);
        assertThat(AggStateCodec.decode(AggStateCodec.encode(AggState.empty()), "test")
                        .isEmpty())
                .isTrue();
        AggState selected =
                AggState.of(100, 4).add(110, 1).add(120, 9).add(130, 2).add(140, 9);
        AggState decoded = AggStateCodec.decode(AggStateCodec.encode(selected), "test");
        assertThat(List.of(decoded.minTs(), decoded.maxTs()))
                .as("the selector times travel (revision 9); the earliest of two equal maxima")
                .containsExactly(110L, 120L);
        PartialAgg revision8 = AggStateCodec.encode(selected).toBuilder()
                .clearMinTs()
                .clearMaxTs()
                .build();
        assertThat(revision8).isEqualTo(AggStateCodec.encodeStored(selected));
        AggState derived = AggStateCodec.decode(revision8, "test");
        assertThat(List.of(derived.minTs(), derived.maxTs()))
                .as(
                        "a revision-8 cell: the minimum at neither end takes the first point's time, the maximum the last's")
                .containsExactly(100L, 140L);
        assertThat(derived).isEqualTo(decoded);
        PartialAgg bad = AggStateCodec.encode(h).toBuilder()
                .setHistogram(HistogramBuckets.newBuilder()
                        .addIndexes(5)
                        .addIndexes(5)
                        .addCounts(1)
                        .addCounts(1))
                .build();
        assertThatThrownBy(() -> AggStateCodec.decode(bad, "bucket=2")).hasMessageContaining("[bucket=2, position=1]");
    }

    @Test
    void timestampDeltasRoundTripAnyOrderAndExtremes() {
        long[] ts = {1_767_225_600_000L, 1_767_225_610_000L, 1_767_225_590_000L, Long.MAX_VALUE, Long.MIN_VALUE, 0};
        List<Long> deltas = Arrays.stream(TimestampDeltas.encode(ts)).boxed().toList();
        assertThat(TimestampDeltas.decode(deltas)).containsExactly(ts);
        SeriesRows packed =
                SeriesRows.newBuilder().addAllTimestampDeltas(deltas).build();
        assertThat(TimestampDeltas.decode(packed.getTimestampDeltasList()))
                .as("a message's packed list, read without boxing")
                .containsExactly(ts);
    }

    @Test
    void enumsMapBothWaysAndRejectUnknownValues() {
        for (FieldType t : FieldType.values()) {
            assertThat(WireEnums.fromWire(WireEnums.toWire(t), "test")).isEqualTo(t);
        }
        for (Aggregate a : Aggregate.values()) {
            assertThat(WireEnums.fromWire(WireEnums.toWire(a), "test")).isEqualTo(a);
        }
        assertThatThrownBy(
                        () -> WireEnums.fromWire(io.meridian.common.rpc.storage.v1.Aggregate.UNRECOGNIZED, "field=x"))
                .hasMessageContaining("[field=x]");
        assertThatThrownBy(() -> WireEnums.fromWire(
                        io.meridian.common.rpc.storage.v1.FieldType.FIELD_TYPE_UNSPECIFIED, "field=type"))
                .hasMessageContaining("[field=type]");
    }

    @Test
    void everyErrorCodeSurvivesTheTripThroughAStatus() {
        for (ErrorCode code : ErrorCode.values()) {
            MeridianException sent = new RemoteCallException(code, "X", "boom [shard=1]", null);
            StatusRuntimeException status = RpcErrors.toStatus(sent, "cannot write [database=db, shard=1]");
            assertThat(status.getStatus().getCode()).isEqualTo(RpcErrors.statusCode(code));
            MeridianException received = RpcErrors.fromStatus(status);
            assertThat(received.code()).as("code %s", code).isEqualTo(code);
            assertThat(received.getMessage()).isEqualTo("cannot write [database=db, shard=1]: boom [shard=1]");
            assertThat(received.isRetriable())
                    .as("retriable %s", code)
                    .isEqualTo(code.code() >= 20 && code.code() < 40);
        }
        StatusRuntimeException unexpected = RpcErrors.toStatus(new IllegalStateException("oops"), "cannot query");
        assertThat(RpcErrors.fromStatus(unexpected).code()).isEqualTo(ErrorCode.BUG);
        assertThat(RpcErrors.fromStatus(Status.UNAVAILABLE.asRuntimeException()).isRetriable())
                .isTrue();
    }
}
