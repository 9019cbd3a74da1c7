package io.meridian.storage.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.shard.ShardOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real storage server on 127.0.0.1 (ephemeral port) serving database {@code db} shards 0 and 1 at
 * epoch {@link #EPOCH}, and a real gRPC client channel to it. Data is written during 2026-01-01 with the
 * clock fixed at {@link #NOW}.
 */
final class StorageServerFixture implements AutoCloseable {
    static final long NOW = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();
    static final long DAY = 86_400_000L;
    static final long T0 = NOW - DAY;
    static final long EPOCH = 3;
    static final ShardKey SHARD0 = new ShardKey("db", 0);
    static final ShardKey SHARD1 = new ShardKey("db", 1);

    final ShardMaintenance maintenance = new ShardMaintenance(Duration.ofHours(1), Duration.ofHours(1));
    final ShardRegistry registry;
    final StorageServer server;
    final ManagedChannel channel;
    final StorageServiceGrpc.StorageServiceBlockingStub stub;

    StorageServerFixture(Path dataDir) {
        this(dataDir, DiskSpace.unchecked(dataDir));
    }

    /** A server whose writes check {@code disk}'s free-space watermark. */
    StorageServerFixture(Path dataDir, DiskSpace disk) {
        registry = new ShardRegistry(dataDir, maintenance, NodeMemory.unbounded(), disk);
        registry.open(SHARD0, options(), EPOCH);
        registry.open(SHARD1, options(), EPOCH);
        server = StorageServer.start(StorageServerOptions.defaults().withPort(0), registry);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
        stub = StorageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static DatabaseOptions database() {
        return new DatabaseOptions("db", 2, List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("1m", "90d")));
    }

    static ShardOptions options() {
        return ShardOptions.defaults(database()).withClock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
        registry.close();
        maintenance.close();
    }
}
