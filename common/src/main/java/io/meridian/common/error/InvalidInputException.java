package io.meridian.common.error;

/** Bad input from a client: maps to a 4xx answer and is never retried. Nothing was changed. */
public class InvalidInputException extends MeridianException {
    public InvalidInputException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public InvalidInputException(String message) {
        this(ErrorCode.INVALID_INPUT, message);
    }

    /** Keeps the cause, e.g. when a layer adds context (the place in a request) to a lower layer's error. */
    public InvalidInputException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }

    public static InvalidInputException invalidName(String what, String name, String reason) {
        return new InvalidInputException(
                ErrorCode.INVALID_NAME, "invalid " + what + " name [" + what + "=" + name + "]: " + reason);
    }

    public static InvalidInputException notFound(String what, String name) {
        return new InvalidInputException(ErrorCode.NOT_FOUND, what + " does not exist [" + what + "=" + name + "]");
    }

    public static InvalidInputException alreadyExists(String what, String name) {
        return new InvalidInputException(
                ErrorCode.ALREADY_EXISTS, what + " already exists [" + what + "=" + name + "]");
    }
}
