package io.meridian.common.error;

import java.util.Objects;

/**
 * Root of Meridian's unchecked error taxonomy. Callers branch on the subtype or {@link #code()},
 * never on the message text. Messages follow one grammar: lower case, what failed,
 * {@code [key=value]} context, then the numbers ("got X; want Y").
 */
public abstract class MeridianException extends RuntimeException {
    private final ErrorCode code;

    protected MeridianException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** Whether the same request may succeed if retried later (possibly elsewhere). */
    public boolean isRetriable() {
        return false;
    }
}
