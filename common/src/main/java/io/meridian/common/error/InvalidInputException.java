package io.meridian.common.error;

/** Bad input from a client: maps to a 4xx answer and is never retried. Nothing was changed. */
public class InvalidInputException extends MeridianException {
    public InvalidInputException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public InvalidInputException(String message) {
        this(ErrorCode.INVALID_INPUT, message);
    }

    public static InvalidInputException invalidName(String what, String name, String reason) {
        return new InvalidInputException(ErrorCode.INVALID_NAME,
                "invalid " + what + " name [" + what + "=" + name + "]: " + reason);
    }

    public static InvalidInputException notFound(String what, String name) {
        return new InvalidInputException(ErrorCode.NOT_FOUND, what + " does not exist [" + what + "=" + name + "]");
    }

    public static InvalidInputException alreadyExists(String what, String name) {
        return new InvalidInputException(ErrorCode.ALREADY_EXISTS, what + " already exists [" + what + "=" + name + "]");
    }
}
