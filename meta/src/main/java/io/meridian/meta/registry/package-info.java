/**
 * Node liveness: every node registers itself under a lease and publishes what it holds.
 *
 * <pre>
 *   NodeRegistrar.start()
 *     grant lease (TTL) -> put {root}/nodes/{role}/{id} = NodeInfo   (lease-bound)
 *                       -> put {root}/reports/{id}      = NodeReport (lease-bound)
 *     LeaseKeeper refreshes every TTL/3
 *     every TTL/3: our node key missing or bound to another lease (lease lost, etcd wiped) -> register again
 *   process dies -> no refresh -> etcd deletes both keys after the TTL -> the master sees the node gone
 *   close()      -> revoke the lease -> keys gone at once
 * </pre>
 *
 * <p>Every report write wakes the master, which re-reads the metadata and re-plans: a storage node should call
 * {@code reportChanged()} when its replicas change and at a bounded rate (seconds, not per batch) for sequences.
 *
 * <p>{@link io.meridian.meta.registry.ReportBuilder} derives a storage node's report from its cached shard
 * states and the sequences its replicas persisted; that report is what lets the master rebuild a wiped etcd.
 */
package io.meridian.meta.registry;
