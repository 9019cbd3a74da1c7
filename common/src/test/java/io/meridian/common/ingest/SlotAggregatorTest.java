package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The fold is exact: whatever the arrival order and wherever the stream is cut by drains, merging what the drains
 * emitted (partials and single points) per (series, field, slot) gives exactly the fold of the raw points.
 */
class SlotAggregatorTest {
    private static final long BASE = 10_000;
    private static final long T0 = 1_767_225_600_000L;
    private static final SlotAggregator.FieldTypes TYPES =
            (metric, field) -> field.equals("lat") ? FieldType.HISTOGRAM : FieldType.GAUGE;

    record Point(SeriesKey key, String field, long ts, double value) {}

    /** One point as a SeriesRows of its series. */
    static SeriesRows rows(Point p) {
        SeriesRowsBuilder b = new SeriesRowsBuilder(p.key(), List.of(p.field()));
        b.row(p.ts());
        b.value(p.value());
        return b.build();
    }

    static void merge(Map<List<Object>, AggState> into, SlotAggregator.Drained d) {
        for (SeriesPartials s : d.partials().getPartialsList()) {
            SeriesKey key = SeriesPartialsCodec.key(s);
            long[] starts = SeriesPartialsCodec.slotStarts(s);
            AggState[] cells = SeriesPartialsCodec.cells(s);
            for (int k = 0; k < cells.length; k++) {
                if (cells[k] != null && !cells[k].isEmpty()) {
                    String field = s.getFields(k % s.getFieldsCount());
                    into.computeIfAbsent(List.of(key, field, starts[k / s.getFieldsCount()]), x -> AggState.empty())
                            .merge(cells[k]);
                }
            }
        }
        for (SeriesRows r : d.rows().getSeriesList()) {
            SeriesKey key = SeriesKey.of(
                    r.getMetric(), r.getTagsList().stream().collect(Collectors.toMap(Tag::getKey, Tag::getValue)));
            long[] ts = TimestampDeltas.decode(r.getTimestampDeltasList());
            for (int i = 0; i < ts.length; i++) {
                String field = r.getFields(0);
                AggState one = field.equals("lat")
                        ? AggState.empty().observe(ts[i], r.getValues(i))
                        : AggState.of(ts[i], r.getValues(i));
                into.computeIfAbsent(List.of(key, field, Math.floorDiv(ts[i], BASE) * BASE), x -> AggState.empty())
                        .merge(one);
            }
        }
    }

