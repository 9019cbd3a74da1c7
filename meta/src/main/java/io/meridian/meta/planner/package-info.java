/**
 * The master's decisions as pure functions: no etcd, no clock, no threads.
 *
 * <pre>
 *   ClusterView (live nodes + since when, dead replica holders + since when, clusters, databases,
 *                shard states, node reports, now)
 *        |
 *        +-- DdlPlanner.createDatabase / alterDatabase / dropDatabase / createCluster / dropCluster
 *        |        validate against the view (clear InvalidInputException, nothing changed) -> changes
 *        +-- ShardPlanner.reconcile(view)
 *        |        1. place missing shards on the least-loaded distinct live nodes, pick leaders
 *        |        2. merge reported sequences; shrink/grow the in-sync set
 *        |        3. leader lost -> promote the live in-sync replica with the highest sequence, epoch + 1
 *        |        4. replica count follows the config
 *        |        4b. a replica on a node away longer than the repair delay moves to a live spare
 *        |        5. when nothing else changed: move one replica / one leadership per cluster toward
 *        |           balance, only onto nodes live for at least the rebalance delay
 *        +-- RebuildPlanner.rebuild(view)   etcd came back empty: configs and states from node reports
 *        v
 *   List&lt;MetaChange&gt;  (applied by the master in fenced transactions; ClusterView.apply for tests)
 * </pre>
 */
package io.meridian.meta.planner;
