package io.meridian.broker.sql;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.broker.v1.BrokerCatalogServiceGrpc;
import io.meridian.common.rpc.broker.v1.ClusterTagValuesRequest;
import io.meridian.common.rpc.broker.v1.ClusterTagValuesResponse;
import java.util.Objects;

/**
 * Serves what brokers of other IDCs need to know about this IDC's storage clusters (broker.proto
 * {@code BrokerCatalogService}): the tag values of one cluster, read from its shards the way
 * {@link StorageCatalog#tagValues} reads a cluster of its own IDC. The caller's deadline bounds the storage calls.
 */
public final class BrokerCatalogService extends BrokerCatalogServiceGrpc.BrokerCatalogServiceImplBase {
    private final TagValueReader tagValues;

    public BrokerCatalogService(StorageCatalog catalog) {
        this.tagValues = Objects.requireNonNull(catalog, "catalog").tagValueReader();
    }

    @Override
    public void clusterTagValues(ClusterTagValuesRequest request, StreamObserver<ClusterTagValuesResponse> responses) {
        String context = "cannot list the tag values of a cluster [database=" + request.getDatabase() + ", cluster="
                + request.getCluster() + ", metric=" + request.getMetric() + ", tag=" + request.getTagKey() + "]";
        try {
            if (request.getLimit() < 1) { // uint32: above 2^31-1 reads as negative
                throw new InvalidInputException("invalid tag value limit [field=limit]: got "
                        + Integer.toUnsignedString(request.getLimit()) + "; want 1.." + Integer.MAX_VALUE);
            }
            ClusterTagValuesResponse response = ClusterTagValuesResponse.newBuilder()
                    .addAllValues(tagValues.readLocalCluster(
                            request.getDatabase(),
                            request.getCluster(),
                            request.getMetric(),
                            request.getTagKey(),
                            request.getLimit(),
                            Context.current().getDeadline()))
                    .build();
            responses.onNext(response);
            responses.onCompleted();
        } catch (RuntimeException e) {
            responses.onError(RpcErrors.toStatus(e, context));
        }
    }
}
