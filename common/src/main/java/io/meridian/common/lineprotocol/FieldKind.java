package io.meridian.common.lineprotocol;

/**
 * The syntactic kind of a numeric line-protocol field value. Meridian stores every kind as a double
 * ({@link LineView#fieldValue}); the kind is kept so a writer or a type check can tell {@code 1i} from
 * {@code 1}. Quoted strings are not a kind: see {@link StringFieldPolicy}.
 */
public enum FieldKind {
    /** {@code 1}, {@code -1.5}, {@code 2e-3}. */
    FLOAT,
    /** {@code 42i}: a signed 64-bit integer. */
    INTEGER,
    /** {@code 42u}: an unsigned 64-bit integer; its raw bits are {@link LineView#fieldLong}. */
    UNSIGNED,
    /** {@code t T true True TRUE f F false False FALSE}: 1 or 0. */
    BOOLEAN
}
