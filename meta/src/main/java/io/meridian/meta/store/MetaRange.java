package io.meridian.meta.store;

import java.util.List;

/**
 * The keys under a prefix at one revision.
 *
 * @param entries the entries, sorted by key
 * @param revision the store revision the range was read at
 * @param raftTerm the raft term of the answering member (a wiped single-node etcd restarts at a low term)
 */
public record MetaRange(List<MetaEntry> entries, long revision, long raftTerm) {
    public MetaRange {
        entries = List.copyOf(entries);
    }
}