    @Property(tries = 50)
    void drainsMergeToTheFoldOfTheRawPoints(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 400) int n,
            @ForAll @IntRange(min = 0, max = 5) int cuts) {
        Random r = new Random(seed);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            points.add(new Point(
                    SeriesKey.of("http", "host", "h" + r.nextInt(3)),
                    r.nextBoolean() ? "lat" : "ms",
                    T0 + r.nextInt(60_000),
                    r.nextInt(1000) / 4.0));
        }
        Map<List<Object>, AggState> want = new HashMap<>();
        for (Point p : points) {
            AggState s = want.computeIfAbsent(
                    List.of(p.key(), p.field(), Math.floorDiv(p.ts(), BASE) * BASE), x -> AggState.empty());
            if (p.field().equals("lat")) {
                s.observe(p.ts(), p.value());
            } else {
                s.add(p.ts(), p.value());
            }
        }
        List<Point> shuffled = new ArrayList<>(points);
        Collections.shuffle(shuffled, r);
        SlotAggregator agg = new SlotAggregator(BASE);
        Map<List<Object>, AggState> got = new HashMap<>();
        long emitted = 0;
        for (int i = 0; i < shuffled.size(); i++) {
            agg.add(rows(shuffled.get(i)), TYPES);
            if (cuts > 0 && r.nextInt(Math.max(1, n / cuts)) == 0) {
                SlotAggregator.Drained d = agg.drain();
                emitted += d.rowPoints() + d.partialPoints();
                merge(got, d);
            }
        }
        SlotAggregator.Drained last = agg.drain();
        emitted += last.rowPoints() + last.partialPoints();
        merge(got, last);
        assertThat(emitted).isEqualTo(n);
        assertThat(got).isEqualTo(want);
        assertThat(agg.isEmpty()).isTrue();
    }

    @Test
    void denseSlotsBecomeOneCellAndLonePointsStayPoints() {
        SlotAggregator agg = new SlotAggregator(BASE);
        SeriesKey a = SeriesKey.of("http", "host", "a");
        for (int i = 0; i < 100; i++) { // 100 points in slot 0: one cell
            agg.add(rows(new Point(a, "ms", T0 + i * 10, i)), TYPES);
        }
        agg.add(rows(new Point(a, "ms", T0 + BASE + 5, 7)), TYPES); // alone in slot 1: a point
        assertThat(agg.cells()).isEqualTo(2);
        assertThat(agg.points()).isEqualTo(101);
        SlotAggregator.Drained d = agg.drain();
        assertThat(d.cells()).isEqualTo(1);
        assertThat(d.partialPoints()).isEqualTo(100);
        assertThat(d.rowPoints()).isEqualTo(1);
        PointBatch partials = d.partials();
        assertThat(PartialRules.check(partials, BASE).cells()).isEqualTo(1);
        assertThat(SeriesPartialsCodec.cells(partials.getPartials(0))[0].sum()).isEqualTo(99 * 100 / 2.0);
        BatchRules.Limits window = BatchRules.Limits.window(T0 + BASE * 2, Duration.ofDays(1), Duration.ofMinutes(10));
        assertThat(BatchRules.check(d.rows(), window)).isEqualTo(1);
    }

    /**
     * A point of {@code m,a=1,b=2} spelled one of three ways: its tags in key order, in the other order, or its
     * canonical key (storage.proto revision 10, how the broker's remote write sends it).
     */
    private static SeriesRows spelled(int how, long ts, double v) {
        Tag a = Tag.newBuilder().setKey("a").setValue("1").build();
        Tag b = Tag.newBuilder().setKey("b").setValue("2").build();
        SeriesRows.Builder rows = how == 2
                ? SeriesRows.newBuilder().setKey(ByteString.copyFromUtf8("m\0a\0001\0b\0002"))
                : SeriesRows.newBuilder()
                        .setMetric("m")
                        .addTags(how == 0 ? a : b)
                        .addTags(how == 0 ? b : a);
        return rows.addFields("v").addTimestampDeltas(ts).addValues(v).build();
    }

    @Test
    void aSeriesSpelledTwoWaysAndForgottenWhileIdleStillAddsUpExactly() {
        SlotAggregator agg = new SlotAggregator(BASE);
        Map<List<Object>, AggState> got = new HashMap<>();
        AggState want = AggState.empty();
        for (int round = 0; round < 4; round++) {
            if (round != 2) { // round 2: the series is idle for a whole drain period, and forgotten
                for (int i = 0; i < 10; i++) {
                    long ts = T0 + round * BASE + i * 100;
                    agg.add(spelled(i % 3, ts, round * 10 + i), TYPES);
                    want.add(ts, round * 10 + i);
                }
            }
            merge(got, agg.drain());
        }
        AggState total = AggState.empty();
        got.values().forEach(total::merge);
        assertThat(total).isEqualTo(want);
        assertThat(got).as("one cell per slot, whatever the spelling").hasSize(3);
    }

    @Test
    void aFieldsTypeIsLookedUpAgainAfterADrain() {
        SlotAggregator agg = new SlotAggregator(BASE);
        FieldType[] declared = {FieldType.GAUGE};
        SlotAggregator.FieldTypes types = (metric, field) -> declared[0];
        SeriesKey key = SeriesKey.of("m", "host", "a");
        agg.add(rows(new Point(key, "v", T0, 1)), types);
        agg.add(rows(new Point(key, "v", T0 + 1, 2)), types);
        assertThat(agg.drain().partials().getPartials(0).getTypes(0))
                .isEqualTo(io.meridian.common.rpc.storage.v1.FieldType.FIELD_TYPE_GAUGE);
        declared[0] = FieldType.HISTOGRAM; // declared in the meantime
        agg.add(rows(new Point(key, "v", T0 + BASE, 1)), types);
        agg.add(rows(new Point(key, "v", T0 + BASE + 1, 2)), types);
        SeriesPartials after = agg.drain().partials().getPartials(0);
        assertThat(after.getTypes(0)).isEqualTo(io.meridian.common.rpc.storage.v1.FieldType.FIELD_TYPE_HISTOGRAM);
        assertThat(SeriesPartialsCodec.cells(after)[0].histogram()).isNotNull();
    }
}
