package io.meridian.meta.store;

import java.util.Objects;

/** A condition of a {@link MetaTxn}: the transaction applies its operations only if all guards hold. */
public sealed interface Guard {
    String key();

    /** The key does not exist. */
    record Absent(String key) implements Guard {
        public Absent {
            Objects.requireNonNull(key, "key");
        }
    }

    /** The key exists with this create revision (the identity of one incarnation, e.g. of a master key). */
    record CreateRevision(String key, long revision) implements Guard {
        public CreateRevision {
            Objects.requireNonNull(key, "key");
        }
    }

    /** The key was last changed at this revision (optimistic concurrency on one value). */
    record ModRevision(String key, long revision) implements Guard {
        public ModRevision {
            Objects.requireNonNull(key, "key");
        }
    }

    static Guard absent(String key) {
        return new Absent(key);
    }

    static Guard createRevision(String key, long revision) {
        return new CreateRevision(key, revision);
    }

    static Guard modRevision(String key, long revision) {
        return new ModRevision(key, revision);
    }
}
