package io.meridian.common.lineprotocol;

import io.meridian.common.model.Names;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Objects;

/**
 * Parses an InfluxDB 1.x line-protocol body straight from its UTF-8 bytes and hands each good line to a
 * {@link LineVisitor} through a reused {@link LineView}; bad lines are reported by number, column and
 * reason, and parsing goes on with the next line. The grammar, limits and every error message are in this
 * package's README.md.
 *
 * <p>Hot path: no object is allocated per line or per field once the view's arrays have grown to the widest
 * line; tokens without escapes are slices of the body, escaped tokens are unescaped into a scratch buffer;
 * strings are only built for error messages and for the rare float that misses the exact fast path
 * ({@link NumberScanner}).
 *
 * <p>With {@link LineProtocolOptions#atomic()} (the default) a body is validated in full first and delivered
 * only if no line is bad, which is what Meridian's write endpoint wants ("bad input changes nothing");
 * InfluxDB instead writes the good lines and answers 400 naming the bad ones, which a non-atomic parse
 * supports.
 *
 * <p>Not thread-safe: use one parser per thread (it is cheap, and reusing one keeps the view's arrays warm).
 */
public final class LineProtocolParser {
    private static final int LINE_BLANK = 0;
    private static final int LINE_OK = 1;
    private static final int LINE_SKIPPED = 2;
    private static final int LINE_BAD = 3;
    private static final int MAX_QUOTED_BYTES = 64;

    private final LineProtocolOptions options;
    private final LineView view = new LineView();
    private final NumberScanner numbers = new NumberScanner();
    private final ArrayList<LineError> errors = new ArrayList<>();
    private final TokenScanner tokens = new TokenScanner();
    private byte[] copy = new byte[0];
    private int lineStart;
    private int errorColumn;
    private String errorReason;
    /** String fields skipped on the current line (counted only when the line is not bad). */
    private int lineStringsSkipped;
    /** The names of the last good line of this body, by position: checking a repeated name is a comparison. */
    private final KnownNames known = new KnownNames();

    public LineProtocolParser() {
        this(LineProtocolOptions.DEFAULTS);
    }

