package io.meridian.broker.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.model.AggState;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartialTableTest {
    private static final LeafQueryRequest LEAF = LeafQueryRequest.newBuilder().setMetric("cpu").setStartMs(0).setEndMs(600_000)
            .setBucketMs(60_000).addGroupBy("host").addFields("a").addFields("b").build();

    /** A random leaf answer: groups h0..h9 (some), cells with random points. */
    private static PartialTable randomTable(Random r) {
        PartialTable t = PartialTable.of(LEAF, 100);
        LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder().setHeader(t.header());
        for (int h = 0; h < 10; h++) {
            if (r.nextBoolean()) {
                continue;
            }
            ResultGroup.Builder g = ResultGroup.newBuilder().addGroupValues("h" + h);
            for (int b = 0; b < 10; b++) {
                for (int f = 0; f < 2; f++) {
                    if (r.nextInt(3) == 0) {
                        AggState s = AggState.empty();
                        for (int i = 0; i < 1 + r.nextInt(3); i++) {
                            s.add(b * 60_000L + r.nextInt(60_000), r.nextInt(100));
                        }
                        g.addCells(ResultCell.newBuilder().setBucket(b).setField(f).setState(AggStateCodec.encode(s)));
                    }
                }
            }
            chunk.addGroups(g);
        }
        t.add(chunk.build(), "test");
        return t;
    }

    private static List<String> dump(PartialTable t) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<List<String>, AggState[]> e : t.groups()) {
            out.add(e.getKey() + "=" + java.util.Arrays.toString(e.getValue()));
        }
        return out;
    }

    @Test
    void mergeIsAssociativeAndCommutative() {
        Random r = new Random(7);
        for (int round = 0; round < 50; round++) {
            PartialTable a = randomTable(r);
            PartialTable b = randomTable(r);
            PartialTable c = randomTable(r);
            PartialTable left = a.emptyCopy();
            left.merge(a);
            left.merge(b);
            left.merge(c);
            PartialTable right = c.emptyCopy();
            right.merge(c);
            right.merge(b);
            right.merge(a);
            assertThat(dump(left)).isEqualTo(dump(right));
            assertThat(dump(a)).as("inputs are not changed by merging").isEqualTo(dump(a));
        }
    }

    @Test
    void chunksRoundTripInAnySize() {
        PartialTable t = randomTable(new Random(3));
        for (int cells : new int[] {1, 3, 4096}) {
            PartialTable copy = t.emptyCopy();
            Iterator<LeafResultChunk> it = t.chunks(cells);
            LeafResultChunk first = it.next();
            assertThat(first.hasHeader()).isTrue();
            copy.add(first, "first");
            it.forEachRemaining(ch -> {
                assertThat(ch.hasHeader()).isFalse();
                copy.add(ch, "next");
            });
            assertThat(dump(copy)).isEqualTo(dump(t));
        }
        assertThat(PartialTable.of(LEAF, 1).chunks(10)).as("an empty table is one header chunk").toIterable().hasSize(1);
    }

    @Test
    void theGroupBoundIsAnErrorNotACut() {
        PartialTable t = PartialTable.of(LEAF, 2);
        LeafResultChunk.Builder c = LeafResultChunk.newBuilder();
        for (String h : List.of("a", "b", "c")) {
            c.addGroups(ResultGroup.newBuilder().addGroupValues(h));
        }
        assertThatThrownBy(() -> t.add(c.build(), "shard=db/c1/0")).isInstanceOfSatisfying(MeridianException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains("maxGroups=2", "groupBy=[host]");
        });
    }

    @Test
    void malformedPartialsNameTheSender() {
        PartialTable t = PartialTable.of(LEAF, 10);
        LeafResultChunk outside = LeafResultChunk.newBuilder().addGroups(ResultGroup.newBuilder().addGroupValues("h")
                .addCells(ResultCell.newBuilder().setBucket(10).setField(0))).build();
        assertThatThrownBy(() -> t.add(outside, "shard=db/c1/3, node=s2")).hasMessageContaining("shard=db/c1/3, node=s2")
                .hasMessageContaining("bucket 10");
        LeafResultChunk otherShape = LeafResultChunk.newBuilder().setHeader(t.header().toBuilder().setBucketMs(1)).build();
        assertThatThrownBy(() -> t.add(otherShape, "node=s1")).hasMessageContaining("another shape");
        LeafResultChunk arity = LeafResultChunk.newBuilder().addGroups(ResultGroup.newBuilder()).build();
        assertThatThrownBy(() -> t.add(arity, "node=s1")).hasMessageContaining("0 values; want 1");
    }
}
