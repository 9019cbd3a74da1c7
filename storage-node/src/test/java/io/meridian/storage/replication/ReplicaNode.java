package io.meridian.storage.replication;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRegistry;
import io.meridian.storage.server.StorageServer;
import io.meridian.storage.server.StorageServerOptions;
import io.meridian.storage.shard.ShardOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One storage node in the test JVM: registry, replication controller and a real gRPC server on 127.0.0.1,
 * plus a client channel to it. Closing and re-creating it on the same directory is a node restart.
 */
final class ReplicaNode implements AutoCloseable {
    static final long NOW = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();
    static final long T0 = NOW - 86_400_000L;
    static final ShardKey SHARD = new ShardKey("db", 0);

    final String id;
    final Path dir;
    final ShardMaintenance maintenance = new ShardMaintenance(Duration.ofHours(1), Duration.ofHours(1));
    final ShardRegistry registry;
    final ReplicationController controller;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final StorageServer server;
    final ManagedChannel channel;

    ReplicaNode(String id, Path dir, ReplicationOptions options, int port) {
        this(id, dir, options, port, DiskSpace.unchecked(dir));
    }

    /** A node whose writes and follower fetches check {@code disk}'s watermark. */
    ReplicaNode(String id, Path dir, ReplicationOptions options, int port, DiskSpace disk) {
        this.id = id;
        this.dir = dir;
        this.registry = new ShardRegistry(dir, maintenance, NodeMemory.unbounded(), disk);
        this.controller = new ReplicationController(id, registry, options, meters);
        this.server = StorageServer.start(StorageServerOptions.defaults().withPort(port), registry, controller);
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
    }

    String address() {
        return "127.0.0.1:" + server.port();
    }

    StorageServiceGrpc.StorageServiceBlockingStub stub() {
        return StorageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static ShardOptions shardOptions() {
        DatabaseOptions db = new DatabaseOptions(
                "db", 1, List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("1m", "90d")));
        return ShardOptions.defaults(db).withClock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    /** The assignment of shard 0 at {@code epoch}, led by {@code leader}, on {@code replicas}. */
    static ReplicaAssignment assignment(long epoch, ReplicaNode leader, WriteConcern concern, ReplicaNode... replicas) {
        List<String> ids = Arrays.stream(replicas).map(n -> n.id).toList();
        Map<String, String> addresses = new HashMap<>();
        for (ReplicaNode n : replicas) {
            addresses.put(n.id, n.address());
        }
        return new ReplicaAssignment(
                SHARD, shardOptions(), epoch, leader.id, leader.address(), ids, Set.copyOf(ids), concern, addresses);
    }

    long lastLsn() {
        return registry.replica(SHARD).shard().lastLsn();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
        controller.close();
        registry.close();
        maintenance.close();
    }
}
