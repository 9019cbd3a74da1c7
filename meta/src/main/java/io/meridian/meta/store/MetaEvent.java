package io.meridian.meta.store;

import java.util.Objects;

/**
 * One change seen by a watch.
 *
 * @param type put or delete
 * @param entry the key after the change; for a delete, the value is empty and modRevision is the deletion's
 */
public record MetaEvent(Type type, MetaEntry entry) {
    public enum Type {
        PUT,
        DELETE
    }

    public MetaEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(entry, "entry");
    }

    public long revision() {
        return entry.modRevision();
    }
}
