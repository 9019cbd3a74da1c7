package io.meridian.meta.model;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;

/** Argument checks shared by the model records. Throw {@link InvalidInputException}: model values are user input. */
final class Checks {
    private Checks() {}

    static String name(String what, String name) {
        return Names.requireValid(what, name);
    }

    static int positive(String what, String owner, int value) {
        if (value <= 0) {
            throw new InvalidInputException("invalid " + what + " [" + owner + "]: got " + value + "; want > 0");
        }
        return value;
    }

    static int port(String what, int port) {
        if (port < 0 || port > 65_535) {
            throw new InvalidInputException("invalid port [" + what + "=" + port + "]: want 0..65535");
        }
        return port;
    }
}
