package io.meridian.common.rpc;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;

/**
 * A remote call failed with an error that has no local exception type of its own (corrupt data, I/O,
 * format version or a bug on the peer, or a gRPC failure without a Meridian error code). Branch on
 * {@link #code()} and {@link #grpcStatus()}.
 */
public final class RemoteCallException extends MeridianException {
    private final String grpcStatus;

    public RemoteCallException(ErrorCode code, String grpcStatus, String message, Throwable cause) {
        super(code, message, cause);
        this.grpcStatus = grpcStatus;
    }

    /** The gRPC status code name, e.g. {@code "INTERNAL"}. */
    public String grpcStatus() {
        return grpcStatus;
    }
}
