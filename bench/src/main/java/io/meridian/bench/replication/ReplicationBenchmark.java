package io.meridian.bench.replication;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.FsyncMode;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicationController;
import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.meridian.storage.server.ShardRegistry;
import io.meridian.storage.server.StorageServer;
import io.meridian.storage.server.StorageServerOptions;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Replicated write throughput: {@code nodes} storage servers on 127.0.0.1 in this JVM (each with its own
 * data directory, WAL fsync as configured), one database whose shards have {@code replicas} replicas with
 * leaders spread over the nodes, and one writer per shard sending pre-encoded cpu-only batches over gRPC with a
 * writer id and sequence, as the Flink sink and the broker do. Replication is the real path: followers
 * long-poll the leader's WAL, and a write returns once the write concern acknowledged it.
 */
public final class ReplicationBenchmark {
    /** Parameters. */
    public record Params(
            int replicas,
            WriteConcern concern,
            int hosts,
            int hours,
            int shards,
            int batchRows,
            String fsync,
            Path dir) {}

    /** Points per second and the number of points written. */
    public record Result(int replicas, double pointsPerS, long points, long elapsedMs) {}

    private final Params p;
    private final PrintStream log;

    public ReplicationBenchmark(Params p, PrintStream log) {
        this.p = p;
        this.log = log;
    }

    public Result run() throws Exception {
        DatabaseOptions db = new DatabaseOptions(
                "bench", p.shards(), List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("1m", "90d")));
        ShardOptions shardOptions =
                ShardOptions.defaults(db).withFsync(FsyncMode.valueOf(p.fsync().toUpperCase(Locale.ROOT)));
        int nodes = Math.max(p.replicas(), 1);
        List<Node> cluster = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                cluster.add(new Node("n" + i, p.dir().resolve("n" + i)));
            }
            for (int s = 0; s < p.shards(); s++) {
                List<Node> replicas = new ArrayList<>();
                for (int r = 0; r < p.replicas(); r++) {
                    replicas.add(cluster.get((s + r) % nodes));
                }
                Map<String, String> addresses = new HashMap<>();
                replicas.forEach(n -> addresses.put(n.id, n.address()));
                List<String> ids = replicas.stream().map(n -> n.id).toList();
                ReplicaAssignment a = new ReplicaAssignment(
                        new ShardKey("bench", s),
                        shardOptions,
                        1,
                        replicas.get(0).id,
                        replicas.get(0).address(),
                        ids,
                        Set.copyOf(ids),
                        p.concern(),
                        addresses);
                for (Node n : replicas) {
                    n.assigned.add(a);
                }
            }
            for (Node n : cluster) {
                n.controller.reconcile(n.assigned);
            }
            List<List<WriteRequest>> perShard = encode();
            long points = 0;
            for (List<WriteRequest> reqs : perShard) {
                for (WriteRequest r : reqs) {
                    for (var sr : r.getBatch().getSeriesList()) {
                        points += sr.getValuesCount();
                    }
                }
            }
            log.printf(
                    Locale.ROOT, "replicas=%d: writing %,d points over %d shards%n", p.replicas(), points, p.shards());
            ExecutorService writers = Executors.newFixedThreadPool(p.shards());
            long started = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < p.shards(); s++) {
                Node leader = cluster.get(s % nodes);
                List<WriteRequest> reqs = perShard.get(s);
                done.add(writers.submit(() -> {
                    var stub = StorageServiceGrpc.newBlockingStub(leader.channel);
                    for (WriteRequest r : reqs) {
                        stub.withDeadlineAfter(60, TimeUnit.SECONDS).write(r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            long elapsed = System.nanoTime() - started;
            writers.shutdown();
            return new Result(p.replicas(), points / (elapsed / 1e9), points, elapsed / 1_000_000);
        } finally {
            for (Node n : cluster) {
                n.close();
            }
        }
    }

    /** Pre-encoded write requests per shard: batches of {@code batchRows} rows for every host routed there. */
    private List<List<WriteRequest>> encode() {
        CpuOnlyGenerator gen = new CpuOnlyGenerator(p.hosts(), 1, CpuOnlyGenerator.ValueMode.INT);
        long rows = p.hours() * 3600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        long start = (System.currentTimeMillis() / 86_400_000L) * 86_400_000L - 86_400_000L;
        List<List<WriteRequest>> out = new ArrayList<>();
        long[] sequence = new long[p.shards()];
        for (int s = 0; s < p.shards(); s++) {
            out.add(new ArrayList<>());
        }
        int fields = CpuOnlyGenerator.FIELDS.size();
        double[] values = new double[p.batchRows() * fields];
        for (long row = 0; row < rows; row += p.batchRows()) {
            int n = (int) Math.min(p.batchRows(), rows - row);
            Map<Integer, WriteBatch.Builder> batches = new HashMap<>();
            for (int h = 0; h < p.hosts(); h++) {
                gen.nextRows(h, n, values);
                int shard = SeriesHash.shardOf(gen.key(h).canonicalBytes(), p.shards());
                WriteBatch.Builder b = batches.computeIfAbsent(shard, k -> WriteBatch.builder());
                long[] ts = new long[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = start + (row + i) * CpuOnlyGenerator.ROW_INTERVAL_MS;
                }
                b.rows(new WriteBatch.SeriesRows(
                        gen.key(h), CpuOnlyGenerator.FIELDS, ts, Arrays.copyOf(values, n * fields)));
            }
            batches.forEach((shard, b) -> {
                PointBatch batch = PointBatchCodec.encode(b.build());
                out.get(shard)
                        .add(WriteRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(new ShardKey("bench", shard), 1))
                                .setBatch(batch)
                                .setWriterId("bench-" + shard)
                                .setSequence(++sequence[shard])
                                .build());
            });
        }
        return out;
    }

    private static final class Node implements AutoCloseable {
        final String id;
        final ShardMaintenance maintenance = new ShardMaintenance(Duration.ofHours(1), Duration.ofSeconds(1));
        final ShardRegistry registry;
        final ReplicationController controller;
        final StorageServer server;
        final ManagedChannel channel;
        final List<ReplicaAssignment> assigned = new ArrayList<>();

        Node(String id, Path dir) {
            this.id = id;
            this.registry = new ShardRegistry(dir, maintenance);
            this.controller = new ReplicationController(id, registry, ReplicationOptions.defaults());
            this.server = StorageServer.start(StorageServerOptions.defaults().withPort(0), registry, controller);
            this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                    .usePlaintext()
                    .maxInboundMessageSize(64 << 20)
                    .build();
        }

        String address() {
            return "127.0.0.1:" + server.port();
        }

        @Override
        public void close() {
            channel.shutdownNow();
            server.close();
            controller.close();
            registry.close();
            maintenance.close();
        }
    }
}
