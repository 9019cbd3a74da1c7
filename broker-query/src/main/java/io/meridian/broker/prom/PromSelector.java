package io.meridian.broker.prom;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.prometheus.LabelMatcher;
import io.meridian.sql.Catalog;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One remote-read query's label matchers planned over Meridian's metrics: which (metric, field) pairs a
 * Prometheus series name stands for, and the SQL that reads their samples with the other matchers pushed into the
 * tag filter.
 *
 * <p>Series names: a metric's field {@code value} (what remote write stores) is the series {@code metric}; any
 * other field {@code f} is {@code metric_f}, so line-protocol data ({@code cpu usage_user=..}) reads as
 * {@code cpu_usage_user}, as in VictoriaMetrics. Matchers follow Prometheus: regexes are RE2 and fully anchored, a
 * label a series does not have has the value {@code ""}. (Regexes are checked here with {@code java.util.regex},
 * as the storage nodes' tag filter does; the RE2 syntax Prometheus users write is a subset of it in practice.)
 */
final class PromSelector {
    /** A series family to read: a metric's field under its Prometheus name, and the SQL reading its samples. */
    record Target(String name, String metric, String field, List<String> tagKeys, String sql) {}

    private static final String NAME = "__name__";

    private PromSelector() {}

    /**
     * @param startMs inclusive; the first slot read is the one that holds it
     * @param endMs   inclusive
     */
    static List<Target> plan(
            Catalog catalog, String db, List<LabelMatcher> matchers, long startMs, long endMs, long slotMs) {
        List<Compiled> compiled = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            compiled.add(compile(m));
        }
        List<Target> out = new ArrayList<>();
        for (String metric : catalog.metrics(db)) {
            Catalog.Metric def = catalog.metric(db, metric).orElse(null);
            if (def == null) {
                continue;
            }
            for (Map.Entry<String, FieldType> field : def.fields().entrySet()) {
                String name = field.getKey().equals("value") ? metric : metric + "_" + field.getKey();
                Target t = target(def, field.getKey(), name, compiled, startMs, endMs, slotMs);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static Target target(
            Catalog.Metric def,
            String field,
            String name,
            List<Compiled> matchers,
            long startMs,
            long endMs,
            long slotMs) {
        List<String> predicates = new ArrayList<>();
        for (Compiled m : matchers) {
            if (m.label().equals(NAME)) {
                if (!m.matches(name)) {
                    return null;
                }
            } else if (def.tagKeys().contains(m.label())) {
                predicates.add(m.sql());
            } else if (!m.matches("")) { // a label this metric never has reads as ""
                return null;
            }
        }
        long from = Math.floorDiv(startMs, slotMs) * slotMs;
        StringBuilder sql = new StringBuilder("SELECT \"ts\"");
        def.tagKeys().forEach(k -> sql.append(", ").append(ident(k)));
        sql.append(", ")
                .append(ident(field))
                .append(" FROM ")
                .append(ident(def.name()))
                .append(" WHERE \"ts\" >= ")
                .append(timestamp(from))
                .append(" AND \"ts\" <= ")
                .append(timestamp(endMs))
                .append(" AND ")
                .append(ident(field))
                .append(" IS NOT NULL");
        predicates.forEach(p -> sql.append(" AND ").append(p));
        return new Target(name, def.name(), field, def.tagKeys(), sql.toString());
    }

    private record Compiled(String label, LabelMatcher.Type type, String value, Pattern regex) {
        boolean matches(String v) {
            return switch (type) {
                case EQ -> v.equals(value);
                case NEQ -> !v.equals(value);
                case RE -> regex.matcher(v).matches();
                case NRE -> !regex.matcher(v).matches();
                default -> throw new IllegalStateException("unreachable: " + type);
            };
        }

        String sql() {
            String col = ident(label);
            return switch (type) {
                case EQ -> col + " = " + literal(value);
                case NEQ -> col + " <> " + literal(value);
                case RE -> "REGEXP_LIKE(" + col + ", " + literal("^(?:" + value + ")$") + ")";
                case NRE -> "NOT REGEXP_LIKE(" + col + ", " + literal("^(?:" + value + ")$") + ")";
                default -> throw new IllegalStateException("unreachable: " + type);
            };
        }
    }

    private static Compiled compile(LabelMatcher m) {
        if (m.getType() == LabelMatcher.Type.UNRECOGNIZED) {
            throw new InvalidInputException("unknown label matcher type [label=" + m.getName() + ", type="
                    + m.getTypeValue() + "]: want EQ, NEQ, RE or NRE");
        }
        Pattern regex = null;
        if (m.getType() == LabelMatcher.Type.RE || m.getType() == LabelMatcher.Type.NRE) {
            try {
                regex = Pattern.compile("^(?:" + m.getValue() + ")$");
            } catch (PatternSyntaxException e) {
                throw new InvalidInputException(
                        "invalid regex [label=" + m.getName() + ", regex=" + m.getValue() + "]: " + e.getMessage());
            }
        }
        return new Compiled(m.getName(), m.getType(), m.getValue(), regex);
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static final DateTimeFormatter SQL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private static String timestamp(long ms) {
        return "TIMESTAMP '" + SQL_TIME.format(Instant.ofEpochMilli(ms)) + "'";
    }
}
