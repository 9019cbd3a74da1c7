package io.meridian.broker.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows are labelled with the merged window's bucket times, not with the query's range, and come in ORDER BY order. */
class ResultBuilderTest {
    private static final long SLOT = 10_000;
    private static final long NOW = 1_767_312_000_000L;

    @Test
    void aWholeRetentionQueryLabelsRowsFromTheWindowTheShardsAnswered() {
        QuerySpec spec = new QuerySpec(
                "db",
                "cpu",
                TagCondition.all(),
                NOW - 3650 * 86_400_000L,
                NOW + SLOT,
                SLOT,
                List.of("host"),
                List.of(AggCall.of(QueryFunction.COUNT, "usage"), AggCall.of(QueryFunction.SUM, "usage")),
                List.of(),
                0,
                Duration.ofSeconds(10),
                100,
                false);
        PartialTableCodec.Reader reader = PartialTableCodec.Reader.of(spec.leafRequest(), spec.maxGroups());
        PartialTable table = reader.table();
        long start = NOW - 3_600_000L;
        AggState a = AggState.empty();
        a.add(start + 2 * SLOT + 1, 5);
        AggState b = AggState.empty();
        b.add(NOW - 1, 7);
        reader.add(
                LeafResultChunk.newBuilder()
                        .setHeader(PartialTableCodec.header(table, List.of()).toBuilder()
                                .setStartMs(start)
                                .setBuckets(360))
                        .addGroups(ResultGroup.newBuilder()
                                .addGroupValues("h1")
                                .addCells(ResultCell.newBuilder()
                                        .setBucket(2)
                                        .setField(0)
                                        .setState(AggStateCodec.encode(a)))
                                .addCells(ResultCell.newBuilder()
                                        .setBucket(359)
                                        .setField(0)
                                        .setState(AggStateCodec.encode(b))))
                        .build(),
                "shard=db/c1/0");
        QueryResult r = ResultBuilder.build(spec, table, List.of());
        assertThat(r.rows())
                .containsExactly(List.of(start + 2 * SLOT, "h1", 1L, 5.0), List.of(NOW - SLOT, "h1", 1L, 7.0));
    }

    /** Two hosts over three buckets, each host's maximum of usage being its bucket number plus its own number. */
    private static QueryResult ordered(List<OrderKey> orderBy, int limit) {
        QuerySpec spec = new QuerySpec(
                "db",
                "cpu",
                TagCondition.all(),
                NOW,
                NOW + 3 * SLOT,
                SLOT,
                List.of("host"),
                List.of(AggCall.of(QueryFunction.MAX, "usage")),
                orderBy,
                limit,
                Duration.ofSeconds(10),
                100,
                false);
        PartialTableCodec.Reader reader = PartialTableCodec.Reader.of(spec.leafRequest(), spec.maxGroups());
        PartialTable table = reader.table();
        LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder()
                .setHeader(PartialTableCodec.header(table, List.of()).toBuilder()
                        .setStartMs(NOW)
                        .setBuckets(3));
        for (int h = 2; h >= 1; h--) { // the leaves' order is not the answer's
            ResultGroup.Builder g = ResultGroup.newBuilder().addGroupValues("h" + h);
            for (int b = 0; b < 3; b++) {
                AggState st = AggState.empty();
                st.add(NOW + b * SLOT, b + h);
                g.addCells(ResultCell.newBuilder().setBucket(b).setField(0).setState(AggStateCodec.encode(st)));
            }
            chunk.addGroups(g);
        }
        reader.add(chunk.build(), "shard=db/c1/0");
        return ResultBuilder.build(spec, table, List.of());
    }

    @Test
    void rowsComeInTheOrderByOrderWhicheverKeyIsFirst() {
        assertThat(ordered(List.of(new OrderKey("ts", false), new OrderKey("host", false)), 0)
                        .rows())
                .containsExactly(
                        List.of(NOW, "h1", 1.0),
                        List.of(NOW, "h2", 2.0),
                        List.of(NOW + SLOT, "h1", 2.0),
                        List.of(NOW + SLOT, "h2", 3.0),
                        List.of(NOW + 2 * SLOT, "h1", 3.0),
                        List.of(NOW + 2 * SLOT, "h2", 4.0));
        assertThat(ordered(List.of(new OrderKey("ts", false), new OrderKey("host", true)), 3)
                        .rows())
                .containsExactly(List.of(NOW, "h2", 2.0), List.of(NOW, "h1", 1.0), List.of(NOW + SLOT, "h2", 3.0));
        assertThat(ordered(List.of(new OrderKey("host", false), new OrderKey("ts", true)), 0)
                        .rows())
                .containsExactly(
                        List.of(NOW + 2 * SLOT, "h1", 3.0),
                        List.of(NOW + SLOT, "h1", 2.0),
                        List.of(NOW, "h1", 1.0),
                        List.of(NOW + 2 * SLOT, "h2", 4.0),
                        List.of(NOW + SLOT, "h2", 3.0),
                        List.of(NOW, "h2", 2.0));
        assertThat(ordered(List.of(new OrderKey("ts", true)), 2).rows())
                .extracting(r -> r.get(0))
                .containsExactly(NOW + 2 * SLOT, NOW + 2 * SLOT);
        assertThat(ordered(List.of(), 0).rows())
                .as("without ORDER BY: by tag values, then time")
                .extracting(r -> r.get(1) + "@" + r.get(0))
                .containsExactly(
                        "h1@" + NOW,
                        "h1@" + (NOW + SLOT),
                        "h1@" + (NOW + 2 * SLOT),
                        "h2@" + NOW,
                        "h2@" + (NOW + SLOT),
                        "h2@" + (NOW + 2 * SLOT));
    }
}
