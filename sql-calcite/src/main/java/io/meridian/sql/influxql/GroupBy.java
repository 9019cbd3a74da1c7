package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The GROUP BY of a SELECT: at most one {@code time(interval[, offset])}, and tags by name, {@code *} or regex.
 *
 * @param intervalNs  the time interval, 0 without {@code time()}
 * @param offsetNs    the {@code time()} offset
 * @param tags        tags named
 * @param allTags     whether {@code *} was given
 * @param tagPatterns regexes over tag names
 */
record GroupBy(long intervalNs, long offsetNs, List<String> tags, boolean allTags, List<String> tagPatterns) {
    /**
     * @throws InvalidInputException for a second time(), a bad time() argument or a dimension that is not a tag
     */
    static GroupBy of(List<Expr> dimensions) {
        long interval = 0;
        long offset = 0;
        boolean all = false;
        List<String> tags = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        for (Expr d : dimensions) {
            Expr x = Expr.unwrap(d);
            if (x instanceof Expr.Call c && c.name().equals("time")) {
                if (interval != 0) {
                    throw new InvalidInputException("multiple time dimensions not allowed");
                }
                interval = duration(c, 0, "time dimension must have duration argument");
                if (interval <= 0) {
                    throw new InvalidInputException("time dimension must have a positive duration argument");
                }
                if (c.args().size() == 2) {
                    offset = duration(c, 1, "time dimension offset must be a duration");
                } else if (c.args().size() != 1) {
                    throw new InvalidInputException("time dimension expected 1 or 2 arguments");
                }
            } else if (x instanceof Expr.VarRef v) {
                if (v.cast() == Expr.Cast.FIELD) {
                    throw new InvalidInputException("can only group by tags, got field " + v.name());
                }
                tags.add(v.name());
            } else if (x instanceof Expr.Wildcard) {
                all = true;
            } else if (x instanceof Expr.RegexLit re) {
                patterns.add(SqlText.javaRegex(re.pattern()));
            } else {
                throw new InvalidInputException("only time and tag dimensions allowed");
            }
        }
        return new GroupBy(interval, offset, List.copyOf(tags), all, List.copyOf(patterns));
    }

    private static long duration(Expr.Call c, int i, String error) {
        if (c.args().size() <= i) {
            throw new InvalidInputException(error);
        }
        Expr arg = c.args().get(i);
        if (arg instanceof Expr.DurationLit d) {
            return d.nanos();
        }
        if (arg instanceof Expr.Call now && now.name().equals("now")) {
            throw new InvalidInputException("not supported: time dimension offset now()");
        }
        throw new InvalidInputException(error);
    }

    boolean byTime() {
        return intervalNs > 0;
    }

    /** Whether tags come from {@code *} or regexes (which then are not selectable by a SELECT {@code *}). */
    boolean tagWildcard() {
        return allTags || !tagPatterns.isEmpty();
    }

    /** The tags grouped by among {@code available} (every one for {@code *}), sorted and distinct. */
    List<String> resolve(Collection<String> available) {
        TreeSet<String> out = new TreeSet<>(tags);
        for (String t : available) {
            if (allTags
                    || tagPatterns.stream()
                            .anyMatch(p -> Pattern.compile(p).matcher(t).find())) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }
}
