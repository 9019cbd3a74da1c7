package io.meridian.common.lineprotocol;

import io.meridian.common.model.Names;

/**
 * {@link Names}' rules checked on UTF-8 bytes without building a String. A name that fails here is
 * re-checked with {@link Names#invalidReason} for the message, so the two cannot disagree on what is valid.
 */
final class NameRules {
    private static final boolean[] FIRST = new boolean[128];
    private static final boolean[] REST = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            FIRST[c] = letter || c == '_';
            REST[c] = FIRST[c] || (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '-';
        }
    }

    private NameRules() {}

    /** {@code [A-Za-z_][A-Za-z0-9_.:-]*}, 1 to {@link Names#MAX_NAME_LENGTH} bytes (all ASCII). */
    static boolean isValidName(byte[] a, int off, int len) {
        if (len == 0 || len > Names.MAX_NAME_LENGTH || a[off] < 0 || !FIRST[a[off]]) {
            return false;
        }
        for (int i = off + 1; i < off + len; i++) {
            byte c = a[i];
            if (c < 0 || !REST[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why a tag value breaks {@link Names#requireValidTagValue}'s rules (well-formed UTF-8, no NUL, at most
     * {@link Names#MAX_TAG_VALUE_LENGTH} UTF-16 characters as {@link String#length()} counts them), or null.
     */
    static String invalidTagValueReason(byte[] a, int off, int len) {
        if (len == 0) {
            return "must not be empty";
        }
        int chars = 0;
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = a[i] & 0xff;
            int n;
            if (c == 0) {
                return "contains NUL";
            } else if (c < 0x80) {
                n = 1;
            } else if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
            } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
            } else {
                return "not valid UTF-8 at byte " + (i - off);
            }
            if (end - i < n || !continuationOk(a, i, n, c)) {
                return "not valid UTF-8 at byte " + (i - off);
            }
            i += n;
            chars += n == 4 ? 2 : 1;
        }
        if (chars > Names.MAX_TAG_VALUE_LENGTH) {
            return "too long: got " + chars + " characters; want at most " + Names.MAX_TAG_VALUE_LENGTH;
        }
        return null;
    }

    /** Continuation bytes, without overlong forms, surrogates or code points above U+10FFFF (RFC 3629). */
    private static boolean continuationOk(byte[] a, int i, int n, int lead) {
        for (int k = 1; k < n; k++) {
            int c = a[i + k] & 0xff;
            int lo = 0x80;
            int hi = 0xbf;
            if (k == 1) {
                lo = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
                hi = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
            }
            if (c < lo || c > hi) {
                return false;
            }
        }
        return true;
    }
}
