package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Expands the wildcards and regexes of a SELECT list and names its columns, as influxql's {@code RewriteFields}
 * and {@code ColumnNames} do:
 * <ul>
 *   <li>{@code *} and {@code /re/}: the fields and tags of the sources (tags grouped by excluded), sorted by name;
 *       {@code *::field}, {@code *::tag} only one kind;</li>
 *   <li>{@code mean(*)}, {@code mean(/re/)}, {@code derivative(mean(*))}: one call per field, named
 *       {@code mean_<field>};</li>
 *   <li>names: the alias, else the outermost function's name, else the field's; {@code a + b} is {@code a_b};
 *       a repeated name gets {@code _1}, {@code _2}, ...</li>
 * </ul>
 */
final class FieldExpander {
    /** One output column: its name and expression (references typed by a cast when they came from a wildcard). */
    record Column(String name, Expr expr) {}

    private FieldExpander() {}

    /**
     * @param fields     the SELECT list
     * @param fieldNames the fields of all sources
     * @param tagNames   the tags of all sources that may be selected (the GROUP BY tags removed)
     */
    static List<Column> expand(List<Statement.Field> fields, Set<String> fieldNames, Set<String> tagNames) {
        TreeMap<String, Expr.Cast> all = new TreeMap<>();
        tagNames.forEach(t -> all.put(t, Expr.Cast.TAG));
        fieldNames.forEach(f -> all.put(f, Expr.Cast.FIELD));
        List<Statement.Field> expanded = new ArrayList<>();
        for (Statement.Field f : fields) {
            Expr e = f.expr();
            if (e instanceof Expr.Wildcard w) {
                all.forEach((name, cast) -> {
                    if (w.cast() == Expr.Cast.NONE || w.cast() == cast) {
                        expanded.add(new Statement.Field(new Expr.VarRef(name, cast), null));
                    }
                });
            } else if (e instanceof Expr.RegexLit re) {
                Pattern p = compile(re);
                all.forEach((name, cast) -> {
                    if (p.matcher(name).find()) {
                        expanded.add(new Statement.Field(new Expr.VarRef(name, cast), null));
                    }
                });
            } else if (e instanceof Expr.Call c && innermost(c) != null) {
                expandCall(f, c, fieldNames, expanded);
            } else {
                Expr.walk(e, x -> {
                    if (x instanceof Expr.Wildcard || x instanceof Expr.RegexLit) {
                        throw new InvalidInputException("unsupported expression with wildcard or regex field in the "
                                + "SELECT list: use it alone or as a function's argument");
                    }
                });
                expanded.add(f);
            }
        }
        return name(expanded);
    }

    /** The wildcard or regex argument of the innermost call in a chain of first arguments, or null. */
    private static Expr innermost(Expr.Call c) {
        Expr.Call call = c;
        while (!call.args().isEmpty() && call.args().get(0) instanceof Expr.Call inner) {
            call = inner;
        }
        if (call.args().isEmpty()) {
            return null;
        }
        Expr arg = call.args().get(0);
        return arg instanceof Expr.Wildcard || arg instanceof Expr.RegexLit ? arg : null;
    }

    private static void expandCall(Statement.Field f, Expr.Call c, Set<String> fieldNames, List<Statement.Field> out) {
        Expr arg = innermost(c);
        if (arg instanceof Expr.Wildcard w && w.cast() == Expr.Cast.TAG) {
            throw new InvalidInputException("unable to use tag wildcard in " + c.name() + "()");
        }
        Pattern p = arg instanceof Expr.RegexLit re ? compile(re) : null;
        String prefix = f.alias() != null ? f.alias() : c.name();
        fieldNames.stream()
                .sorted()
                .filter(name -> p == null || p.matcher(name).find())
                .forEach(name -> out.add(new Statement.Field(
                        replaceInnermost(c, new Expr.VarRef(name, Expr.Cast.FIELD)), prefix + "_" + name)));
    }

    private static Expr.Call replaceInnermost(Expr.Call c, Expr replacement) {
        List<Expr> args = new ArrayList<>(c.args());
        args.set(0, args.get(0) instanceof Expr.Call inner ? replaceInnermost(inner, replacement) : replacement);
        return new Expr.Call(c.name(), args, c.offset());
    }

    private static Pattern compile(Expr.RegexLit re) {
        try {
            return Pattern.compile(SqlText.javaRegex(re.pattern()));
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException("invalid regex /" + re.pattern() + "/: " + e.getDescription());
        }
    }

    /** Names the columns: aliases first, then generated names with {@code _n} suffixes for repeats. */
    private static List<Column> name(List<Statement.Field> fields) {
        String[] names = new String[fields.size()];
        Map<String, Integer> used = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).alias() != null) {
                names[i] = fields.get(i).alias();
                used.put(names[i], 1);
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            if (names[i] != null) {
                continue;
            }
            String name = baseName(fields.get(i).expr());
            Integer count = used.get(name);
            if (count != null) {
                String candidate;
                do {
                    candidate = name + "_" + count;
                    count++;
                } while (used.containsKey(candidate));
                used.put(name, count);
                name = candidate;
            }
            used.merge(name, 1, Integer::sum);
            names[i] = name;
        }
        List<Column> out = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            out.add(new Column(names[i], fields.get(i).expr()));
        }
        return out;
    }

    /** InfluxQL's name of an unaliased field: call name, reference name, or the names in an expression joined by _. */
    static String baseName(Expr e) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.Call c) {
            return c.name();
        }
        if (x instanceof Expr.VarRef v) {
            return v.name();
        }
        if (x instanceof Expr.Binary) {
            List<String> parts = new ArrayList<>();
            collectNames(x, parts);
            return String.join("_", parts);
        }
        return "";
    }

    private static void collectNames(Expr e, List<String> out) {
        if (e instanceof Expr.VarRef v) {
            out.add(v.name());
        } else if (e instanceof Expr.Call c) {
            out.add(c.name());
        } else if (e instanceof Expr.Binary b) {
            collectNames(b.lhs(), out);
            collectNames(b.rhs(), out);
        } else if (e instanceof Expr.Paren p) {
            collectNames(p.inner(), out);
        }
    }
}
