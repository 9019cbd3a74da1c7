/**
 * {@link io.meridian.connector.flink.MeridianSink}: the Flink Sink V2 connector of Meridian, used by the ingest
 * job and by users' own DataStream jobs. Exactly once with checkpointing (two-phase commit with the storage
 * nodes' Stage/Commit/Abort), at least once without.
 */
package io.meridian.connector.flink;
