package io.meridian.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.bench.engine.QueryShapes;
import io.meridian.broker.query.NativeQueryCodec;
import io.meridian.common.model.Aggregate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.LeafQueryCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The broker path and the leaf path of the benchmark must ask the leaves the same query. */
class NativeQueryJsonTest {
    private static final long START_MS = 1_795_478_400_000L;
    private static final long END_MS = START_MS + 24 * QueryShapes.HOUR;

    @Test
    void theBrokerPlansTheSameLeafQueryForEveryShape() {
        Random r = new Random(1);
        check(QueryShapes.singleGroupby111(r, 100, START_MS, END_MS), "max");
        check(QueryShapes.cpuMaxAll1(r, 100, START_MS, END_MS), "max");
        check(QueryShapes.doubleGroupby1(r, START_MS, END_MS), "avg");
        check(QueryShapes.lastpoint(START_MS, END_MS), "last");
    }

    @Test
    void durationsUseTheLargestWholeUnit() {
        assertThat(List.of(
                        NativeQueryJson.duration(3_600_000),
                        NativeQueryJson.duration(60_000),
                        NativeQueryJson.duration(10_000),
                        NativeQueryJson.duration(1_500)))
                .containsExactly("1h", "1m", "10s", "1500ms");
    }

    private static void check(LeafQuery shape, String fn) {
        LeafQuery q = new LeafQuery(
                shape.metric(),
                shape.predicate(),
                shape.startMs(),
                shape.endMs(),
                shape.bucketMs(),
                shape.groupBy(),
                shape.fields(),
                Set.of(Aggregate.parse(fn)));
        String json = NativeQueryJson.of("bench", q, fn);
        var spec = new NativeQueryCodec(Duration.ofSeconds(10), 100_000).parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(spec.leafRequest())
                .as(json)
                .isEqualTo(LeafQueryCodec.encode(q).build());
    }
}
