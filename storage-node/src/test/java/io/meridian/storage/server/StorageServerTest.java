package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.LocalServers;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.StorageChannels;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's lifecycle and concurrent clients. */
class StorageServerTest extends ServerTestBase {
    static final int WRITERS = 4;
    static final int BATCHES_PER_WRITER = 25;

    @Test
    void bindsLoopbackByDefaultAndNamesTheAddressWhenTaken() {
        assertThat(StorageServerOptions.defaults().host()).isEqualTo("127.0.0.1");
        assertThat(fx.server.host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() ->
                        StorageServer.start(StorageServerOptions.defaults().withPort(fx.server.port()), fx.registry))
                .isInstanceOf(StorageIoException.class)
                .hasMessageContaining("[host=127.0.0.1, port=" + fx.server.port() + "]");
    }

    @Test
    void clientsInThisJvmReachTheServerInProcessUntilItCloses() throws Exception {
        String address = "127.0.0.1:" + fx.server.port();
        assertThat(LocalServers.lookup(address)).isNotNull();
        ManagedChannel local = StorageChannels.open(address);
        try {
            assertThat(local.toString()).contains(LocalServers.lookup(address));
            // a call over the in-process transport reaches the same service and shards as the network does
            assertThat(StorageServiceGrpc.newBlockingStub(local)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .health(HealthRequest.getDefaultInstance())
                            .getProtocolRevision())
                    .isEqualTo(StorageRpc.PROTOCOL_REVISION);
        } finally {
            local.shutdownNow();
        }
        fx.server.close();
        assertThat(LocalServers.lookup(address)).isNull();
        ManagedChannel network = StorageChannels.open(address);
        try {
            assertThat(network.toString()).contains(address).doesNotContain("meridian-grpc:");
        } finally {
            network.shutdownNow();
        }
    }

    /** In this JVM a leaf query runs on its caller's thread (no hand-offs); every other call on the worker pool. */
    @Test
    void inProcessLeafQueriesRunOnTheCallersThreadAndOtherCallsOnTheWorkers() {
        Executor workers = Executors.newSingleThreadExecutor();
        StorageServer.InProcessCallExecutor choice = new StorageServer.InProcessCallExecutor(workers);
        try {
            assertThat(choice.getExecutor(callOf(StorageServiceGrpc.getLeafQueryMethod()), new Metadata()))
                    .as("null: the in-process server's own executor, the caller's thread")
                    .isNull();
            for (MethodDescriptor<?, ?> other : List.of(
                    StorageServiceGrpc.getWriteMethod(),
                    StorageServiceGrpc.getHealthMethod(),
                    StorageServiceGrpc.getFlushMethod())) {
                assertThat(choice.getExecutor(callOf(other), new Metadata()))
                        .as(other.getFullMethodName())
                        .isSameAs(workers);
            }
        } finally {
            ((ExecutorService) workers).shutdownNow();
        }
    }

    private static <Q, R> ServerCall<Q, R> callOf(MethodDescriptor<Q, R> method) {
        return new ServerCall<>() {
            @Override
            public void request(int numMessages) {}

            @Override
            public void sendHeaders(Metadata headers) {}

            @Override
            public void sendMessage(R message) {}

            @Override
            public void close(Status status, Metadata trailers) {}

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public MethodDescriptor<Q, R> getMethodDescriptor() {
                return method;
            }
        };
    }

    @Test
    void concurrentWritersWithRetriesCountEveryBatchExactlyOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<Integer>> duplicates = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String writer = "writer-" + w;
                duplicates.add(pool.submit(() -> {
                    int dups = 0;
                    for (long seq = 1; seq <= BATCHES_PER_WRITER; seq++) {
                        WriteRequest request = WriteRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                                .setWriterId(writer)
                                .setSequence(seq)
                                .setBatch(PointBatchCodec.encode(WriteBatch.builder()
                                        .point(SeriesKey.of("net", "writer", writer), T0 + seq * 1000, "bytes", 1)
                                        .build()))
                                .build();
                        fx.stub.write(request);
                        if (fx.stub.write(request).getOutcome() == WriteOutcome.WRITE_OUTCOME_DUPLICATE) {
                            dups++;
                        }
                    }
                    return dups;
                }));
            }
            for (Future<Integer> f : duplicates) {
                assertThat(f.get()).isEqualTo(BATCHES_PER_WRITER);
            }
        } finally {
            pool.shutdownNow();
        }
        List<LeafResultChunk> chunks = new ArrayList<>();
        fx.stub
                .leafQuery(LeafQueryCodec.encode(new LeafQuery(
                                "net", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("bytes")))
                        .setShard(ShardRefCodec.encode(SHARD0, 0))
                        .build())
                .forEachRemaining(chunks::add);
        assertThat(PartialTableCodec.decode(chunks).cell(List.of(), 0, 0).sum())
                .isEqualTo(WRITERS * BATCHES_PER_WRITER);
    }
}
