package io.meridian.common.lineprotocol;

/**
 * Receives each good line of a body, in body order. The view and every slice it hands out are reused for
 * the next line: copy what must outlive the call ({@link Utf8Slice#toString()},
 * {@link Utf8Slice#toByteArray()}). A visitor that throws aborts the parse with that exception.
 */
@FunctionalInterface
public interface LineVisitor {
    void line(LineView line);
}