    public LineProtocolParser(LineProtocolOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public LineProtocolOptions options() {
        return options;
    }

    /**
     * Parses {@code body[off, off + len)} and delivers the good lines (all or none when atomic).
     *
     * @param precision the unit of the lines' timestamps
     * @param defaultTimeMs the time of lines without a timestamp (usually the server's receive time)
     * @throws IndexOutOfBoundsException if the range is not inside {@code body}
     * @throws RuntimeException whatever the visitor throws, which aborts the parse
     */
    public ParseResult parse(
            byte[] body, int off, int len, Precision precision, long defaultTimeMs, LineVisitor visitor) {
        Objects.checkFromIndexSize(off, len, body.length);
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(visitor, "visitor");
        if (options.atomic()) {
            ParseResult check = run(body, off, off + len, precision, defaultTimeMs, null);
            if (check.hasErrors()) {
                return check;
            }
        }
        return run(body, off, off + len, precision, defaultTimeMs, visitor);
    }

    /**
     * Parses the buffer's remaining bytes without moving its position (a direct buffer is copied once into a
     * reused array).
     */
    public ParseResult parse(ByteBuffer body, Precision precision, long defaultTimeMs, LineVisitor visitor) {
        if (body.hasArray()) {
            return parse(
                    body.array(),
                    body.arrayOffset() + body.position(),
                    body.remaining(),
                    precision,
                    defaultTimeMs,
                    visitor);
        }
        if (copy.length < body.remaining()) {
            copy = new byte[body.remaining()];
        }
        int n = body.remaining();
        body.duplicate().get(copy, 0, n);
        return parse(copy, 0, n, precision, defaultTimeMs, visitor);
    }

    /** Checks every line and delivers nothing: the cheap first pass of a caller's own two-pass scheme. */
    public ParseResult validate(byte[] body, int off, int len, Precision precision) {
        Objects.checkFromIndexSize(off, len, body.length);
        Objects.requireNonNull(precision, "precision");
        return run(body, off, off + len, precision, 0, null);
    }

    private ParseResult run(byte[] b, int off, int end, Precision precision, long defaultTimeMs, LineVisitor visitor) {
        errors.clear();
        known.forget();
        int read = 0;
        int valid = 0;
        int skipped = 0;
        int stringsSkipped = 0;
        int bad = 0;
        int lineNo = 0;
        for (int p = off; p < end; ) {
            lineNo++;
            int nl = p;
            while (nl < end && b[nl] != '\n') {
                nl++;
            }
            int lineEnd = nl > p && b[nl - 1] == '\r' ? nl - 1 : nl;
            switch (parseLine(b, p, lineEnd, lineNo, precision, defaultTimeMs)) {
                case LINE_OK -> {
                    known.remember(b, view);
                    read++;
                    valid++;
                    stringsSkipped += lineStringsSkipped;
                    if (visitor != null) {
                        visitor.line(view);
                    }
                }
                case LINE_SKIPPED -> {
                    read++;
                    skipped++;
                    stringsSkipped += lineStringsSkipped;
                }
                case LINE_BAD -> {
                    read++;
                    bad++;
                    if (errors.size() < options.maxErrors()) {
                        errors.add(new LineError(lineNo, errorColumn, errorReason));
                    }
                }
                default -> {}
            }
            p = nl + 1;
        }
        view.release();
        return new ParseResult(read, valid, visitor == null ? 0 : valid, skipped, stringsSkipped, bad, errors);
    }

    private int parseLine(byte[] b, int start, int end, int lineNo, Precision precision, long defaultTimeMs) {
        lineStart = start;
        lineStringsSkipped = 0;
        tokens.newLine();
        view.reset(lineNo);
        known.newLine();
        int p = start;
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        if (p == end || b[p] == '#') {
            return LINE_BLANK;
        }
        p = parseSeriesKey(b, p, end);
        if (p < 0) {
            return LINE_BAD;
        }
        p = parseFields(b, p, end);
        if (p < 0) {
            return LINE_BAD;
        }
        if (!parseTimestamp(b, p, end, precision, defaultTimeMs)) {
            return LINE_BAD;
        }
        return view.fieldCount() == 0 ? LINE_SKIPPED : LINE_OK;
    }

    /** Measurement and tags; returns the index of the space before the fields, or -1. */
    private int parseSeriesKey(byte[] b, int p, int end) {
        if (b[p] == ',') {
            return fail(p, "missing measurement");
        }
        int q = tokens.scan(b, p, end, false);
        Utf8Slice measurement = view.measurementSlot();
        tokens.store(measurement, b, p, q, TokenScanner.ESCAPES_MEASUREMENT);
        if (options.validateNames() && !known.measurement(b, measurement) && !checkName("metric", measurement, p)) {
            return -1;
        }
        while (q < end && b[q] == ',') {
            q = parseTag(b, q + 1, end);
            if (q < 0) {
                return -1;
            }
        }
        return q == end ? fail(q, "missing fields") : q;
    }

    /** One {@code key=value}; returns the index after the value, or -1. */
    private int parseTag(byte[] b, int p, int end) {
        if (p == end || b[p] == ',' || b[p] == ' ' || b[p] == '=') {
            return fail(p, "missing tag key");
        }
        if (view.tagCount() == options.maxTagsPerLine()) {
            return fail(p, "too many tags: want at most " + options.maxTagsPerLine());
        }
        int q = tokens.scan(b, p, end, true);
        int t = view.addTag();
        Utf8Slice key = view.tagKeySlot(t);
        tokens.store(key, b, p, q, TokenScanner.ESCAPES_TAG);
        if (q == end || b[q] != '=') {
            return fail(q, "missing tag value for tag '" + shorten(key) + "'");
        }
        if (!known.tagKey(b, t, key)) { // else valid, and unlike the keys before it, as on the last good line
            if (options.validateNames() && !checkName("tag", key, p)) {
                return -1;
            }
            for (int i = 0; i < t; i++) {
                if (view.tagKeySlot(i).contentEquals(key)) {
                    return fail(p, "duplicate tag '" + shorten(key) + "'");
                }
            }
        }
        int vs = q + 1;
        if (vs == end || b[vs] == ',' || b[vs] == ' ' || b[vs] == '=') {
            return vs < end && b[vs] == '='
                    ? fail(vs, "invalid tag value for tag '" + shorten(key) + "': unescaped '='")
                    : fail(vs, "missing tag value for tag '" + shorten(key) + "'");
        }
        int ve = tokens.scan(b, vs, end, true);
        if (ve < end && b[ve] == '=') {
            return fail(ve, "invalid tag value for tag '" + shorten(key) + "': unescaped '='");
        }
        Utf8Slice value = view.tagValueSlot(t);
        tokens.store(value, b, vs, ve, TokenScanner.ESCAPES_TAG);
        if (options.validateNames() && !checkTagValue(key, value, vs)) {
            return -1;
        }
        return ve;
    }

    /** The field set after one or more spaces; returns the index after the last value, or -1. */
    private int parseFields(byte[] b, int p, int end) {
        while (p < end && b[p] == ' ') {
            p++;
        }
        if (p == end) {
            return fail(p, "missing fields");
        }
        for (int seen = 0; ; seen++) {
            if (p == end || b[p] == ',' || b[p] == ' ' || b[p] == '=') {
                return fail(p, "missing field key");
            }
            if (seen == options.maxFieldsPerLine()) {
                return fail(p, "too many fields: want at most " + options.maxFieldsPerLine());
            }
            p = parseField(b, p, end);
            if (p < 0 || p == end || b[p] == ' ') {
                return p;
            }
            p++;
        }
    }

    /** One {@code key=value}; returns the index after the value (end, ',' or ' '), or -1. */
    private int parseField(byte[] b, int p, int end) {
        int q = tokens.scan(b, p, end, true);
        Utf8Slice key = view.nextFieldKeySlot();
        tokens.store(key, b, p, q, TokenScanner.ESCAPES_FIELD_KEY);
        if (q == end || b[q] != '=' || q + 1 == end || b[q + 1] == ',' || b[q + 1] == ' ') {
            return fail(q == end || b[q] != '=' ? q : q + 1, "missing field value for field '" + shorten(key) + "'");
        }
        if (!known.fieldKey(b, view.fieldCount(), key)) { // else valid and unlike the fields before it
            if (options.validateNames() && !checkName("field", key, p)) {
                return -1;
            }
            for (int i = 0; i < view.fieldCount(); i++) {
                if (view.fieldKey(i).contentEquals(key)) {
                    return fail(p, "duplicate field '" + shorten(key) + "'");
                }
            }
        }
        int vs = q + 1;
        if (b[vs] == '"') {
            return parseStringField(b, vs, end, key);
        }
        int ve = vs;
        while (ve < end && b[ve] != ',' && b[ve] != ' ') {
            ve++;
        }
        byte c = b[vs];
        if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
            int bool = NumberScanner.scanBoolean(b, vs, ve);
            if (bool < 0) {
                return fail(vs, "invalid field value '" + quote(b, vs, ve) + "' for field '" + shorten(key) + "'");
            }
            view.commitField(FieldKind.BOOLEAN, bool, bool);
            return ve;
        }
        int rc = numbers.scan(b, vs, ve);
        if (rc != NumberScanner.OK) {
            return fail(
                    vs,
                    (rc == NumberScanner.OUT_OF_RANGE ? "field value out of range '" : "invalid field value '")
                            + quote(b, vs, ve) + "' for field '" + shorten(key) + "'");
        }
        view.commitField(numbers.kind, numbers.value, numbers.longValue);
        return ve;
    }

