package io.meridian.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys one role understands. {@link #parse} reads a {@link ConfigTree} strictly: every key of the file must
 * be declared here or belong to another role's prefix (so one file can configure every role), required keys
 * must be set, and every value must parse. The first problem fails start-up with a {@link ConfigException}
 * naming the key and the file.
 */
public final class ConfigDef {
    private final Map<String, ConfigOption<?>> options = new LinkedHashMap<>();
    private final Set<String> otherRolePrefixes;

    /**
     * @param otherRolePrefixes key prefixes (e.g. {@code broker.}) left to other roles reading the same file
     */
    public ConfigDef(List<ConfigOption<?>> options, Set<String> otherRolePrefixes) {
        for (ConfigOption<?> o : options) {
            if (this.options.put(o.key(), o) != null) {
                throw new IllegalArgumentException("BUG: configuration key declared twice [key=" + o.key() + "]");
            }
        }
        this.otherRolePrefixes = Set.copyOf(otherRolePrefixes);
    }

    /** The declared options in declaration order (what reference docs list). */
    public List<ConfigOption<?>> options() {
        return List.copyOf(options.values());
    }

    /**
     * @throws ConfigException on an unknown key (with the closest declared one as a hint), a missing required
     *                         key, or a value that does not parse
     */
    public Config parse(ConfigTree tree) {
        for (String key : tree.values().keySet()) {
            if (!options.containsKey(key) && otherRolePrefixes.stream().noneMatch(key::startsWith)) {
                throw new ConfigException(
                        "unknown configuration key [key=" + key + ", file=" + tree.source() + "]" + hint(key));
            }
        }
        Map<ConfigOption<?>, Object> values = new HashMap<>();
        for (ConfigOption<?> o : options.values()) {
            JsonNode node = tree.values().get(o.key());
            if (node == null) {
                if (o.isRequired()) {
                    throw new ConfigException(
                            "missing configuration key [key=" + o.key() + ", file=" + tree.source() + "]: " + o.doc());
                }
                values.put(o, o.defaultValue());
                continue;
            }
            try {
                values.put(o, o.type().parse(node));
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalidValue(o.key(), tree.source(), e.getMessage());
            }
        }
        return new Config(tree.source(), values);
    }

    private String hint(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : options.keySet()) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best != null && bestDistance <= 3 ? ": did you mean " + best + "?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The reference table of the declared keys, in Markdown (key, type, default, description). */
    public String markdownTable() {
        List<String> lines = new ArrayList<>();
        lines.add("| key | type | default | description |");
        lines.add("| --- | --- | --- | --- |");
        for (ConfigOption<?> o : options.values()) {
            lines.add("| `" + o.key() + "` | " + o.type().name() + " | `" + o.formattedDefault() + "` | " + o.doc()
                    + " |");
        }
        return String.join("\n", lines) + "\n";
    }
}
