package io.meridian.meta.master;

import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.planner.MetaChange;
import io.meridian.meta.store.MetaKeys;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaTxn;
import io.meridian.meta.store.TxnOp;
import io.meridian.meta.store.TxnResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes planner changes in transactions guarded by the master's fencing token. Large plans are split into
 * transactions of at most {@link #MAX_OPS_PER_TXN} writes; each is fenced, so a deposed master stops at the
 * first refused one. Every plan is idempotent (the planner recomputes from what etcd holds), so a partly
 * applied plan is completed by the next round.
 */
public final class FencedWriter {
    static final int MAX_OPS_PER_TXN = MetaTxn.MAX_OPS - 1;

    private final MetaStore store;
    private final MetaKeys keys;

    public FencedWriter(MetaStore store) {
        this.store = store;
        this.keys = store.keys();
    }

    /**
     * @throws NotMasterException if {@code term} is no longer the master's
     * @throws io.meridian.common.error.MetaUnavailableException if etcd cannot be reached
     */
    public long apply(MasterTerm term, List<MetaChange> changes) {
        return write(term, changes.stream().map(this::op).toList());
    }

    /** Writes the cluster marker, last, after a rebuild. */
    public long applyWithMarker(MasterTerm term, List<MetaChange> changes, ClusterMarker marker) {
        List<TxnOp> ops = new ArrayList<>(changes.stream().map(this::op).toList());
        ops.add(TxnOp.put(keys.clusterMarker(), ModelCodec.encode(marker)));
        return write(term, ops);
    }

    private long write(MasterTerm term, List<TxnOp> ops) {
        long revision = 0;
        for (int from = 0; from < ops.size(); from += MAX_OPS_PER_TXN) {
            List<TxnOp> chunk = ops.subList(from, Math.min(ops.size(), from + MAX_OPS_PER_TXN));
            TxnResult r = store.commit(MetaTxn.of(List.of(term.fence()), chunk));
            if (!r.succeeded()) {
                throw new NotMasterException("metadata write refused: not the master any more [node=" + term.nodeId()
                        + ", termRevision=" + term.revision() + ", ops=" + chunk.size() + "]");
            }
            revision = r.revision();
        }
        return revision;
    }

    private TxnOp op(MetaChange c) {
        if (c instanceof MetaChange.PutCluster p) {
            return TxnOp.put(keys.cluster(p.cluster().name()), ModelCodec.encode(p.cluster()));
        } else if (c instanceof MetaChange.DeleteCluster d) {
            return TxnOp.delete(keys.cluster(d.name()));
        } else if (c instanceof MetaChange.PutDatabase p) {
            return TxnOp.put(keys.database(p.config().name()), ModelCodec.encode(p.config()));
        } else if (c instanceof MetaChange.DeleteDatabase d) {
            return TxnOp.delete(keys.database(d.name()));
        } else if (c instanceof MetaChange.PutShard p) {
            var s = p.state();
            return TxnOp.put(keys.shard(s.db(), s.cluster(), s.shard()), ModelCodec.encode(s));
        } else if (c instanceof MetaChange.DeleteShard d) {
            return TxnOp.delete(keys.shard(d.id().db(), d.id().cluster(), d.id().shard()));
        }
        throw new IllegalStateException("BUG: unknown meta change [change=" + c + "]");
    }
}
