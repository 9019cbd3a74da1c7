/**
 * Writers and their transactions: {@link io.meridian.storage.txn.WriterSequences} (the last applied sequence of
 * every writer, which makes retried batches and commits idempotent) and
 * {@link io.meridian.storage.txn.StagedTransactions} (points of exactly-once writers, durable in the WAL and
 * invisible until commit). The steps that stage, commit and abort are in the engine (TransactionOps), because
 * they log, resolve series and apply to memtables.
 */
package io.meridian.storage.txn;
