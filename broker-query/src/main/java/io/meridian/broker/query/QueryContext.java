package io.meridian.broker.query;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.error.QueryTimeoutException;
import io.meridian.common.rpc.RpcErrors;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The life of one query on one broker: its id, its deadline and a cancellation that reaches every fragment
 * it started. Remote calls made inside {@link #call} inherit the cancellation (gRPC propagates it to the
 * peers) and carry the deadline, so a client that goes away or a timeout stops the leaves too.
 */
public final class QueryContext implements AutoCloseable {
    private final String queryId;
    private final Duration timeout;
    private final Deadline deadline;
    private final Context.CancellableContext grpc;
    private volatile boolean clientGone;

    private QueryContext(String queryId, Duration timeout, Deadline deadline) {
        this.queryId = queryId;
        this.timeout = timeout;
        this.deadline = deadline;
        this.grpc = Context.ROOT.withCancellation();
    }

    /** A query with {@code timeout} from now. */
    public static QueryContext start(String queryId, Duration timeout) {
        return new QueryContext(queryId, timeout, Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** A fragment serving a caller's deadline (that of the incoming gRPC call), or {@code fallback} without one. */
    public static QueryContext serving(String queryId, Deadline callerDeadline, Duration fallback) {
        Deadline d = callerDeadline != null ? callerDeadline : Deadline.after(fallback.toNanos(), TimeUnit.NANOSECONDS);
        return new QueryContext(queryId, Duration.ofNanos(Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS))), d);
    }

    public String queryId() {
        return queryId;
    }

    public Deadline deadline() {
        return deadline;
    }

    /** Runs {@code task} (typically a remote call) attached to this query's cancellation. */
    public <T> T call(Callable<T> task) throws Exception {
        return grpc.call(task);
    }

    /** The client went away: stops every fragment of the query. */
    public void cancelByClient() {
        clientGone = true;
        grpc.cancel(null);
    }

    /** Stops every fragment still running (one failed and the query cannot succeed). */
    public void cancel() {
        grpc.cancel(null);
    }

    public boolean isCancelled() {
        return grpc.isCancelled() || deadline.isExpired();
    }

    /**
     * The error a failed remote call stands for in this query: a timeout or cancellation of the query itself
     * when that is what happened, else the peer's error.
     *
     * @param where what was waited for, e.g. {@code "shard=db/c1/2, node=s2"}
     */
    public MeridianException failure(StatusRuntimeException e, String where) {
        if (clientGone) {
            return new QueryCancelledException(
                    "query cancelled: the client went away [query=" + queryId + ", " + where + "]");
        }
        if (deadline.isExpired() || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return timeout(where);
        }
        return RpcErrors.fromStatus(e);
    }

    /** The timeout error, naming what was still outstanding. */
    public QueryTimeoutException timeout(String where) {
        return new QueryTimeoutException("query timed out after " + timeout.toMillis() + "ms [query=" + queryId
                + ", waiting for " + where + "]: narrow the query or raise its timeout");
    }

    @Override
    public void close() {
        grpc.cancel(null);
    }
}
