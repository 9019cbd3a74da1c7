package io.meridian.sql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an unknown table or column in a statement might have meant: the names of the database closest to it. */
final class NameHints {
    private static final Pattern OBJECT = Pattern.compile("Object '([^']+)' not found");
    private static final Pattern COLUMN = Pattern.compile("Column '([^']+)' not found");
    private static final int MAX_LISTED = 12;

    private NameHints() {}

    /** A hint like {@code "; did you mean 'host'? (columns: ...)"} for a validation message, or "" when none fits. */
    static String forMessage(String message, Catalog catalog, String database) {
        if (message == null || database == null || catalog.database(database).isEmpty()) {
            return "";
        }
        Matcher object = OBJECT.matcher(message);
        if (object.find()) {
            return hint(object.group(1), catalog.metrics(database), "tables of " + database);
        }
        Matcher column = COLUMN.matcher(message);
        if (column.find()) {
            Set<String> names = new TreeSet<>();
            for (String m : catalog.metrics(database)) {
                catalog.metric(database, m).ifPresent(x -> {
                    names.add("ts");
                    names.addAll(x.tagKeys());
                    names.addAll(x.fields().keySet());
                });
            }
            return hint(column.group(1), List.copyOf(names), "columns in " + database);
        }
        return "";
    }

    private static String hint(String wanted, List<String> names, String what) {
        if (names.isEmpty()) {
            return "; " + what + ": none";
        }
        String w = wanted.toLowerCase(Locale.ROOT);
        List<String> close = new ArrayList<>(names.stream()
                .filter(n -> distance(w, n.toLowerCase(Locale.ROOT)) <= 2
                        || n.toLowerCase(Locale.ROOT).startsWith(w)
                        || w.startsWith(n.toLowerCase(Locale.ROOT)))
                .sorted(Comparator.comparingInt(n -> distance(w, n.toLowerCase(Locale.ROOT))))
                .limit(3)
                .toList());
        String listed = names.size() <= MAX_LISTED ? " (" + what + ": " + String.join(", ", names) + ")" : "";
        if (close.isEmpty()) {
            return listed.isEmpty() ? "; " + names.size() + " " + what : ";" + listed;
        }
        return "; did you mean "
                + String.join(" or ", close.stream().map(n -> "'" + n + "'").toList()) + "?" + listed;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
