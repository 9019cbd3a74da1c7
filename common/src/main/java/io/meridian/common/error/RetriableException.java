package io.meridian.common.error;

/** A fault that may clear by itself: the caller may refresh its view (routing, metadata) and retry. */
public class RetriableException extends MeridianException {
    public RetriableException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}
