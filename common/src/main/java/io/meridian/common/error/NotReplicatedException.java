package io.meridian.common.error;

/**
 * The leader applied a write but too few replicas acknowledged it within the ack timeout. Retriable: the
 * retry (same writer id and sequence) is de-duplicated and acknowledged once the replicas catch up.
 */
public final class NotReplicatedException extends RetriableException {
    public NotReplicatedException(String message) {
        super(ErrorCode.NOT_REPLICATED, message, null);
    }
}
