package io.meridian.common.lineprotocol;

import java.nio.charset.StandardCharsets;

/**
 * Parses numeric field values on raw bytes, with InfluxDB 1.x's grammar (models/points.go
 * {@code scanNumber} followed by Go's {@code strconv}):
 *
 * <pre>
 * float    = ["-"] ( digits ["." [digits]] | "." digits ) [("e" | "E") ["+" | "-"] digits]
 * integer  = ["-"] digits "i"          (a signed 64-bit value)
 * unsigned = digits "u"                (0 .. 2^64-1)
 * </pre>
 *
 * Booleans ({@link #scanBoolean}) are here too, as Meridian stores them as 1 and 0. No leading {@code +}, no
 * NaN or Infinity, no hex. Floats with at most 15 significant digits and a decimal
 * exponent within ±22 take Clinger's exact fast path (one correctly rounded multiply or divide, no
 * allocation); the rest go through {@link Double#parseDouble}, which accepts every string this grammar
 * accepts. A float that overflows to infinity is out of range, as in Go. Not thread-safe: results are left
 * in fields.
 */
final class NumberScanner {
    static final int OK = 0;
    static final int MALFORMED = 1;
    static final int OUT_OF_RANGE = 2;

    private static final int FAST_PATH_MAX_DIGITS = 15;
    private static final int FAST_PATH_MAX_EXP10 = 22;
    private static final int MANTISSA_MAX_DIGITS = 18;
    private static final int EXPONENT_CAP = 100_000;
    private static final long UNSIGNED_MAX_DIV_10 = Long.divideUnsigned(-1L, 10);
    private static final long UNSIGNED_MAX_MOD_10 = Long.remainderUnsigned(-1L, 10);
    private static final double[] POW10 = new double[FAST_PATH_MAX_EXP10 + 1];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    FieldKind kind;
    double value;
    long longValue;

    /** Parses {@code b[s, e)}, a non-empty token; on OK the result is in the fields. */
    int scan(byte[] b, int s, int e) {
        byte last = b[e - 1];
        if (last == 'i') {
            return scanInteger(b, s, e - 1);
        }
        if (last == 'u') {
            return scanUnsigned(b, s, e - 1);
        }
        return scanFloat(b, s, e);
    }

    private int scanInteger(byte[] b, int s, int e) {
        boolean negative = s < e && b[s] == '-';
        int i = negative ? s + 1 : s;
        if (i == e) {
            return MALFORMED;
        }
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multMin = limit / 10;
        long acc = 0;
        boolean overflow = false;
        for (; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return MALFORMED;
            }
            if (acc < multMin || acc * 10 < limit + d) {
                overflow = true;
            } else {
                acc = acc * 10 - d;
            }
        }
        if (overflow) {
            return OUT_OF_RANGE;
        }
        kind = FieldKind.INTEGER;
        longValue = negative ? acc : -acc;
        value = longValue;
        return OK;
    }

    private int scanUnsigned(byte[] b, int s, int e) {
        if (s == e) {
            return MALFORMED;
        }
        long acc = 0;
        boolean overflow = false;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return MALFORMED;
            }
            if (Long.compareUnsigned(acc, UNSIGNED_MAX_DIV_10) > 0
                    || (acc == UNSIGNED_MAX_DIV_10 && d > UNSIGNED_MAX_MOD_10)) {
                overflow = true;
            } else {
                acc = acc * 10 + d;
            }
        }
        if (overflow) {
            return OUT_OF_RANGE;
        }
        kind = FieldKind.UNSIGNED;
        longValue = acc;
        value = unsignedToDouble(acc);
        return OK;
    }

    /** The nearest double to the unsigned 64-bit value (the usual halve, keep the sticky bit, double trick). */
    static double unsignedToDouble(long bits) {
        return bits >= 0 ? bits : ((bits >>> 1) | (bits & 1)) * 2.0;
    }

    private int scanFloat(byte[] b, int s, int e) {
        int i = s;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int exp10 = 0;
        boolean anyDigit = false;
        boolean inexact = false;
        for (boolean fraction = false; i < e; i++) {
            int d = b[i] - '0';
            if (d >= 0 && d <= 9) {
                anyDigit = true;
                if (mantissa == 0 && d == 0) {
                    exp10 -= fraction ? 1 : 0;
                } else if (digits < MANTISSA_MAX_DIGITS) {
                    mantissa = mantissa * 10 + d;
                    digits++;
                    exp10 -= fraction ? 1 : 0;
                } else {
                    exp10 += fraction ? 0 : 1;
                    inexact |= d != 0;
                }
            } else if (b[i] == '.' && !fraction) {
                fraction = true;
            } else {
                break;
            }
        }
        if (!anyDigit) {
            return MALFORMED;
        }
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean negativeExp = i < e && b[i] == '-';
            if (i < e && (b[i] == '-' || b[i] == '+')) {
                i++;
            }
            int expStart = i;
            int exp = 0;
            for (; i < e && b[i] >= '0' && b[i] <= '9'; i++) {
                exp = Math.min(EXPONENT_CAP, exp * 10 + (b[i] - '0'));
            }
            if (i == expStart) {
                return MALFORMED;
            }
            exp10 += negativeExp ? -exp : exp;
        }
        if (i != e) {
            return MALFORMED;
        }
        kind = FieldKind.FLOAT;
        longValue = 0;
        if (mantissa == 0) {
            value = negative ? -0.0 : 0.0;
            return OK;
        }
        if (!inexact && digits <= FAST_PATH_MAX_DIGITS && Math.abs(exp10) <= FAST_PATH_MAX_EXP10) {
            double v = exp10 >= 0 ? mantissa * POW10[exp10] : mantissa / POW10[-exp10];
            value = negative ? -v : v;
            return OK;
        }
        double v = Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
        if (Double.isInfinite(v)) {
            return OUT_OF_RANGE;
        }
        value = v;
        return OK;
    }

    /** {@code b[s, e)} as a boolean: 1, 0, or -1 if it is none of the ten 1.x spellings. */
    static int scanBoolean(byte[] b, int s, int e) {
        int n = e - s;
        byte c = b[s];
        if (n == 1) {
            return c == 't' || c == 'T' ? 1 : 0;
        }
        if (matches(b, s, e, "true") || matches(b, s, e, "True") || matches(b, s, e, "TRUE")) {
            return 1;
        }
        return matches(b, s, e, "false") || matches(b, s, e, "False") || matches(b, s, e, "FALSE") ? 0 : -1;
    }

    private static boolean matches(byte[] b, int s, int e, String ascii) {
        if (e - s != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[s + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
