/**
 * The master: elected among brokers, the only writer of configs and shard states, fenced.
 *
 * <pre>
 *   MasterElection (every poll interval)
 *     not master: txn If(absent {root}/master) Then put({root}/master, MasterInfo, lease)   -- preemption
 *                 success -> MasterTerm(createRevision = txn revision) -> listener.onElected
 *     master:     {root}/master gone, or created by someone else, or our lease lost -> onDeposed
 *
 *   FencedWriter.apply(term, changes)
 *     txn If(createRevision({root}/master) == term.revision) Then puts/deletes
 *     guard fails -> NotMasterException: a deposed master can never write, even if it does not know yet
 *
 *   MasterService: on election, and on every watched change or tick:
 *     marker absent -> wait the rebuild grace for nodes to report -> RebuildPlanner + marker
 *     else          -> ShardPlanner.reconcile -> FencedWriter
 *     DDL (create/alter/drop database, create/drop cluster) -> DdlPlanner -> FencedWriter
 * </pre>
 */
package io.meridian.meta.master;
