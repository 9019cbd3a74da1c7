package io.meridian.meta.store;

import java.util.List;

/**
 * A compare-and-set transaction: if every guard holds, apply every op atomically; else apply nothing.
 *
 * @param guards conditions, all must hold
 * @param ops writes applied only when the guards hold
 */
public record MetaTxn(List<Guard> guards, List<TxnOp> ops) {
    /** etcd's default {@code --max-txn-ops}. */
    public static final int MAX_OPS = 128;

    public MetaTxn {
        guards = List.copyOf(guards);
        ops = List.copyOf(ops);
        if (guards.size() + ops.size() > MAX_OPS) {
            throw new IllegalArgumentException("transaction too large [guards=" + guards.size() + ", ops=" + ops.size()
                    + "]: want at most " + MAX_OPS + " in total");
        }
    }

    public static MetaTxn of(List<Guard> guards, List<TxnOp> ops) {
        return new MetaTxn(guards, ops);
    }
}
