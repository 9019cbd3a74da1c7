package io.meridian.bench.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.meridian.bench.engine.QueryShapes;
import io.meridian.common.model.Aggregate;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.LeafQueryCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Latency of the four TSBS query shapes through the broker ({@code POST /api/v1/query}, one kept-alive
 * connection, the full JSON answer read) and directly on the storage node ({@code StorageService.LeafQuery} on
 * every shard in parallel, chunks decoded and merged), over the same random hosts and windows (one seed per
 * shape). The leaf query carries the same aggregate set the broker sends, so the difference is what the broker
 * adds: HTTP and JSON, planning, the fan-out and merge, finishing the aggregates and rendering the answer.
 */
final class QueryLatency {
    static final int WARMUP_RUNS = 50;
    private static final long LEAF_DEADLINE_S = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Shape(String name, String fn, Supplier<LeafQuery> next) {}

    private final int httpPort;
    private final ManagedChannel storage;
    private final int shards;

    QueryLatency(int httpPort, ManagedChannel storage, int shards) {
        this.httpPort = httpPort;
        this.storage = storage;
        this.shards = shards;
    }

    List<ShapeLatency> run(int hosts, long start, long end, int runs, long seed) throws Exception {
        long lastEnd = Math.floorDiv(end + QueryShapes.HOUR - 1, QueryShapes.HOUR) * QueryShapes.HOUR;
        Random r1 = new Random(seed);
        Random r2 = new Random(seed + 1);
        Random r3 = new Random(seed + 2);
        List<Shape> shapes = List.of(
                new Shape("single_groupby_1_1_1", "max", () -> QueryShapes.singleGroupby111(r1, hosts, start, end)),
                new Shape("cpu_max_all_1", "max", () -> QueryShapes.cpuMaxAll1(r2, hosts, start, end)),
                new Shape("double_groupby_1", "avg", () -> QueryShapes.doubleGroupby1(r3, start, end)),
                new Shape("lastpoint", "last", () -> QueryShapes.lastpoint(start, lastEnd)));
        List<ShapeLatency> out = new ArrayList<>();
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", httpPort)) {
            for (Shape s : shapes) {
                List<LeafQuery> queries = new ArrayList<>();
                for (int i = 0; i < WARMUP_RUNS + runs; i++) {
                    LeafQuery q = s.next().get();
                    queries.add(new LeafQuery(
                            q.metric(),
                            q.predicate(),
                            q.startMs(),
                            q.endMs(),
                            q.bucketMs(),
                            q.groupBy(),
                            q.fields(),
                            Set.of(Aggregate.parse(s.fn()))));
                }
                int rows = JSON.readTree(broker(http, queries.get(0), s.fn()))
                        .get("rows")
                        .size();
                double[] viaBroker = new double[runs];
                double[] direct = new double[runs];
                boolean hasSql = SqlShapes.of(queries.get(0), s.fn()) != null;
                double[] viaSql = new double[hasSql ? runs : 0];
                double[] planning = new double[hasSql ? runs : 0];
                double[] repeated = new double[hasSql ? runs : 0];
                double[] repeatedPlanning = new double[hasSql ? runs : 0];
                String dashboard = hasSql ? SqlShapes.of(queries.get(0), s.fn()) : null;
                double[] jdbc = new double[runs];
                Connection conn = DriverManager.getConnection(
                        "jdbc:meridian://127.0.0.1:" + httpPort + "/" + BenchCluster.DATABASE);
                PreparedStatement prepared = conn.prepareStatement(SqlShapes.parameterized(queries.get(0), s.fn()));
                for (int i = 0; i < queries.size(); i++) {
                    long t0 = System.nanoTime();
                    broker(http, queries.get(i), s.fn());
                    long t1 = System.nanoTime();
                    leaf(queries.get(i));
                    long t2 = System.nanoTime();
                    double plan = hasSql ? sql(http, SqlShapes.of(queries.get(i), s.fn())) : 0;
                    long t3 = System.nanoTime();
                    double replan = hasSql ? sql(http, dashboard) : 0; // the same text again: a cached plan
                    long t4 = System.nanoTime();
                    SqlShapes.bind(prepared, queries.get(i));
                    try (ResultSet rs = prepared.executeQuery()) {
                        while (rs.next()) {
                            rs.getObject(1);
                        }
                    }
                    long t5 = System.nanoTime();
                    if (i >= WARMUP_RUNS) {
                        viaBroker[i - WARMUP_RUNS] = (t1 - t0) / 1e6;
                        direct[i - WARMUP_RUNS] = (t2 - t1) / 1e6;
                        if (hasSql) {
                            viaSql[i - WARMUP_RUNS] = (t3 - t2) / 1e6;
                            planning[i - WARMUP_RUNS] = plan;
                            repeated[i - WARMUP_RUNS] = (t4 - t3) / 1e6;
                            repeatedPlanning[i - WARMUP_RUNS] = replan;
                        }
                        jdbc[i - WARMUP_RUNS] = (t5 - t4) / 1e6;
                    }
                }
                Arrays.sort(viaBroker);
                Arrays.sort(direct);
                Arrays.sort(viaSql);
                Arrays.sort(planning);
                Arrays.sort(repeated);
                Arrays.sort(repeatedPlanning);
                Arrays.sort(jdbc);
                prepared.close();
                conn.close();
                out.add(new ShapeLatency(
                        s.name(),
                        percentile(viaBroker, 0.5),
                        percentile(viaBroker, 0.9),
                        percentile(direct, 0.5),
                        percentile(direct, 0.9),
                        rows,
                        hasSql ? percentile(viaSql, 0.5) : Double.NaN,
                        hasSql ? percentile(planning, 0.5) : Double.NaN,
                        hasSql ? percentile(repeated, 0.5) : Double.NaN,
                        hasSql ? percentile(repeatedPlanning, 0.5) : Double.NaN,
                        percentile(jdbc, 0.5)));
            }
        }
        return out;
    }

    private static byte[] broker(RawHttpClient http, LeafQuery q, String fn) throws IOException {
        RawHttpClient.Answer a = http.post(
                "/api/v1/query",
                "application/json",
                NativeQueryJson.of(BenchCluster.DATABASE, q, fn).getBytes(StandardCharsets.UTF_8));
        if (a.status() != 200) {
            throw new IOException("query failed [status=" + a.status() + "]: " + a.bodyText());
        }
        return a.body();
    }

    /** Runs one SQL statement over HTTP; returns the planning time the broker reported, ms. */
    private static double sql(RawHttpClient http, String sql) throws IOException {
        RawHttpClient.Answer a = http.post(
                "/api/v1/sql",
                "application/json",
                JSON.writeValueAsBytes(Map.of("db", BenchCluster.DATABASE, "sql", sql)));
        if (a.status() != 200) {
            throw new IOException("SQL failed [status=" + a.status() + ", sql=" + sql + "]: " + a.bodyText());
        }
        return JSON.readTree(a.body()).get("stats").get("planningMs").asDouble();
    }

    /** Every shard's leaf result, asked in parallel, decoded and merged. */
    private PartialTable leaf(LeafQuery q) throws Exception {
        List<CompletableFuture<PartialTable>> parts = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            CompletableFuture<PartialTable> part = new CompletableFuture<>();
            List<LeafResultChunk> chunks = new ArrayList<>();
            StorageServiceGrpc.newStub(storage)
                    .withDeadlineAfter(LEAF_DEADLINE_S, TimeUnit.SECONDS)
                    .leafQuery(
                            LeafQueryCodec.encode(q)
                                    .setShard(ShardRef.newBuilder()
                                            .setDatabase(BenchCluster.DATABASE)
                                            .setShard(shard))
                                    .build(),
                            new StreamObserver<>() {
                                @Override
                                public void onNext(LeafResultChunk c) {
                                    chunks.add(c);
                                }

                                @Override
                                public void onError(Throwable t) {
                                    part.completeExceptionally(t);
                                }

                                @Override
                                public void onCompleted() {
                                    part.complete(PartialTableCodec.decode(chunks));
                                }
                            });
            parts.add(part);
        }
        PartialTable merged = null;
        for (CompletableFuture<PartialTable> p : parts) {
            PartialTable r = p.get();
            merged = merged == null ? r : merged.merge(r);
        }
        return merged;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
