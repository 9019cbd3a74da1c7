package io.meridian.bench.jmh;

import io.meridian.bench.prom.RemoteWriteBenchmark;
import io.meridian.common.ingest.RemoteWriteBatcher;
import io.meridian.common.model.CanonicalKeyParts;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.shard.ShardOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xerial.snappy.Snappy;

/**
 * CPU per Prometheus remote-write sample on each side of the broker -> storage node hop (issue 15), in one thread:
 * one scrape of {@value #HOSTS} hosts x {@value #METRICS} node-exporter-like series (five labels each), cut into
 * requests of 2,000 samples as Prometheus sends them, every label set already seen (steady state). The score is
 * samples per second.
 *
 * <ul>
 *   <li>{@code brokerBatch}: {@link RemoteWriteBatcher#batch} of the uncompressed requests: read the protobuf, find
 *       each label set in the cache, build the per-shard batches.
 *   <li>{@code nodeDecodeByKey}: {@link PointBatchCodec#decode} of those batches, parsed from their bytes as gRPC
 *       hands them to the node, against a shard that holds every series: each series carries its canonical key
 *       (storage.proto revision 10).
 *   <li>{@code nodeDecodeByTags}: the same batches with each series' metric and tags instead (revision 9's form,
 *       what line protocol and the Flink sink still send).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RemoteWriteHopBenchmark {
    static final int HOSTS = 1_000;
    static final int METRICS = 10;
    static final int SAMPLES = HOSTS * METRICS;

    private final RemoteWriteBatcher batcher = new RemoteWriteBatcher(4 * SAMPLES);
    private final List<byte[]> requests = new ArrayList<>();
    private final List<PointBatch> byKey = new ArrayList<>();
    private final List<PointBatch> byTags = new ArrayList<>();
    private long oldestMs;
    private long newestMs;
    private Path dir;
    private Shard shard;

    @Setup
    public void setup() throws Exception {
        long now = System.currentTimeMillis();
        oldestMs = now - 3_600_000;
        newestMs = now + 3_600_000;
        for (byte[] body : RemoteWriteBenchmark.bodies(HOSTS, METRICS, 1, 60_000, 2_000, now - 60_000)) {
            requests.add(Snappy.uncompress(body));
        }
        dir = Files.createTempDirectory("meridian-jmh-rw");
        shard = Shard.open(
                dir, ShardOptions.defaults(new DatabaseOptions("prom", 1, List.of(IntervalSpec.parse("10s", "30d")))));
        for (byte[] request : requests) {
            PointBatch batch = batcher.batch("prom", 1, request, 0, request.length, oldestMs, newestMs)
                    .batches()
                    .batches()
                    .get(0);
            shard.write(PointBatchCodec.decode(batch, shard.knownSeries()));
            byKey.add(PointBatch.parseFrom(batch.toByteArray())); // as the node gets it: parsed from the wire
            byTags.add(PointBatch.parseFrom(withTags(batch).toByteArray()));
        }
    }

    /** The batch with each series' metric and tags in place of its key. */
    private static PointBatch withTags(PointBatch batch) {
        PointBatch.Builder out = PointBatch.newBuilder();
        for (SeriesRows s : batch.getSeriesList()) {
            CanonicalKeyParts parts = CanonicalKeyParts.of(s.getKey().toByteArray());
            SeriesRows.Builder b = s.toBuilder().clearKey().setMetric(parts.metric());
            for (int t = 0; t < parts.keys().length; t++) {
                b.addTags(Tag.newBuilder().setKey(parts.keys()[t]).setValue(parts.values()[t]));
            }
            out.addSeries(b);
        }
        return out.build();
    }

    @TearDown
    public void tearDown() throws Exception {
        shard.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void brokerBatch(Blackhole bh) throws Exception {
        for (byte[] request : requests) {
            bh.consume(batcher.batch("prom", 1, request, 0, request.length, oldestMs, newestMs));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void nodeDecodeByKey(Blackhole bh) {
        for (PointBatch batch : byKey) {
            bh.consume(PointBatchCodec.decode(batch, shard.knownSeries()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void nodeDecodeByTags(Blackhole bh) {
        for (PointBatch batch : byTags) {
            bh.consume(PointBatchCodec.decode(batch, shard.knownSeries()));
        }
    }
}
