package io.meridian.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A configuration file read into a flat map of full dotted keys to YAML value nodes (scalars or lists), and
 * the name of where it came from for error messages. Nested maps are flattened: {@code storage: {wal:
 * {fsync: always}}} becomes {@code storage.wal.fsync}. Immutable.
 *
 * @param source where the values came from (a file path), named in every error
 * @param values dotted key -> value node
 */
public record ConfigTree(String source, Map<String, JsonNode> values) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public ConfigTree {
        Objects.requireNonNull(source, "source");
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * Reads a YAML file.
     *
     * @throws ConfigException when the file cannot be read, is not YAML, is not a map at the top, or sets one
     *                         key twice (once nested, once dotted)
     */
    public static ConfigTree load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file does not exist [file=" + file + "]", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file [file=" + file + "]: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Reads YAML text; {@code source} names it in errors. */
    public static ConfigTree parse(String source, String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where =
                    e.getLocation() == null ? "" : ", line=" + e.getLocation().getLineNr();
            throw new ConfigException(
                    "cannot parse configuration file [file=" + source + where + "]: " + e.getOriginalMessage(), e);
        }
        Map<String, JsonNode> flat = new TreeMap<>();
        if (root == null || root instanceof MissingNode || root.isNull()) {
            return new ConfigTree(source, flat); // an empty file sets nothing
        }
        if (!root.isObject()) {
            throw new ConfigException(
                    "invalid configuration file [file=" + source + "]: want a map of keys to values at the top level");
        }
        flatten(source, "", root, flat);
        return new ConfigTree(source, flat);
    }

    /** An empty tree (every key at its default), e.g. for tests. */
    public static ConfigTree empty(String source) {
        return new ConfigTree(source, Map.of());
    }

    private static void flatten(String source, String prefix, JsonNode node, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(source, key, e.getValue(), out);
            } else if (out.putIfAbsent(key, e.getValue()) != null) {
                throw new ConfigException("configuration key set twice [key=" + key + ", file=" + source + "]");
            }
        }
    }
}
