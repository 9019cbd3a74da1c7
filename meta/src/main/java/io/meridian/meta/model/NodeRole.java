package io.meridian.meta.model;

import java.util.Locale;

/** What a node does; also the key segment under {@code {root}/nodes/}. */
public enum NodeRole {
    BROKER,
    STORAGE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
