package io.meridian.broker.http;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.master.NotMasterException;
import io.meridian.meta.model.MasterInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs DDL at the master (ARCHITECTURE §7: only the master writes configs). When this broker's own
 * {@link MasterService} is master, the action runs here; otherwise the request is forwarded once over HTTP to
 * the master's advertised address ({@link MetaSnapshot#master()}) and its status and body are relayed. A
 * forwarded request is never forwarded again (header {@value #FORWARDED_HEADER}), so a stale master key cannot
 * make brokers bounce a request between them. No master known, or the master unreachable: 503, retriable.
 *
 * <p>Threading: stateless apart from the thread-safe HTTP client; called from the HTTP workers.
 */
public final class MasterGateway {
    private static final Logger LOG = LoggerFactory.getLogger(MasterGateway.class);
    /** Set on a forwarded request: the id of the broker that forwarded it. */
    public static final String FORWARDED_HEADER = "X-Meridian-Forwarded-By";

    private final String nodeId;
    private final Supplier<MasterService> local;
    private final Supplier<MetaSnapshot> snapshot;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param nodeId   this broker's id (named in errors and in the forwarding header)
     * @param local    this broker's master service, or null while it is not started
     * @param snapshot the current metadata (who is master, at which address)
     * @param timeout  bound on one forwarded request
     */
    public MasterGateway(
            String nodeId, Supplier<MasterService> local, Supplier<MetaSnapshot> snapshot, Duration timeout) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.local = Objects.requireNonNull(local, "local");
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Runs {@code action} on the local master, or forwards {@code request} to the master broker. */
    public ApiResponse atMaster(ApiRequest request, Function<MasterService, ApiResponse> action) {
        MasterService m = local.get();
        if (m != null && m.isMaster()) {
            try {
                return action.apply(m);
            } catch (NotMasterException e) {
                LOG.info("lost the master role during DDL, forwarding [node={}, path={}]", nodeId, request.path());
            }
        }
        if (request.header(FORWARDED_HEADER.toLowerCase(Locale.ROOT)) != null) {
            return ApiResponse.error(
                    503,
                    "DDL refused: this broker is not the master [node=" + nodeId
                            + ", forwardedBy=" + request.header(FORWARDED_HEADER.toLowerCase(Locale.ROOT))
                            + ", path=" + request.path() + "]; the master is changing, retry shortly");
        }
        MasterInfo master = snapshot.get().master();
        if (master == null || master.nodeId().equals(nodeId)) {
            return ApiResponse.error(
                    503,
                    "no master broker is known [node=" + nodeId + ", path=" + request.path()
                            + "]: an election is in progress or etcd is unreachable; retry shortly");
        }
        return forward(request, master);
    }

    private ApiResponse forward(ApiRequest request, MasterInfo master) {
        URI target = URI.create("http://" + master.address() + request.uri());
        HttpRequest.Builder b = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header(FORWARDED_HEADER, nodeId)
                .method(
                        request.method(),
                        request.body().length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        String contentType = request.header("content-type");
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String body = r.body() == null || r.body().isEmpty() ? null : r.body();
            return new ApiResponse(
                    r.statusCode(),
                    body,
                    body == null ? null : r.headers().firstValue("content-type").orElse(ApiResponse.JSON_TYPE));
        } catch (IOException e) {
            return ApiResponse.error(
                    503,
                    "cannot reach the master broker [master=" + master.nodeId() + ", address=" + master.address()
                            + ", path=" + request.path() + "]: " + e + "; retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiResponse.error(
                    503,
                    "interrupted while forwarding to the master [master=" + master.nodeId() + ", path=" + request.path()
                            + "]");
        }
    }
}
