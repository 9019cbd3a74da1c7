package io.meridian.broker.query;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.broker.v1.BrokerQueryServiceGrpc;
import io.meridian.common.rpc.broker.v1.ClusterPartialRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;

/**
 * Serves the intermediate fragment to other brokers (broker.proto {@code ClusterPartial}). The caller's deadline
 * bounds the leaves; a cancelled call (the root gave up or its client went away) cancels them.
 */
public final class BrokerQueryService extends BrokerQueryServiceGrpc.BrokerQueryServiceImplBase {
    private final DistributedQueryExecutor executor;
    private final Duration defaultTimeout;

    /** @param defaultTimeout used when a caller sets no deadline */
    public BrokerQueryService(DistributedQueryExecutor executor, Duration defaultTimeout) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    }

    @Override
    public void clusterPartial(ClusterPartialRequest request, StreamObserver<LeafResultChunk> responses) {
        ServerCallStreamObserver<LeafResultChunk> out = (ServerCallStreamObserver<LeafResultChunk>) responses;
        String context = "cannot run the cluster fragment [query=" + request.getQueryId() + ", database="
                + request.getDatabase() + ", cluster=" + request.getCluster() + "]";
        try (QueryContext query =
                QueryContext.serving(request.getQueryId(), Context.current().getDeadline(), defaultTimeout)) {
            out.setOnCancelHandler(query::cancelByClient);
            if (request.getMaxGroups() < 1) {
                throw new InvalidInputException(
                        "invalid group bound [field=max_groups]: got " + request.getMaxGroups() + "; want >= 1");
            }
            PartialTable table = executor.clusterPartial(
                    request.getDatabase(), request.getCluster(), request.getLeaf(), request.getMaxGroups(), query);
            Iterator<LeafResultChunk> chunks = DistributedQueryExecutor.chunks(table, request.getLeaf());
            while (chunks.hasNext() && !out.isCancelled()) {
                out.onNext(chunks.next());
            }
            if (!out.isCancelled()) {
                out.onCompleted();
            }
        } catch (RuntimeException e) {
            if (!out.isCancelled()) {
                out.onError(RpcErrors.toStatus(e, context));
            }
        }
    }
}