    /**
     * A quoted string: {@code \"} and {@code \\} are escapes, any other backslash is literal (1.x). A newline
     * always ends the line, so a string cannot span lines.
     */
    private int parseStringField(byte[] b, int vs, int end, Utf8Slice key) {
        int i = vs + 1;
        while (i < end && b[i] != '"') {
            i += b[i] == '\\' && i + 1 < end && (b[i + 1] == '"' || b[i + 1] == '\\') ? 2 : 1;
        }
        if (i >= end) {
            return fail(vs, "unterminated string for field '" + shorten(key) + "'");
        }
        i++;
        if (i < end && b[i] != ',' && b[i] != ' ') {
            return fail(i, "unexpected text after string for field '" + shorten(key) + "'");
        }
        if (options.stringFields() == StringFieldPolicy.REJECT) {
            return fail(vs, "string fields are not supported [field=" + shorten(key) + "]");
        }
        lineStringsSkipped++;
        return i;
    }

    private boolean parseTimestamp(byte[] b, int p, int end, Precision precision, long defaultTimeMs) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        if (p == end) {
            view.timestamp(defaultTimeMs, false);
            return true;
        }
        int te = p;
        while (te < end && b[te] != ' ' && b[te] != '\t') {
            te++;
        }
        boolean negative = b[p] == '-';
        int i = negative ? p + 1 : p;
        long acc = 0;
        boolean overflow = false;
        for (int k = i; k < te; k++) {
            int d = b[k] - '0';
            if (d < 0 || d > 9) {
                return fail(p, "invalid timestamp '" + quote(b, p, te) + "'") >= 0;
            }
            overflow |= acc < (Long.MIN_VALUE + d) / 10;
            acc = acc * 10 - d;
        }
        if (i == te) {
            return fail(p, "invalid timestamp '" + quote(b, p, te) + "'") >= 0;
        }
        long ts = negative ? acc : -acc;
        if (overflow || (!negative && acc == Long.MIN_VALUE) || !precision.fitsMillis(ts)) {
            return fail(p, "timestamp out of range '" + quote(b, p, te) + "' [precision=" + precision.symbol() + "]")
                    >= 0;
        }
        for (p = te; p < end && (b[p] == ' ' || b[p] == '\t'); p++) {}
        if (p < end) {
            return fail(p, "unexpected text after timestamp") >= 0;
        }
        view.timestamp(precision.toMillis(ts), true);
        return true;
    }

    private boolean checkName(String what, Utf8Slice name, int column) {
        if (NameRules.isValidName(name.array(), name.offset(), name.length())) {
            return true;
        }
        String s = name.toString();
        String reason = Names.invalidReason(s);
        if (reason == null) {
            return true;
        }
        fail(column, "invalid " + what + " name [" + what + "=" + shorten(name) + "]: " + reason);
        return false;
    }

    private boolean checkTagValue(Utf8Slice key, Utf8Slice value, int column) {
        String reason = NameRules.invalidTagValueReason(value.array(), value.offset(), value.length());
        if (reason == null) {
            return true;
        }
        fail(column, "invalid tag value [tag=" + shorten(key) + "]: " + reason);
        return false;
    }

    private int fail(int at, String reason) {
        errorColumn = at - lineStart + 1;
        errorReason = reason;
        return -1;
    }

    private static String shorten(Utf8Slice s) {
        return quote(s.array(), s.offset(), s.offset() + s.length());
    }

    /** The bytes for an error message, cut to {@value #MAX_QUOTED_BYTES} bytes. */
    private static String quote(byte[] b, int s, int e) {
        return e - s <= MAX_QUOTED_BYTES
                ? new String(b, s, e - s, StandardCharsets.UTF_8)
                : new String(b, s, MAX_QUOTED_BYTES, StandardCharsets.UTF_8) + "...";
    }
}
