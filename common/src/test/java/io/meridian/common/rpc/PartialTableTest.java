package io.meridian.common.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.model.AggState;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.LeafResultHeader;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import io.meridian.common.rpc.storage.v1.SlotTransform;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The partial-aggregate table and its codec: merging by time, streams of any chunk size, bounds, malformed input. */
class PartialTableTest {
    private static final LeafQueryRequest LEAF = LeafQueryRequest.newBuilder()
            .setMetric("cpu")
            .setStartMs(0)
            .setEndMs(600_000)
            .setBucketMs(60_000)
            .addGroupBy("host")
            .addFields("a")
            .addFields("b")
            .build();

    /**
     * A random leaf answer: a window of some of the request's 10 buckets (none, sometimes), groups h0..h9 (some),
     * cells with random points.
     */
    private static PartialTable randomTable(Random r) {
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(LEAF, 100);
        int first = r.nextInt(10);
        int buckets = r.nextInt(11 - first);
        LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder()
                .setHeader(header(t.table()).toBuilder()
                        .setStartMs(first * 60_000L)
                        .setBuckets(buckets));
        for (int h = 0; h < 10; h++) {
            if (r.nextBoolean()) {
                continue;
            }
            ResultGroup.Builder g = ResultGroup.newBuilder().addGroupValues("h" + h);
            for (int b = 0; b < buckets; b++) {
                for (int f = 0; f < 2; f++) {
                    if (r.nextInt(3) == 0) {
                        AggState s = AggState.empty();
                        for (int i = 0; i < 1 + r.nextInt(3); i++) {
                            s.add((first + b) * 60_000L + r.nextInt(60_000), r.nextInt(100));
                        }
                        g.addCells(
                                ResultCell.newBuilder().setBucket(b).setField(f).setState(AggStateCodec.encode(s)));
                    }
                }
            }
            chunk.addGroups(g);
        }
        t.add(chunk.build(), "test");
        return t.table();
    }

    private static LeafResultHeader header(PartialTable t) {
        return PartialTableCodec.header(t, List.of());
    }

    /** A reader into an empty copy of {@code t}. */
    private static PartialTableCodec.Reader readerLike(PartialTable t) {
        return new PartialTableCodec.Reader(t.emptyCopy(), List.of());
    }

    /** Non-empty cells as {@code group@bucketStart/field=state}: by time, whatever the window. */
    private static List<String> dump(PartialTable t) {
        List<String> out = new ArrayList<>();
        LeafResultHeader h = header(t);
        for (Map.Entry<List<String>, AggState[]> e : t.sortedGroups()) {
            out.add(e.getKey().toString());
            AggState[] cells = e.getValue();
            for (int i = 0; i < cells.length; i++) {
                if (cells[i] != null) {
                    int fields = h.getFieldsCount();
                    out.add(e.getKey() + "@" + (h.getStartMs() + i / fields * h.getBucketMs()) + "/" + i % fields + "="
                            + cells[i]);
                }
            }
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
    void mergingByAdoptionGivesWhatCopyingGives() {
        for (int round = 0; round < 50; round++) {
            Random copies = new Random(round);
            Random adopted = new Random(round);
            PartialTable byCopy = PartialTableCodec.emptyFor(LEAF, 100);
            PartialTable byAdoption = PartialTableCodec.emptyFor(LEAF, 100);
            List<PartialTable> inputs = new ArrayList<>();
            List<List<String>> before = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                PartialTable input = randomTable(copies);
                inputs.add(input);
                before.add(dump(input));
                byCopy.merge(input);
                byAdoption.mergeAdopting(randomTable(adopted));
            }
            assertThat(dump(byAdoption)).isEqualTo(dump(byCopy));
            assertThat(inputs.stream().map(PartialTableTest::dump).toList())
                    .as("a copying merge leaves its inputs alone")
                    .isEqualTo(before);
        }
    }

    @Test
    void chunksRoundTripInAnySize() {
        PartialTable t = randomTable(new Random(3));
        for (int cells : new int[] {1, 3, 4096}) {
            PartialTableCodec.Reader copy = readerLike(t);
            Iterator<LeafResultChunk> it = PartialTableCodec.chunks(t, cells);
            LeafResultChunk first = it.next();
            assertThat(first.hasHeader()).isTrue();
            copy.add(first, "first");
            it.forEachRemaining(ch -> {
                assertThat(ch.hasHeader()).isFalse();
                copy.add(ch, "next");
            });
            assertThat(dump(copy.table())).isEqualTo(dump(t));
        }
        assertThat(PartialTableCodec.chunks(PartialTableCodec.emptyFor(LEAF, 1), 10))
                .as("an empty table is one header chunk")
                .toIterable()
                .hasSize(1);
    }

    /**
     * A leaf's group limit cut as a table (a caller in the same JVM) keeps what the stream keeps: the first groups in
     * group order that have a cell, over the same window.
     */
    @Test
    void aGroupLimitCutsTheTableAsTheStreamDoes() {
        Random r = new Random(11);
        for (int round = 0; round < 20; round++) {
            PartialTable t = randomTable(r);
            // an empty group sorts first: the limit passes it over
            t.row(List.of("a-group-without-cells"));
            for (int limit : new int[] {1, 3, 100}) {
                PartialTableCodec.Reader streamed = readerLike(t);
                PartialTableCodec.chunks(t, 5, limit, List.of()).forEachRemaining(ch -> streamed.add(ch, "stream"));
                PartialTable cut = readerLike(t).table().merge(t).limitedTo(limit);
                assertThat(dump(cut)).as("round %d, limit %d", round, limit).isEqualTo(dump(streamed.table()));
                assertThat(cut.groupCount()).isLessThanOrEqualTo(limit);
                assertThat(cut.cells()).doesNotContainKey(List.of("a-group-without-cells"));
            }
            assertThat(t.limitedTo(0)).as("no limit").isSameAs(t);
        }
    }

    @Test
    void theGroupBoundIsAnErrorNotACut() {
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(LEAF, 2);
        LeafResultChunk.Builder c = LeafResultChunk.newBuilder();
        for (String h : List.of("a", "b", "c")) {
            c.addGroups(ResultGroup.newBuilder().addGroupValues(h));
        }
        assertThatThrownBy(() -> t.add(c.build(), "shard=db/c1/0"))
                .isInstanceOfSatisfying(MeridianException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                    assertThat(e.getMessage()).contains("maxGroups=2", "groupBy=[host]");
                });
    }

