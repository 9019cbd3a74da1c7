package io.meridian.meta.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.meridian.common.error.MetaUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meridian's client of etcd. Thread-safe. Every call is bounded by the operation timeout and fails with
 * {@link MetaUnavailableException} when etcd cannot be reached.
 *
 * <p>jetcd is built with {@code waitForReady(false)}: while etcd is down, a write fails fast instead of
 * queueing inside gRPC and landing later, after the caller was told it failed.
 */
public final class MetaStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaStore.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final MetaStoreOptions options;
    private final MetaKeys keys;
    private final EtcdConnection connection;
    private final String endpoints;
    private final ScheduledExecutorService scheduler;

    private MetaStore(MetaStoreOptions options) {
        this.options = options;
        this.keys = new MetaKeys(options.root());
        this.endpoints = String.join(",", options.endpoints());
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "meta-store-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.connection = new EtcdConnection(options, scheduler);
    }

    /** Creates a client; no network call happens until the first operation. */
    public static MetaStore connect(MetaStoreOptions options) {
        Objects.requireNonNull(options, "options");
        LOG.info("meta store client created [endpoints={}, root={}]", options.endpoints(), options.root());
        return new MetaStore(options);
    }

    public MetaKeys keys() {
        return keys;
    }

    public MetaStoreOptions options() {
        return options;
    }

    public Optional<MetaEntry> get(String key) {
        GetResponse r = await(connection.client().getKVClient().get(bs(key)), "get", key);
        return r.getKvs().isEmpty()
                ? Optional.empty()
                : Optional.of(entry(r.getKvs().get(0)));
    }

    /** Every key under {@code prefix}, sorted by key, read at one revision. */
    public MetaRange range(String prefix) {
        GetResponse r = await(
                connection
                        .client()
                        .getKVClient()
                        .get(
                                bs(prefix),
                                GetOption.builder()
                                        .isPrefix(true)
                                        .withSortField(GetOption.SortTarget.KEY)
                                        .withSortOrder(GetOption.SortOrder.ASCEND)
                                        .build()),
                "range",
                prefix);
        List<MetaEntry> entries = new ArrayList<>(r.getKvs().size());
        r.getKvs().forEach(kv -> entries.add(entry(kv)));
        return new MetaRange(entries, r.getHeader().getRevision(), r.getHeader().getRaftTerm());
    }

    /** The current revision and raft term, from a count-only read of the root. */
    public MetaRange status() {
        GetResponse r = await(
                connection
                        .client()
                        .getKVClient()
                        .get(
                                bs(keys.clusterMarker()),
                                GetOption.builder().withCountOnly(true).build()),
                "status",
                keys.clusterMarker());
        return new MetaRange(
                List.of(), r.getHeader().getRevision(), r.getHeader().getRaftTerm());
    }

    /** Puts a value and returns the new revision. */
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    /** Puts a value bound to {@code lease} (0 = none) and returns the new revision. */
    public long put(String key, byte[] value, long lease) {
        PutOption option = lease == 0
                ? PutOption.DEFAULT
                : PutOption.builder().withLeaseId(lease).build();
        return await(connection.client().getKVClient().put(bs(key), ByteSequence.from(value), option), "put", key)
                .getHeader()
                .getRevision();
    }

    /** Deletes one key; returns whether it existed. */
    public boolean delete(String key) {
        return await(connection.client().getKVClient().delete(bs(key)), "delete", key)
                        .getDeleted()
                > 0;
    }

    /** Deletes every key under {@code prefix}; returns how many were deleted. */
    public long deletePrefix(String prefix) {
        return await(
                        connection
                                .client()
                                .getKVClient()
                                .delete(
                                        bs(prefix),
                                        DeleteOption.builder().isPrefix(true).build()),
                        "deletePrefix",
                        prefix)
                .getDeleted();
    }

    /** Commits a compare-and-set transaction. */
    public TxnResult commit(MetaTxn txn) {
        Objects.requireNonNull(txn, "txn");
        var t = connection.client().getKVClient().txn();
        t.If(txn.guards().stream().map(MetaStore::cmp).toArray(Cmp[]::new));
        t.Then(txn.ops().stream().map(MetaStore::op).toArray(Op[]::new));
        String firstKey = txn.ops().isEmpty() ? "-" : txn.ops().get(0).key();
        var r = await(t.commit(), "txn", firstKey);
        return new TxnResult(r.isSucceeded(), r.getHeader().getRevision());
    }

    /** Grants a lease of {@code ttl} (whole seconds, at least 1) and returns its id. */
    public long grantLease(Duration ttl) {
        long seconds = Math.max(1, ttl.toSeconds());
        return await(connection.client().getLeaseClient().grant(seconds), "grantLease", "-")
                .getID();
    }

    public void revokeLease(long lease) {
        await(connection.client().getLeaseClient().revoke(lease), "revokeLease", Long.toHexString(lease));
    }

    /**
     * Keeps {@code lease} alive (a refresh every third of {@code ttl}) until closed. {@code onLost} runs once
     * when etcd says the lease no longer exists (expired, revoked, or etcd wiped).
     */
    public LeaseKeeper keepAlive(long lease, Duration ttl, Consumer<String> onLost) {
        LeaseKeeper keeper = new LeaseKeeper(
                () -> connection.client().getLeaseClient(), scheduler, lease, ttl, onLost, options.operationTimeout());
        keeper.start();
        return keeper;
    }

    /**
     * Watches every key under {@code prefix}. The listener first gets the full content ({@code onReset}), then
     * every change exactly once, across disconnects and etcd restarts.
     */
    public PrefixWatch watchPrefix(String prefix, WatchListener listener) {
        return watchPrefix(prefix, 0, listener);
    }

    /**
     * Watches every key under {@code prefix} starting at {@code fromRevision}, for a caller that already holds
     * the content before it (e.g. from an on-disk snapshot): no initial reset, every change from
     * {@code fromRevision} on exactly once. If etcd cannot serve that history (compacted, or etcd was wiped and
     * is behind), the listener gets a full {@code onReset} instead. {@code fromRevision <= 0} is
     * {@link #watchPrefix(String, WatchListener)}.
     */
    public PrefixWatch watchPrefix(String prefix, long fromRevision, WatchListener listener) {
        PrefixWatch watch = new PrefixWatch(
                this,
                () -> connection.client().getWatchClient(),
                scheduler,
                prefix,
                listener,
                options.watchCheckInterval());
        watch.start(fromRevision);
        return watch;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        connection.close();
        LOG.info("meta store client closed [endpoints={}]", endpoints);
    }

    private <T> T await(CompletableFuture<T> f, String op, String key) {
        try {
            T result = EtcdCalls.await(f, options.operationTimeout(), op, key, endpoints);
            connection.succeeded();
            return result;
        } catch (MetaUnavailableException e) {
            connection.failed();
            throw e;
        }
    }

    /** How many times the jetcd client was rebuilt after staying disconnected from a healthy etcd. */
    public long clientReplacements() {
        return connection.replacements();
    }

    EtcdConnection connection() {
        return connection;
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static MetaEntry entry(KeyValue kv) {
        return new MetaEntry(
                kv.getKey().toString(StandardCharsets.UTF_8),
                kv.getValue().getBytes(),
                kv.getCreateRevision(),
                kv.getModRevision(),
                kv.getVersion(),
                kv.getLease());
    }

    private static Cmp cmp(Guard g) {
        if (g instanceof Guard.Absent a) {
            return new Cmp(bs(a.key()), Cmp.Op.EQUAL, CmpTarget.version(0));
        } else if (g instanceof Guard.CreateRevision c) {
            return new Cmp(bs(c.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(c.revision()));
        } else if (g instanceof Guard.ModRevision m) {
            return new Cmp(bs(m.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(m.revision()));
        }
        throw new IllegalStateException("BUG: unknown guard [guard=" + g + "]");
    }

    private static Op op(TxnOp o) {
        if (o instanceof TxnOp.Put p) {
            PutOption option = p.lease() == 0
                    ? PutOption.DEFAULT
                    : PutOption.builder().withLeaseId(p.lease()).build();
            return Op.put(bs(p.key()), ByteSequence.from(p.value()), option);
        } else if (o instanceof TxnOp.Delete d) {
            return Op.delete(bs(d.key()), DeleteOption.DEFAULT);
        } else if (o instanceof TxnOp.DeletePrefix d) {
            return Op.delete(bs(d.key()), DeleteOption.builder().isPrefix(true).build());
        }
        throw new IllegalStateException("BUG: unknown txn op [op=" + o + "]");
    }
}
