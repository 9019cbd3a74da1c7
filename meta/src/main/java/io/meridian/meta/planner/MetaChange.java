package io.meridian.meta.planner;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.util.Objects;

/** One metadata write decided by a planner. */
public sealed interface MetaChange {
    record PutCluster(StorageCluster cluster) implements MetaChange {
        public PutCluster {
            Objects.requireNonNull(cluster, "cluster");
        }
    }

    record DeleteCluster(String name) implements MetaChange {
        public DeleteCluster {
            Objects.requireNonNull(name, "name");
        }
    }

    record PutDatabase(DatabaseConfig config) implements MetaChange {
        public PutDatabase {
            Objects.requireNonNull(config, "config");
        }
    }

    record DeleteDatabase(String name) implements MetaChange {
        public DeleteDatabase {
            Objects.requireNonNull(name, "name");
        }
    }

    record PutShard(ShardState state) implements MetaChange {
        public PutShard {
            Objects.requireNonNull(state, "state");
        }
    }

    record DeleteShard(ShardId id) implements MetaChange {
        public DeleteShard {
            Objects.requireNonNull(id, "id");
        }
    }
}
