/**
 * {@link io.meridian.meta.store.MetaStore}: Meridian's only door to etcd (jetcd underneath).
 *
 * <pre>
 *   MetaStore ----- get / range(prefix) / put / delete          -> MetaEntry, MetaRange (with revision)
 *             ----- commit(MetaTxn: guards + ops)               -> TxnResult (compare-and-set)
 *             ----- grantLease / keepAlive (LeaseKeeper)        -> lease-bound keys
 *             ----- watchPrefix(prefix, fromRevision, listener) -> PrefixWatch
 *
 *   PrefixWatch: range at R -> listener.onReset(range) -> watch from R+1
 *                events with revision <= last delivered are dropped (no duplicates after a resume);
 *                jetcd resumes a broken stream from last revision + 1 (no lost events);
 *                compaction or a wiped etcd (revision or raft term went backwards) -> a new onReset
 *   PrefixWatch(fromRevision): for a caller holding everything before it; no initial read
 *
 *   EtcdConnection: owns the jetcd client; rebuilds it when calls keep failing although etcd's /health is
 *                   back (gRPC reconnect backoff), and watches re-attach from their last revision
 * </pre>
 *
 * <p>Every failure to reach etcd surfaces as {@link io.meridian.common.error.MetaUnavailableException}
 * naming the operation and key. Keys are plain strings; the layout lives in
 * {@link io.meridian.meta.store.MetaKeys} and {@code docs/meta-layout.md}.
 */
package io.meridian.meta.store;
