/**
 * Shard replication (ARCHITECTURE §5): the WAL is the replica log, followers fetch from the leader, the
 * write concern decides acknowledgement, and epochs fence stale leaders.
 */
package io.meridian.storage.replication;
