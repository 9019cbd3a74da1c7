package io.meridian.common.lineprotocol;

/**
 * What the parser does with a quoted string field value ({@code msg="hello"}). Meridian stores numbers
 * only, so strings are never delivered; they are always parsed per the spec first (escapes {@code \"} and
 * {@code \\}), so a malformed string is an error under either policy.
 */
public enum StringFieldPolicy {
    /** The line is bad: "string fields are not supported [field=msg]" ({@code write.string-fields: reject}). */
    REJECT,
    /**
     * The string field is dropped and the line's numeric fields are delivered; a line left with no numeric
     * field is counted in {@link ParseResult#linesSkipped()} and not delivered (Telegraf sends such lines,
     * e.g. {@code system uptime_format="..."}). The broker's and the ingest job's default, as InfluxDB clients
     * and Telegraf mix strings into numeric batches.
     */
    SKIP
}