    @Test
    void malformedPartialsNameTheSender() {
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(LEAF, 10);
        LeafResultChunk outside = LeafResultChunk.newBuilder()
                .addGroups(ResultGroup.newBuilder()
                        .addGroupValues("h")
                        .addCells(ResultCell.newBuilder().setBucket(10).setField(0)))
                .build();
        assertThatThrownBy(() -> t.add(outside, "shard=db/c1/3, node=s2"))
                .hasMessageContaining("shard=db/c1/3, node=s2")
                .hasMessageContaining("bucket 10");
        LeafResultChunk otherShape = LeafResultChunk.newBuilder()
                .setHeader(header(t.table()).toBuilder().setBucketMs(1))
                .build();
        assertThatThrownBy(() -> t.add(otherShape, "node=s1")).hasMessageContaining("another shape");
        LeafResultChunk arity =
                LeafResultChunk.newBuilder().addGroups(ResultGroup.newBuilder()).build();
        assertThatThrownBy(() -> t.add(arity, "node=s1")).hasMessageContaining("0 values; want 1");
    }

    /**
     * A leaf older than storage.proto revision 5 ignores the request's transforms (an unknown field to it) and would
     * answer untransformed states; its header does not echo them, so the answer is refused, naming the node.
     */
    @Test
    void anAnswerWithoutTheRequestedTransformsIsRefused() {
        LeafQueryRequest moments = LEAF.toBuilder()
                .addTransforms(SlotTransform.SLOT_TRANSFORM_MOMENTS)
                .addTransforms(SlotTransform.SLOT_TRANSFORM_NONE)
                .build();
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(moments, 10);
        LeafResultHeader echoing = PartialTableCodec.header(t.table(), moments.getTransformsList());
        LeafResultChunk old = LeafResultChunk.newBuilder()
                .setHeader(echoing.toBuilder().clearTransforms())
                .build();
        assertThatThrownBy(() -> t.add(old, "shard=db/c1/0, node=s3"))
                .hasMessageContaining("shard=db/c1/0, node=s3")
                .hasMessageContaining("older than storage.proto revision 5");
        t.add(LeafResultChunk.newBuilder().setHeader(echoing).build(), "node=s1"); // a revision-5 leaf echoes them
        assertThat(echoing.getTransformsList()).hasSize(2);
    }

    /** The scan form of a query without a time range: 10 years back from an aligned now, one bucket per 10 s slot. */
    private static final long SLOT = 10_000;

    private static final long NOW = 1_767_312_000_000L;
    private static final LeafQueryRequest WHOLE_RETENTION = LeafQueryRequest.newBuilder()
            .setMetric("cpu")
            .setStartMs(NOW - 3650 * 86_400_000L)
            .setEndMs(NOW + SLOT)
            .setBucketMs(SLOT)
            .addGroupBy("host")
            .addFields("a")
            .build();

    /** A shard's stream: the header with its window in the first chunk, then one chunk per cell. */
    private static List<LeafResultChunk> stream(long startMs, int buckets, String host, Map<Integer, Double> cells) {
        List<LeafResultChunk> chunks = new ArrayList<>();
        chunks.add(LeafResultChunk.newBuilder()
                .setHeader(LeafResultHeader.newBuilder()
                        .addGroupBy("host")
                        .addFields("a")
                        .setStartMs(startMs)
                        .setBucketMs(SLOT)
                        .setBuckets(buckets))
                .build());
        cells.forEach((b, v) -> {
            AggState s = AggState.empty();
            s.add(startMs + b * SLOT, v);
            chunks.add(LeafResultChunk.newBuilder()
                    .addGroups(ResultGroup.newBuilder()
                            .addGroupValues(host)
                            .addCells(ResultCell.newBuilder()
                                    .setBucket(b)
                                    .setField(0)
                                    .setState(AggStateCodec.encode(s))))
                    .build());
        });
        return chunks;
    }

