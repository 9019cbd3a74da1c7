package io.meridian.broker.query;

import static io.meridian.common.query.TagCondition.all;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.broker.sql.StorageCatalog;
import io.meridian.broker.write.ShardWriter;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.SlotTransform;
import io.meridian.common.query.TagCondition;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.sql.SqlEngine;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.part.PartFormat;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.testing.LocalStorageCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed query execution against real etcd, the master and three storage nodes in this JVM (2 shards x 3
 * replicas): answers equal the aggregates computed directly from the generated raw points, for every aggregate,
 * grouped by tags and buckets; the bounds (groups, timeout) and bad input fail with their codes; a stopped
 * replica is read around; and a root in another IDC reaches this IDC's share through a broker's
 * {@code ClusterPartial} service, failing (or answering partially, when allowed) once that broker is gone.
 */
@ExtendWith(EtcdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedQueryIT {
    private static final long MINUTE = 60_000L;
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final long END = T0 + 30 * MINUTE;

    @TempDir
    static Path dir;

    private LocalStorageCluster cluster;
    private DistributedQueryExecutor executor;
    private final List<ReferenceQuery.Point> points = new ArrayList<>();

    @BeforeAll
    void start(EtcdProcess etcd) {
        cluster = new LocalStorageCluster(etcd, dir, "/query-it");
        executor = new DistributedQueryExecutor(cluster.cache::snapshot, "idc1", new SimpleMeterRegistry());
        Random random = new Random(42);
        StringBuilder body = new StringBuilder();
        for (int h = 0; h < 6; h++) {
            for (long t = T0; t < END; t += 10_000) { // one point per series per 10 s slot: no in-slot merging
                double usage = random.nextInt(1000); // integers: sums are exact in any order
                String host = "h" + h;
                String dc = h % 2 == 0 ? "east" : "west";
                points.add(new ReferenceQuery.Point(t, List.of(host, dc), usage));
                body.append("cpu,host=")
                        .append(host)
                        .append(",dc=")
                        .append(dc)
                        .append(" usage=")
                        .append(usage)
                        .append(' ')
                        .append(t)
                        .append('\n');
            }
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(
                            LocalStorageCluster.DB,
                            LocalStorageCluster.SHARDS,
                            bytes,
                            0,
                            bytes.length,
                            Precision.MILLISECONDS,
                            T0));
        }
    }

    @AfterAll
    void stop() {
        executor.close();
        cluster.close();
    }

    private static QuerySpec spec(
            TagCondition filter, long bucket, List<String> groupBy, List<OrderKey> order, int limit) {
        List<AggCall> all = new ArrayList<>();
        for (QueryFunction f : QueryFunction.values()) {
            // the reference reads raw points: a read through a slot transform (moments, counter increase) is checked
            // against DuckDB in SqlDifferentialIT instead
            if (f != QueryFunction.PERCENTILE && f.transform() == SlotTransform.NONE) {
                all.add(AggCall.of(f, "usage"));
            }
        }
        return new QuerySpec(
                LocalStorageCluster.DB,
                "cpu",
                filter,
                T0,
                END,
                bucket,
                groupBy,
                all,
                order,
                limit,
                Duration.ofSeconds(30),
                1000,
                false);
    }

    private QueryResult run(QuerySpec spec) {
        try (QueryContext q = QueryContext.start(UUID.randomUUID().toString(), spec.timeout())) {
            return executor.execute(spec, q);
        }
    }

    @Test
    @Order(1)
    void aggregatesByTagsAndBucketsEqualTheRawPoints() {
        QuerySpec byHost = spec(all(), 5 * MINUTE, List.of("host"), List.of(), 0);
        assertThat(run(byHost).rows()).isEqualTo(ReferenceQuery.answer(byHost, points, List.of("host", "dc")));
        assertThat(run(byHost).rows()).hasSize(6 * 6);

        QuerySpec byDc = spec(all(), 0, List.of("dc"), List.of(), 0);
        assertThat(run(byDc).rows())
                .isEqualTo(ReferenceQuery.answer(byDc, points, List.of("host", "dc")))
                .hasSize(2);

        QuerySpec both = spec(all(), 10 * MINUTE, List.of("dc", "host"), List.of(), 0);
        assertThat(run(both).rows()).isEqualTo(ReferenceQuery.answer(both, points, List.of("host", "dc")));
    }

    @Test
    @Order(2)
    void filtersOrderAndLimitApply() {
        TagCondition someHosts = TagCondition.in("host", List.of("h1", "h4"));
        QuerySpec q = spec(
                someHosts,
                MINUTE,
                List.of("host"),
                List.of(new OrderKey("max(usage)", true), new OrderKey("ts", false)),
                7);
        QueryResult r = run(q);
        assertThat(r.rows()).hasSize(7).isEqualTo(ReferenceQuery.answer(q, points, List.of("host", "dc")));
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.get(1)).isIn("h1", "h4"));
        assertThat(r.columns()).extracting(QueryResult.Column::name).startsWith("ts", "host", "sum(usage)");

        // ordered by the group values (the default order): the leaves return only the first groups
        QuerySpec firstRows = spec(all(), 10 * MINUTE, List.of("dc", "host"), List.of(), 5);
        assertThat(firstRows.leafRequest().getGroupLimit()).isEqualTo(5);
        assertThat(run(firstRows).rows()).isEqualTo(ReferenceQuery.answer(firstRows, points, List.of("host", "dc")));
        QuerySpec byHostDesc = spec(all(), 0, List.of("host"), List.of(new OrderKey("host", true)), 2);
        assertThat(byHostDesc.leafRequest().getGroupLimit())
                .as("descending: not pushed")
                .isZero();
        assertThat(run(byHostDesc).rows()).isEqualTo(ReferenceQuery.answer(byHostDesc, points, List.of("host", "dc")));
    }

    @Test
    @Order(3)
    void boundsAndBadInputFailWithTheirCodes() {
        QuerySpec tooMany = new QuerySpec(
                LocalStorageCluster.DB,
                "cpu",
                all(),
                T0,
                END,
                0,
                List.of("host"),
                List.of(AggCall.of(QueryFunction.SUM, "usage")),
                List.of(),
                0,
                Duration.ofSeconds(30),
                3,
                false);
        assertThatThrownBy(() -> run(tooMany)).isInstanceOfSatisfying(MeridianException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains("too many groups", "maxGroups=3");
        });
        QuerySpec instant = new QuerySpec(
                LocalStorageCluster.DB,
                "cpu",
                all(),
                T0,
                END,
                0,
                List.of(),
                List.of(AggCall.of(QueryFunction.SUM, "usage")),
                List.of(),
                0,
                Duration.ofNanos(1),
                10,
                false);
        assertThatThrownBy(() -> run(instant)).isInstanceOfSatisfying(MeridianException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TIMEOUT);
            assertThat(e.getMessage()).contains("timed out", "shard=db/c1/");
        });
        QuerySpec noDb = new QuerySpec(
                "nodb",
                "cpu",
                all(),
                T0,
                END,
                0,
                List.of(),
                List.of(AggCall.of(QueryFunction.SUM, "usage")),
                List.of(),
                0,
                Duration.ofSeconds(5),
                10,
                false);
        assertThatThrownBy(() -> run(noDb))
                .isInstanceOfSatisfying(
                        MeridianException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(run(new QuerySpec(
                                LocalStorageCluster.DB,
                                "nometric",
                                all(),
                                T0,
                                END,
                                0,
                                List.of(),
                                List.of(AggCall.of(QueryFunction.SUM, "usage")),
                                List.of(),
                                0,
                                Duration.ofSeconds(5),
                                10,
                                false))
                        .rows())
                .as("an unknown metric has no rows")
                .isEmpty();
    }

    @Test
    @Order(3)
    void sqlIsPushedIntoTheSamePlanAndAnswersTheSame() {
        StorageCatalog catalog = new StorageCatalog(cluster.cache::snapshot, "idc1", Duration.ofSeconds(1));
        SqlEngine sql = new SqlEngine(catalog, this::run, Duration.ofSeconds(30), 1000);
        String range = " ts >= TIMESTAMP '" + ts(T0) + "' AND ts < TIMESTAMP '" + ts(END) + "'";
        String byMinute =
                "SELECT FLOOR(ts TO MINUTE) AS t, host, SUM(usage), COUNT(usage), MIN(usage), MAX(usage), AVG(usage)"
                        + " FROM cpu WHERE" + range + " GROUP BY host, FLOOR(ts TO MINUTE) ORDER BY host, t";
        QuerySpec ref = new QuerySpec(
                LocalStorageCluster.DB,
                "cpu",
                all(),
                T0,
                END,
                MINUTE,
                List.of("host"),
                List.of(
                        AggCall.of(QueryFunction.SUM, "usage"),
                        AggCall.of(QueryFunction.COUNT, "usage"),
                        AggCall.of(QueryFunction.MIN, "usage"),
                        AggCall.of(QueryFunction.MAX, "usage"),
                        AggCall.of(QueryFunction.AVG, "usage")),
                List.of(),
                0,
                Duration.ofSeconds(30),
                1000,
                false);
        List<List<Object>> expected = new ArrayList<>();
        for (List<Object> row : ReferenceQuery.answer(ref, points, List.of("host", "dc"))) {
            List<Object> r = new ArrayList<>(row);
            r.set(0, ts((Long) row.get(0)).replace(' ', 'T') + "Z");
            expected.add(r);
        }
        assertThat(sql.execute(LocalStorageCluster.DB, byMinute).rows())
                .isEqualTo(expected)
                .hasSize(6 * 30);
        String plan = sql.execute(LocalStorageCluster.DB, "EXPLAIN PLAN FOR " + byMinute)
                .rows()
                .get(0)
                .get(0)
                .toString();
        assertThat(plan)
                .contains("MeridianQuery", "bucket=60000ms", "groupBy=[host]")
                .doesNotContain("EnumerableAggregate");

        // lastpoint in SQL: FIRST and LAST by time, pushed to the leaves
        QuerySpec firstLast = new QuerySpec(
                LocalStorageCluster.DB,
                "cpu",
                all(),
                T0,
                END,
                0,
                List.of("host"),
                List.of(AggCall.of(QueryFunction.FIRST, "usage"), AggCall.of(QueryFunction.LAST, "usage")),
                List.of(),
                0,
                Duration.ofSeconds(30),
                1000,
                false);
        assertThat(sql.execute(
                                LocalStorageCluster.DB,
                                "SELECT host, FIRST(usage), LAST(usage) FROM cpu WHERE" + range
                                        + " GROUP BY host ORDER BY host")
                        .rows())
                .isEqualTo(ReferenceQuery.answer(firstLast, points, List.of("host", "dc")));

        // what is not pushed runs above the pushed part: a scan counted by Calcite, HAVING, arithmetic
        assertThat(sql.execute(LocalStorageCluster.DB, "SELECT COUNT(*) FROM cpu WHERE host = 'h1' AND" + range)
                        .rows())
                .containsExactly(List.of(180L));
        List<List<Object>> heavy = sql.execute(
                        LocalStorageCluster.DB,
                        "SELECT host, SUM(usage) / COUNT(usage) AS a FROM cpu" + " WHERE dc = 'east' AND" + range
                                + " GROUP BY host HAVING MAX(usage) >= 0 ORDER BY a DESC LIMIT 2")
                .rows();
        assertThat(heavy).hasSize(2).allSatisfy(r -> assertThat(r.get(0)).isIn("h0", "h2", "h4"));
        catalog.close();
    }

    private static String ts(long ms) {
        return Instant.ofEpochMilli(ms).toString().replace('T', ' ').replace("Z", "");
    }

    @Test
    @Order(4)
    void aRootInAnotherIdcReachesThisIdcThroughItsBroker() throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerQueryService(executor, Duration.ofSeconds(30)))
                .build()
                .start();
        NodeInfo self = new NodeInfo(
                "b-idc1", NodeRole.BROKER, "127.0.0.1", server.getPort(), 1, "idc1", "idc1", "test", Instant.now());
        NodeRegistrar registrar = new NodeRegistrar(
                        cluster.store, self, Duration.ofSeconds(2), () -> NodeReport.empty(self.id()))
                .start();
        try (DistributedQueryExecutor root =
                new DistributedQueryExecutor(cluster.cache::snapshot, "idc0", new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.cache.snapshot().nodes().containsKey("b-idc1"));
            QuerySpec q = spec(all(), 5 * MINUTE, List.of("host"), List.of(), 0);
            try (QueryContext ctx = QueryContext.start("remote-1", q.timeout())) {
                QueryResult r = root.execute(q, ctx);
                assertThat(r.rows()).isEqualTo(ReferenceQuery.answer(q, points, List.of("host", "dc")));
                assertThat(r.isPartial()).isFalse();
            }

            registrar.close();
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !cluster.cache.snapshot().nodes().containsKey("b-idc1"));
            try (QueryContext ctx = QueryContext.start("remote-2", q.timeout())) {
                assertThatThrownBy(() -> root.execute(q, ctx)).isInstanceOfSatisfying(MeridianException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDC_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("idc=idc1");
                });
            }
            QuerySpec partial = new QuerySpec(
                    q.database(),
                    q.metric(),
                    q.filter(),
                    q.startMs(),
                    q.endMs(),
                    q.bucketMs(),
                    q.groupBy(),
                    q.selections(),
                    q.orderBy(),
                    q.limit(),
                    q.timeout(),
                    q.maxGroups(),
                    true);
            try (QueryContext ctx = QueryContext.start("remote-3", q.timeout())) {
                QueryResult r = root.execute(partial, ctx);
                assertThat(r.missingIdcs()).containsExactly("idc1");
                assertThat(r.rows()).isEmpty();
            }
        } finally {
            registrar.close();
            server.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void aReplicaWithADamagedBlockIsReadAround() throws IOException {
        StorageNode leader = cluster.nodes.stream()
                .filter(n -> n.self()
                        .id()
                        .equals(cluster.cache
                                .routing()
                                .leader(LocalStorageCluster.DB, 0)
                                .orElseThrow()
                                .leader()))
                .findFirst()
                .orElseThrow();
        ShardKey shard0 = new ShardKey(LocalStorageCluster.DB, 0);
        leader.registry().replica(shard0).shard().flush(); // fresh parts: nothing of them is in the block cache
        List<Path> parts;
        try (Stream<Path> files = Files.walk(leader.registry().directory(shard0).resolve("segments"))) {
            parts = files.filter(f -> f.toString().endsWith(".part")).toList();
        }
        assertThat(parts).isNotEmpty();
        for (Path part : parts) { // one flipped byte in the first block of every part of the leader's replica
            byte[] b = Files.readAllBytes(part);
            b[PartFormat.HEADER_LENGTH + PartFormat.BLOCK_HEADER_LENGTH + 2] ^= 0x10;
            Files.write(part, b);
        }
        QuerySpec q = spec(all(), 0, List.of("host"), List.of(), 0);
        assertThat(run(q).rows())
                .as("answered by another replica")
                .isEqualTo(ReferenceQuery.answer(q, points, List.of("host", "dc")));
    }

    @Test
    @Order(6)
    void aStoppedReplicaIsReadAround() {
        StorageNode leader = cluster.nodes.stream()
                .filter(n -> n.self()
                        .id()
                        .equals(cluster.cache
                                .routing()
                                .leader(LocalStorageCluster.DB, 0)
                                .orElseThrow()
                                .leader()))
                .findFirst()
                .orElseThrow();
        leader.close();
        QuerySpec q = spec(all(), 0, List.of("host"), List.of(), 0);
        assertThat(run(q).rows()).isEqualTo(ReferenceQuery.answer(q, points, List.of("host", "dc")));
    }
}
