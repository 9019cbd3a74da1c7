package io.meridian.broker.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Durations;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The native JSON query of {@code POST /api/v1/query} (docs/query-api.md), Druid's native queries' counterpart:
 * a {@link QuerySpec} as JSON in, a {@link QueryResult} as JSON out. Every error names the JSON path of the
 * offending value, and unknown keys are errors (a misspelt {@code "groupby"} must not silently drop the grouping).
 */
public final class NativeQueryCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> QUERY_KEYS = Set.of(
            "db",
            "metric",
            "start",
            "end",
            "bucket",
            "where",
            "groupBy",
            "select",
            "orderBy",
            "limit",
            "timeout",
            "maxGroups",
            "allowPartial");
    private static final Set<String> SELECT_KEYS = Set.of("fn", "field", "as", "q");
    private static final Set<String> ORDER_KEYS = Set.of("column", "desc");
    private static final int MAX_FILTER_DEPTH = 32;

    private final Duration defaultTimeout;
    private final int defaultMaxGroups;

    /** @param defaultTimeout and {@code defaultMaxGroups} apply when the request leaves them out; a request may lower them, not raise them */
    public NativeQueryCodec(Duration defaultTimeout, int defaultMaxGroups) {
        this.defaultTimeout = defaultTimeout;
        this.defaultMaxGroups = defaultMaxGroups;
    }

    /** Parses a request body. */
    public QuerySpec parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(
                    "malformed JSON query [body, line=" + e.getLocation().getLineNr() + ", column="
                            + e.getLocation().getColumnNr() + "]: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("BUG: reading a byte array failed", e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("malformed query [$]: want a JSON object");
        }
        checkKeys(root, QUERY_KEYS, "$");
        String db = text(root, "db", "$.db", true);
        String metric = text(root, "metric", "$.metric", true);
        long start = time(root.get("start"), "$.start");
        long end = time(root.get("end"), "$.end");
        long bucket =
                root.has("bucket") ? duration(root.get("bucket"), "$.bucket").toMillis() : 0;
        TagCondition filter = root.has("where") ? filter(root.get("where"), "$.where", 0) : TagCondition.all();
        List<String> groupBy = strings(root.get("groupBy"), "$.groupBy");
        List<AggCall> select = new ArrayList<>();
        JsonNode sel = root.get("select");
        if (sel == null || !sel.isArray() || sel.isEmpty()) {
            throw new InvalidInputException(
                    "missing select [$.select]: want a non-empty array like [{\"fn\":\"max\",\"field\":\"usage_user\"}]");
        }
        for (int i = 0; i < sel.size(); i++) {
            String at = "$.select[" + i + "]";
            JsonNode s = object(sel.get(i), at);
            checkKeys(s, SELECT_KEYS, at);
            QueryFunction fn = QueryFunction.parse(text(s, "fn", at + ".fn", true), at + ".fn");
            double q = Double.NaN;
            if (fn == QueryFunction.PERCENTILE) {
                JsonNode qn = s.get("q");
                if (qn == null || !qn.isNumber()) {
                    throw new InvalidInputException(
                            "missing quantile [" + at + ".q]: want a number in [0, 1], e.g. 0.99");
                }
                q = qn.asDouble();
            }
            select.add(new AggCall(fn, text(s, "field", at + ".field", true), q, text(s, "as", at + ".as", false)));
        }
        List<OrderKey> order = new ArrayList<>();
        JsonNode ob = root.get("orderBy");
        if (ob != null) {
            if (!ob.isArray()) {
                throw new InvalidInputException(
                        "invalid orderBy [$.orderBy]: want an array of {\"column\":..,\"desc\":..}");
            }
            for (int i = 0; i < ob.size(); i++) {
                String at = "$.orderBy[" + i + "]";
                JsonNode o = object(ob.get(i), at);
                checkKeys(o, ORDER_KEYS, at);
                order.add(new OrderKey(
                        text(o, "column", at + ".column", true), o.path("desc").asBoolean(false)));
            }
        }
        int limit = integer(root, "limit", 0);
        Duration timeout = root.has("timeout") ? duration(root.get("timeout"), "$.timeout") : defaultTimeout;
        if (timeout.compareTo(defaultTimeout) > 0) {
            throw new InvalidInputException(
                    "timeout over the broker's bound [$.timeout]: got " + Durations.format(timeout) + "; want at most "
                            + Durations.format(defaultTimeout) + " (broker.query.timeout)");
        }
        int maxGroups = integer(root, "maxGroups", defaultMaxGroups);
        if (maxGroups > defaultMaxGroups) {
            throw new InvalidInputException("group bound over the broker's bound [$.maxGroups]: got " + maxGroups
                    + "; want at most " + defaultMaxGroups + " (broker.query.max-groups)");
        }
        boolean partial = root.path("allowPartial").asBoolean(false);
        return new QuerySpec(
                db, metric, filter, start, end, bucket, groupBy, select, order, limit, timeout, maxGroups, partial);
    }

    /** Renders an answer: {@code {"columns":[{"name","type"}],"rows":[[..]],"partial":bool,"missingIdcs":[..]}}; timestamps as ISO-8601 UTC. */
    public static byte[] render(QueryResult result) {
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(256 + result.rows().size() * 64);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("columns");
            for (QueryResult.Column c : result.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("type", c.type().name());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            for (List<Object> row : result.rows()) {
                g.writeStartArray();
                for (int i = 0; i < row.size(); i++) {
                    Object v = row.get(i);
                    if (v == null) {
                        g.writeNull();
                    } else if (result.columns().get(i).type() == QueryResult.Type.TIMESTAMP) {
                        g.writeString(Instant.ofEpochMilli((Long) v).toString());
                    } else if (v instanceof Long l) {
                        g.writeNumber(l);
                    } else if (v instanceof Double d) {
                        g.writeNumber(d);
                    } else {
                        g.writeString(v.toString());
                    }
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeBooleanField("partial", result.isPartial());
            g.writeArrayFieldStart("missingIdcs");
            for (String idc : result.missingIdcs()) {
                g.writeString(idc);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("BUG: cannot render a query result", e);
        }
        return out.toByteArray();
    }

    private static TagCondition filter(JsonNode n, String at, int depth) {
        if (depth > MAX_FILTER_DEPTH) {
            throw new InvalidInputException(
                    "filter nested too deep [" + at + "]: want at most " + MAX_FILTER_DEPTH + " levels");
        }
        object(n, at);
        if (n.has("and") || n.has("or")) {
            String op = n.has("and") ? "and" : "or";
            checkKeys(n, Set.of(op), at);
            JsonNode parts = n.get(op);
            if (!parts.isArray() || parts.isEmpty()) {
                throw new InvalidInputException(
                        "invalid filter [" + at + "." + op + "]: want a non-empty array of filters");
            }
            List<TagCondition> list = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                list.add(filter(parts.get(i), at + "." + op + "[" + i + "]", depth + 1));
            }
            return op.equals("and") ? new TagCondition.And(list) : new TagCondition.Or(list);
        }
        if (n.has("not")) {
            checkKeys(n, Set.of("not"), at);
            return TagCondition.not(filter(n.get("not"), at + ".not", depth + 1));
        }
        checkKeys(n, Set.of("tag", "eq", "in", "prefix", "regex"), at);
        String tag = text(n, "tag", at + ".tag", true);
        if (n.has("eq")) {
            return TagCondition.eq(tag, text(n, "eq", at + ".eq", true));
        }
        if (n.has("in")) {
            return TagCondition.in(tag, strings(n.get("in"), at + ".in"));
        }
        if (n.has("prefix")) {
            return TagCondition.prefix(tag, text(n, "prefix", at + ".prefix", true));
        }
        if (n.has("regex")) {
            String pattern = text(n, "regex", at + ".regex", true);
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new InvalidInputException(
                        "invalid regex [" + at + ".regex, index=" + e.getIndex() + "]: " + e.getDescription());
            }
            return TagCondition.regex(tag, pattern);
        }
        throw new InvalidInputException("incomplete filter [" + at
                + "]: want one of eq, in, prefix, regex with the tag, " + "or and / or / not");
    }

    private static long time(JsonNode n, String at) {
        if (n == null || n.isNull()) {
            throw new InvalidInputException("missing time [" + at
                    + "]: want milliseconds since the epoch or ISO-8601 like " + "\"2026-01-01T00:00:00Z\"");
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        try {
            return Instant.parse(n.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("invalid time [" + at + "]: got \"" + n.asText()
                    + "\"; want milliseconds since the epoch or ISO-8601 like \"2026-01-01T00:00:00Z\"");
        }
    }

    private static Duration duration(JsonNode n, String at) {
        if (n.isIntegralNumber()) {
            return Duration.ofMillis(n.asLong());
        }
        return Durations.parse(at, n.asText());
    }

    private static String text(JsonNode parent, String key, String at, boolean required) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw new InvalidInputException("missing value [" + at + "]: want a string");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidInputException("invalid value [" + at + "]: got "
                    + n.getNodeType().name().toLowerCase(Locale.ROOT) + "; want a string");
        }
        return n.asText();
    }

    private static List<String> strings(JsonNode n, String at) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidInputException("invalid value [" + at + "]: want an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw new InvalidInputException("invalid value [" + at + "[" + i + "]]: want a string");
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    private static int integer(JsonNode parent, String key, int fallback) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt()) {
            throw new InvalidInputException("invalid value [$." + key + "]: got " + n + "; want an integer");
        }
        return n.asInt();
    }

    private static JsonNode object(JsonNode n, String at) {
        if (n == null || !n.isObject()) {
            throw new InvalidInputException("invalid value [" + at + "]: want a JSON object");
        }
        return n;
    }

    private static void checkKeys(JsonNode n, Set<String> allowed, String at) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidInputException(
                        "unknown key [" + at + "." + k + "]: want one of " + new TreeSet<>(allowed));
            }
        }
    }
}
