package io.meridian.common.rpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.BusyException;
import io.meridian.common.error.DiskFullException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.IdcUnavailableException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.MetaUnavailableException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.error.NotReplicatedException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.error.QueryTimeoutException;
import io.meridian.common.error.ShardUnavailableException;

/**
 * Meridian errors on gRPC. The server turns a {@link MeridianException} into a status (coarse, for gRPC
 * tooling) plus the trailers {@value #ERROR_CODE_KEY_NAME} (the stable {@link ErrorCode} number, what
 * clients branch on) and {@value #RETRIABLE_KEY_NAME}; the client turns that back into the same exception
 * type. Mapping (stable, documented in storage.proto):
 *
 * <pre>
 * INVALID_INPUT(1), INVALID_NAME(2)        INVALID_ARGUMENT
 * TYPE_CONFLICT(3)                         FAILED_PRECONDITION
 * OUT_OF_RETENTION(4)                      OUT_OF_RANGE
 * LIMIT_EXCEEDED(5)                        RESOURCE_EXHAUSTED
 * NOT_FOUND(6)                             NOT_FOUND
 * ALREADY_EXISTS(7)                        ALREADY_EXISTS
 * NOT_LEADER(20)                           ABORTED        (refresh routing, then retry)
 * SHARD_UNAVAILABLE(21), META_UNAVAILABLE(22), NOT_REPLICATED(24)  UNAVAILABLE
 * BUSY(23)  RESOURCE_EXHAUSTED (retriable)
 * CORRUPT_DATA(40)                         DATA_LOSS
 * FORMAT_VERSION(41), STORAGE_IO(42), BUG(99)  INTERNAL
 * </pre>
 */
public final class RpcErrors {
    public static final String ERROR_CODE_KEY_NAME = "meridian-error-code";
    public static final String RETRIABLE_KEY_NAME = "meridian-retriable";
    public static final Metadata.Key<String> ERROR_CODE_KEY =
            Metadata.Key.of(ERROR_CODE_KEY_NAME, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> RETRIABLE_KEY =
            Metadata.Key.of(RETRIABLE_KEY_NAME, Metadata.ASCII_STRING_MARSHALLER);

    private RpcErrors() {}

    /** The gRPC status code an error code maps onto. */
    public static Status.Code statusCode(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT, INVALID_NAME -> Status.Code.INVALID_ARGUMENT;
            case TYPE_CONFLICT -> Status.Code.FAILED_PRECONDITION;
            case OUT_OF_RETENTION -> Status.Code.OUT_OF_RANGE;
            case LIMIT_EXCEEDED -> Status.Code.RESOURCE_EXHAUSTED;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case NOT_LEADER -> Status.Code.ABORTED;
            case SHARD_UNAVAILABLE, META_UNAVAILABLE, NOT_REPLICATED, IDC_UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case QUERY_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
            case QUERY_CANCELLED -> Status.Code.CANCELLED;
            case BUSY, DISK_FULL -> Status.Code.RESOURCE_EXHAUSTED;
            case CORRUPT_DATA -> Status.Code.DATA_LOSS;
            case FORMAT_VERSION, STORAGE_IO, BUG -> Status.Code.INTERNAL;
        };
    }

    /**
     * The status to send for a failure. Anything that is not a {@link MeridianException} is reported as
     * {@link ErrorCode#BUG}.
     *
     * @param context what the server was doing, with {@code [key=value]} context, e.g.
     *                {@code "cannot write [database=db, shard=3]"}; prefixed to the message
     */
    public static StatusRuntimeException toStatus(Throwable error, String context) {
        ErrorCode code;
        boolean retriable;
        String message;
        if (error instanceof MeridianException m) {
            code = m.code();
            retriable = m.isRetriable();
            message = m.getMessage();
        } else {
            code = ErrorCode.BUG;
            retriable = false;
            message = "BUG: unexpected " + error.getClass().getName() + ": " + error.getMessage();
        }
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE_KEY, Integer.toString(code.code()));
        trailers.put(RETRIABLE_KEY, Boolean.toString(retriable));
        return Status.fromCode(statusCode(code))
                .withDescription(context + ": " + message)
                .withCause(error)
                .asRuntimeException(trailers);
    }

    /**
     * The Meridian exception a failed call stands for: the same type the server threw where one exists
     * ({@link InvalidInputException}, {@link NotLeaderException}, {@link ShardUnavailableException},
     * {@link MetaUnavailableException}), else a {@link RemoteCallException}. A failure without the error
     * code trailer (the peer was unreachable, a deadline passed) is a retriable
     * {@link ShardUnavailableException} for UNAVAILABLE and DEADLINE_EXCEEDED.
     */
    public static MeridianException fromStatus(StatusRuntimeException e) {
        Status status = e.getStatus();
        String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        ErrorCode code = errorCode(e.getTrailers());
        if (code == null) {
            if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return new ShardUnavailableException(
                        "storage node call failed [status=" + status.getCode() + "]: " + message, e);
            }
            return new RemoteCallException(
                    ErrorCode.BUG,
                    status.getCode().name(),
                    "storage node call failed [status=" + status.getCode() + "]: " + message,
                    e);
        }
        return switch (code) {
            case INVALID_INPUT,
                    INVALID_NAME,
                    TYPE_CONFLICT,
                    OUT_OF_RETENTION,
                    LIMIT_EXCEEDED,
                    NOT_FOUND,
                    ALREADY_EXISTS -> new InvalidInputException(code, message);
            case NOT_LEADER -> new NotLeaderException(message);
            case SHARD_UNAVAILABLE -> new ShardUnavailableException(message, e);
            case META_UNAVAILABLE -> new MetaUnavailableException(message, e);
            case BUSY -> new BusyException(message);
            case DISK_FULL -> new DiskFullException(message);
            case NOT_REPLICATED -> new NotReplicatedException(message);
            case QUERY_TIMEOUT -> new QueryTimeoutException(message);
            case QUERY_CANCELLED -> new QueryCancelledException(message);
            case IDC_UNAVAILABLE -> new IdcUnavailableException(message, e);
            case CORRUPT_DATA, FORMAT_VERSION, STORAGE_IO, BUG ->
                new RemoteCallException(code, status.getCode().name(), message, e);
        };
    }

    /** The error code carried in the trailers, or null when there is none (or it is unknown to this build). */
    public static ErrorCode errorCode(Metadata trailers) {
        String v = trailers == null ? null : trailers.get(ERROR_CODE_KEY);
        if (v == null) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException ignored) {
            return null;
        }
        for (ErrorCode c : ErrorCode.values()) {
            if (c.code() == n) {
                return c;
            }
        }
        return null;
    }
}
