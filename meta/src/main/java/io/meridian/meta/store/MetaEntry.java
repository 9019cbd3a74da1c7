package io.meridian.meta.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One key-value pair as etcd stores it, with its revisions.
 *
 * @param key the full key (including the root prefix)
 * @param value the raw value; empty for a delete event
 * @param createRevision revision of the key's creation
 * @param modRevision revision of the last change (of the deletion, for a delete event)
 * @param version number of changes since creation
 * @param lease the lease the key is bound to, 0 if none
 */
public record MetaEntry(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    public MetaEntry {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value;
    }

    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetaEntry e
                && key.equals(e.key)
                && Arrays.equals(value, e.value)
                && createRevision == e.createRevision
                && modRevision == e.modRevision
                && version == e.version
                && lease == e.lease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), modRevision);
    }

    @Override
    public String toString() {
        return "MetaEntry[key=" + key + ", modRevision=" + modRevision + ", bytes=" + value.length + "]";
    }
}
