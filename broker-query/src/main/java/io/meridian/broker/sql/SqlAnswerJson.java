package io.meridian.broker.sql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meridian.sql.SqlAnswer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * The JSON body of a SQL answer ({@code POST /api/v1/sql}, API.md): {@code {"columns":[{"name","type"}],
 * "rows":[[...]],"stats":{"planningMs","executionMs"}}}, written value by value as UTF-8 bytes. The rows are not
 * copied into maps and lists first, and the body is not built as a string and then encoded again: a 1,000-row
 * lastpoint answer's body took 0.9 ms of a cold broker's request thread that way. Values are JSON as Jackson writes
 * them (doubles by the shortest representation, NaN and infinities as strings, timestamps already ISO text).
 */
public final class SqlAnswerJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private SqlAnswerJson() {}

    /** The answer's body. */
    public static byte[] bytes(SqlAnswer answer) {
        ByteArrayBuilder out = new ByteArrayBuilder(
                64 + answer.rows().size() * answer.columns().size() * 8);
        char[] digits = new char[SHORT_DECIMAL_CHARS];
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("columns");
            for (SqlAnswer.Column c : answer.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("type", c.type());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            for (List<Object> row : answer.rows()) {
                g.writeStartArray();
                for (Object v : row) {
                    write(g, v, digits);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("stats");
            g.writeNumberField("planningMs", answer.planningNanos() / 1e6);
            g.writeNumberField("executionMs", answer.executionNanos() / 1e6);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("BUG: cannot write a SQL answer to memory", e);
        }
        return out.toByteArray();
    }

    /** Longest text {@link #shortDecimal} writes: a sign, 7 integer digits, the point and 3 decimals. */
    static final int SHORT_DECIMAL_CHARS = 12;

    private static final double[] POWERS = {1, 10, 100, 1_000};

    /**
     * Writes {@code v} into {@code out} as the shortest decimal that reads back as {@code v}, exactly as Java and
     * Jackson write it ({@code 39.04}, {@code 5.0}, {@code -0.001}), when it has at most 3 decimals and
     * {@code 0.001 <= |v| < 10^7} (metrics' values mostly do); returns its length, or 0 when {@code v} is not such a
     * number (the caller then writes it the general way). A decimal {@code m / 10^k} with {@code m < 2^53} is exact
     * on both sides of the division, which is correctly rounded, so {@code m / 10^k == v} proves that the decimal
     * reads back as {@code v}; the first {@code k} that does is the shortest, and in this range no other decimal with
     * as few digits reads back as {@code v} (a double's spacing there is below 10^-3).
     */
    static int shortDecimal(double v, char[] out) {
        double a = Math.abs(v);
        if (!(a >= 0.001 && a < 10_000_000)) {
            return 0;
        }
        for (int k = 0; k < POWERS.length; k++) {
            long m = Math.round(a * POWERS[k]);
            if (m / POWERS[k] == a) {
                return format(v < 0, m, k, out);
            }
        }
        return 0;
    }

    /** {@code [-]int.frac} of {@code m / 10^k}, with one decimal at least ({@code 5.0}). */
    private static int format(boolean negative, long m, int k, char[] out) {
        long unit = (long) POWERS[k];
        long whole = m / unit;
        long frac = m % unit;
        int n = 0;
        if (negative) {
            out[n++] = '-';
        }
        int digits = 1; // whole < 10^7: its digits written in place, without a string per value
        for (long p = 10; p <= whole; p *= 10) {
            digits++;
        }
        for (int i = n + digits - 1; i >= n; i--) {
            out[i] = (char) ('0' + whole % 10);
            whole /= 10;
        }
        n += digits;
        out[n++] = '.';
        if (k == 0) {
            out[n++] = '0';
            return n;
        }
        for (long p = unit / 10; p > 0; p /= 10) {
            out[n++] = (char) ('0' + frac / p % 10);
        }
        return n;
    }

    private static void write(JsonGenerator g, Object v, char[] digits) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            int n = shortDecimal(d, digits);
            if (n > 0) {
                g.writeRawValue(digits, 0, n);
            } else {
                g.writeNumber(d);
            }
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else {
            g.writeObject(v); // anything else as Jackson maps it (floats, shorts, arrays)
        }
    }
}
