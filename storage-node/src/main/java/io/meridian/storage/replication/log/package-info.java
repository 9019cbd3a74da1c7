/**
 * The replica log as the engine keeps it: the ops a follower fetches ({@link io.meridian.storage.replication.log.LogOp}),
 * read from the WAL by {@link io.meridian.storage.replication.log.ReplicaLogReader} and completed with series and
 * field definitions by {@link io.meridian.storage.replication.log.ReplicaLogResolver};
 * {@link io.meridian.storage.replication.log.ReplicaLogTruncator} cuts a closed shard back to a divergence point.
 * The replica roles that move these ops over the network are one package up and build on the engine.
 */
package io.meridian.storage.replication.log;
