package io.meridian.common.lineprotocol;

/**
 * Finds where measurements, keys and tag values end, with InfluxDB 1.x's rule, and unescapes them into a
 * reused scratch buffer when they hold backslashes (models/points.go {@code scanTagsKey},
 * {@code scanTagsValue}, {@code unescapeTag}; pkg/escape for field keys). Not thread-safe.
 */
final class TokenScanner {
    /** A measurement: {@code \,} and {@code \ } are escapes (1.x measurementEscapeCodes). */
    static final int ESCAPES_MEASUREMENT = 0;
    /** A tag key or value: {@code \,}, {@code \ } and {@code \=} (1.x tagEscapeCodes). */
    static final int ESCAPES_TAG = 1;
    /** A field key: as tags, plus {@code \"} (1.x escape.Codes). */
    static final int ESCAPES_FIELD_KEY = 2;

    private static final int INITIAL_SCRATCH_BYTES = 256;

    private byte[] scratch = new byte[INITIAL_SCRATCH_BYTES];
    private int scratchUsed;
    private boolean escaped;

    /**
     * Forgets the previous line's unescaped tokens. Slices of this line stay valid even if the scratch
     * buffer grows (a grown buffer is a new array; the old one is left as it was).
     */
    void newLine() {
        scratchUsed = 0;
    }

    /**
     * The end of a measurement, key or tag value starting at {@code p}: the first space or comma (or
     * {@code =}) whose previous byte is not a backslash, exactly InfluxDB 1.x's rule; sets
     * {@link #escaped} if the token holds a backslash.
     */
    int scan(byte[] b, int p, int end, boolean stopAtEquals) {
        boolean escaped = false;
        int i = p;
        for (; i < end; i++) {
            byte c = b[i];
            if (c == ',' || c == ' ' || (c == '=' && stopAtEquals)) {
                if (i == p || b[i - 1] != '\\') {
                    break;
                }
            } else if (c == '\\') {
                escaped = true;
            }
        }
        this.escaped = escaped;
        return i;
    }

    /**
     * Points the slot at the token, unescaped into the scratch buffer if it had backslashes: a backslash
     * before an escapable byte is dropped (comma and space; also {@code =} in keys and tag values, and
     * {@code "} in field keys, as 1.x unescapes them), any other backslash is literal.
     */
    void store(Utf8Slice slot, byte[] b, int s, int e, int escapes) {
        if (!escaped) {
            slot.set(b, s, e - s);
            return;
        }
        if (scratch.length - scratchUsed < e - s) {
            byte[] grown = new byte[Math.max(scratch.length * 2, scratchUsed + e - s)];
            System.arraycopy(scratch, 0, grown, 0, scratchUsed);
            scratch = grown;
        }
        int start = scratchUsed;
        for (int i = s; i < e; i++) {
            byte c = b[i];
            if (c == '\\' && i + 1 < e) {
                byte n = b[i + 1];
                if (n == ','
                        || n == ' '
                        || (n == '=' && escapes != ESCAPES_MEASUREMENT)
                        || (n == '"' && escapes == ESCAPES_FIELD_KEY)) {
                    c = n;
                    i++;
                }
            }
            scratch[scratchUsed++] = c;
        }
        slot.set(scratch, start, scratchUsed - start);
    }
}