    private static PartialTable read(LeafQueryRequest leaf, List<LeafResultChunk> chunks) {
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(leaf, 10);
        chunks.forEach(c -> t.add(c, "shard=db/c1/0, node=s1"));
        return t.table();
    }

    /** Non-empty cells by host and absolute bucket start, as sums. */
    private static Map<String, Double> byTime(PartialTable t) {
        Map<String, Double> out = new TreeMap<>();
        LeafResultHeader h = header(t);
        for (Map.Entry<List<String>, AggState[]> e : t.sortedGroups()) {
            for (int b = 0; b < e.getValue().length; b++) {
                if (e.getValue()[b] != null) {
                    out.put(e.getKey().get(0) + "@" + (h.getStartMs() + b * h.getBucketMs()), e.getValue()[b].sum());
                }
            }
        }
        return out;
    }

    @Test
    void shardWindowsMergeIntoTheirUnionAtAbsoluteTimes() {
        long older = NOW - 86_400_000L;
        long newer = NOW - 3_600_000L;
        PartialTable merged = PartialTableCodec.emptyFor(WHOLE_RETENTION, 10);
        assertThat(header(merged).getBuckets())
                .as("nothing merged yet: no bucket")
                .isZero();
        merged.merge(read(WHOLE_RETENTION, stream(newer, 360, "b", Map.of(0, 1.0, 359, 2.0))));
        merged.merge(read(WHOLE_RETENTION, stream(NOW - 3650 * 86_400_000L, 0, "c", Map.of())));
        merged.merge(read(WHOLE_RETENTION, stream(older, 8640, "a", Map.of(0, 4.0, 8639, 8.0))));
        assertThat(header(merged).getStartMs()).isEqualTo(older);
        assertThat(header(merged).getBuckets()).isEqualTo(8640);
        Map<String, Double> want =
                Map.of("a@" + older, 4.0, "a@" + (NOW - SLOT), 8.0, "b@" + newer, 1.0, "b@" + (NOW - SLOT), 2.0);
        assertThat(byTime(merged)).isEqualTo(want);

        PartialTableCodec.Reader sequential = PartialTableCodec.Reader.of(WHOLE_RETENTION, 10);
        List<LeafResultChunk> all = new ArrayList<>(stream(newer, 360, "b", Map.of(0, 1.0, 359, 2.0)));
        all.addAll(stream(older, 8640, "a", Map.of(0, 4.0, 8639, 8.0)));
        all.addAll(stream(NOW, 0, "c", Map.of()));
        all.forEach(c -> sequential.add(c, "idc=idc2"));
        assertThat(byTime(sequential.table()))
                .as("streams one after the other into one table")
                .isEqualTo(want);

        PartialTableCodec.Reader copy = readerLike(merged);
        PartialTableCodec.chunks(merged, 3).forEachRemaining(c -> copy.add(c, "broker=b1"));
        assertThat(header(copy.table())).isEqualTo(header(merged));
        assertThat(byTime(copy.table()))
                .as("the merged window travels in the header")
                .isEqualTo(want);
    }

    @Test
    void aWindowOffTheBucketGridIsABug() {
        assertThatThrownBy(() -> read(WHOLE_RETENTION, stream(NOW - 3_600_000L + 1, 2, "a", Map.of(0, 1.0))))
                .isInstanceOfSatisfying(
                        MeridianException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUG))
                .hasMessageContaining("another bucket grid")
                .hasMessageContaining("shard=db/c1/0, node=s1");
        PartialTableCodec.Reader total = PartialTableCodec.Reader.of(
                WHOLE_RETENTION.toBuilder().setBucketMs(0).build(), 10);
        LeafResultChunk narrowed = LeafResultChunk.newBuilder()
                .setHeader(header(total.table()).toBuilder().setStartMs(NOW))
                .build();
        assertThatThrownBy(() -> total.add(narrowed, "node=s1")).hasMessageContaining("another shape");
    }

    @Test
    void aWindowOverTheBucketBoundIsTooManyBuckets() {
        long wide = PartialTable.MAX_BUCKETS * SLOT;
        PartialTable t = read(WHOLE_RETENTION, stream(NOW - wide, 1, "a", Map.of(0, 1.0)));
        PartialTable newest = read(WHOLE_RETENTION, stream(NOW, 1, "a", Map.of(0, 2.0)));
        assertThatThrownBy(() -> t.merge(newest))
                .isInstanceOfSatisfying(MeridianException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.code().httpStatus()).isEqualTo(400);
                })
                .hasMessageContaining("too many buckets [groupBy=[host]")
                .hasMessageContaining(": 10000001 > 10000000")
                .hasMessageContaining("bound the time range");
        assertThatThrownBy(() -> read(WHOLE_RETENTION, stream(NOW, (int) PartialTable.MAX_BUCKETS + 1, "a", Map.of())))
                .hasMessageContaining("too many buckets")
                .hasMessageContaining("shard=db/c1/0, node=s1");
    }
}
