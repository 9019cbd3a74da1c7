package io.meridian.common.config;

import static io.meridian.common.config.ConfigTypes.STRING;

/**
 * The {@code node.*} keys every role shares, defined once: their names, types and defaults. Each role states in its
 * own words what the key means for it (the doc its {@code ConfigDef} prints and docs/configuration.md lists).
 */
public final class NodeConfigKeys {
    /** The {@code node.id} doc of every role that has one. */
    public static final String ID_DOC = "Unique id of this node in the cluster (a name: letters, digits, `_ . : -`).";

    private NodeConfigKeys() {}

    /** {@code node.id}: required. */
    public static ConfigOption<String> id() {
        return ConfigOption.required("node.id", STRING, ID_DOC);
    }

    /** {@code node.idc}: the data centre, {@code default} unless set. */
    public static ConfigOption<String> idc(String doc) {
        return ConfigOption.of("node.idc", STRING, "default", doc);
    }

    /** {@code node.data-dir}: required. */
    public static ConfigOption<String> dataDir(String doc) {
        return ConfigOption.required("node.data-dir", STRING, doc);
    }
}
