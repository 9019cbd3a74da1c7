package io.meridian.bench.jmh;

import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.ingest.SlotAggregator;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Whether the broker should fold an HTTP body's dense series into partial aggregates before producing it to Kafka
 * (issue 18), in CPU per point on each side of the topic. One body of 1,000 lines x 10 fields (10,000 points) for a
 * 4-shard database with a 10 s base interval: {@code density=10} is 100 hosts x 10 rows 1 s apart (ten points per
 * series, field and slot), {@code density=100} 10 hosts x 100 rows 100 ms apart, {@code density=1} 1,000 hosts x 1
 * row (TSBS: nothing folds). The score is points per second.
 *
 * <ul>
 *   <li>{@code brokerBatch}: what the broker does today: parse and cut the body per shard, serialize the {@code pb1}
 *       payloads.
 *   <li>{@code brokerBatchAndFold}: the same, then fold each shard's batch ({@link SlotAggregator}) and serialize the
 *       rows and the partials ({@code pa1}).
 *   <li>{@code jobFoldPoints}: the job's pre-aggregation of the {@code pb1} payloads: parse, fold, serialize.
 *   <li>{@code jobCheckPartials}: the job's work for the folded payloads: parse and check the partials
 *       ({@link PartialRules}), parse the unfolded rows.
 * </ul>
 *
 * Folding at the broker pays iff {@code brokerBatchAndFold - brokerBatch < jobFoldPoints - jobCheckPartials} per point
 * (plus the Kafka bytes it saves; the setup prints both payload sizes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BodyFoldBenchmark {
    static final int LINES = 1_000;
    static final int FIELDS = 10;
    static final int POINTS = LINES * FIELDS;
    static final int SHARDS = 4;
    static final long BASE_MS = 10_000;
    static final SlotAggregator.FieldTypes GAUGES = (m, f) -> FieldType.GAUGE;

    @Param({"100", "10", "1"})
    public int density;

    private byte[] body;
    private final LineBatcher batcher = new LineBatcher();
    private List<byte[]> pointPayloads;
    private List<byte[]> foldedPayloads;

    @Setup
    public void setup() throws Exception {
        int hosts = LINES / density;
        long t0 = 1_767_225_600_000L; // 2026-01-01, a slot boundary
        StringBuilder sb = new StringBuilder(LINES * 200);
        for (int row = 0; row < density; row++) {
            for (int h = 0; h < hosts; h++) {
                sb.append("cpu,hostname=host_")
                        .append(h)
                        .append(",region=eu-west-1,rack=")
                        .append(h % 40);
                for (int f = 0; f < FIELDS; f++) {
                    sb.append(f == 0 ? ' ' : ',')
                            .append("usage_")
                            .append(f)
                            .append('=')
                            .append((h * 31 + row * 7 + f * 13) % 100);
                }
                sb.append(' ').append(t0 + row * (BASE_MS / density)).append('\n');
            }
        }
        body = sb.toString().getBytes(StandardCharsets.UTF_8);
        pointPayloads = new ArrayList<>();
        foldedPayloads = new ArrayList<>();
        long pointBytes = 0;
        long foldedBytes = 0;
        for (PointBatch b : batch().batches().values()) {
            byte[] p = b.toByteArray();
            pointPayloads.add(p);
            pointBytes += p.length;
            for (byte[] f : fold(b)) {
                foldedPayloads.add(f);
                foldedBytes += f.length;
            }
        }
        System.out.printf(
                "%ndensity %d: body %d bytes, pb1 payloads %d bytes, folded payloads %d bytes (%.1f%%)%n",
                density, body.length, pointBytes, foldedBytes, 100.0 * foldedBytes / pointBytes);
    }

    private ShardBatches batch() {
        return batcher.batch("bench", SHARDS, body, 0, body.length, Precision.MILLISECONDS, 0);
    }

    /** The rows that did not fold and the partials, serialized; either may be absent. */
    private static List<byte[]> fold(PointBatch b) {
        SlotAggregator agg = new SlotAggregator(BASE_MS);
        agg.add(b, GAUGES);
        SlotAggregator.Drained d = agg.drain();
        List<byte[]> out = new ArrayList<>(2);
        if (d.rowPoints() > 0) {
            out.add(d.rows().toByteArray());
        }
        if (d.cells() > 0) {
            out.add(d.partials().toByteArray());
        }
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void brokerBatch(Blackhole bh) {
        for (PointBatch b : batch().batches().values()) {
            bh.consume(b.toByteArray());
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void brokerBatchAndFold(Blackhole bh) {
        for (PointBatch b : batch().batches().values()) {
            bh.consume(fold(b));
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void jobFoldPoints(Blackhole bh) throws Exception {
        for (byte[] p : pointPayloads) {
            bh.consume(fold(PointBatch.parseFrom(p)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void jobCheckPartials(Blackhole bh) throws Exception {
        for (byte[] p : foldedPayloads) {
            PointBatch b = PointBatch.parseFrom(p);
            bh.consume(PartialRules.carriesPartials(b) ? PartialRules.check(b, BASE_MS) : b);
        }
    }
}
