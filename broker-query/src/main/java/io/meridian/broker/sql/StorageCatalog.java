package io.meridian.broker.sql;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.FieldInfo;
import io.meridian.common.rpc.storage.v1.ListFieldsRequest;
import io.meridian.common.rpc.storage.v1.ListFieldsResponse;
import io.meridian.common.rpc.storage.v1.ListMetricsRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.sql.Catalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The SQL catalog of a broker: databases from the metadata cache; metrics, tag keys and field types from the
 * storage nodes of the broker's IDC (one replica per shard, the union over shards), cached for
 * {@code refresh} so that planning does not call storage on every statement. A metric or field written for the
 * first time is visible to SQL within that time.
 *
 * <p>Tag values ({@link #tagValues}) are not cached: they change with every new series, and they are read only by
 * {@code information_schema.tag_values}, which names what it wants. They come from every storage cluster of the
 * database, other IDCs' clusters through a broker there ({@link TagValueReader}, {@link BrokerCatalogService}).
 */
public final class StorageCatalog implements Catalog, AutoCloseable {
    private static final long CALL_TIMEOUT_MS = 5_000;

    private final Supplier<MetaSnapshot> meta;
    private final String homeIdc;
    private final ChannelPool channels = new ChannelPool();
    private final LoadingCache<String, List<String>> metrics;
    private final LoadingCache<List<String>, Optional<Metric>> schemas;
    private final TagValueReader tagValues;

    public StorageCatalog(Supplier<MetaSnapshot> meta, String homeIdc, Duration refresh) {
        this.meta = meta;
        this.homeIdc = homeIdc;
        this.metrics = Caffeine.newBuilder()
                .expireAfterWrite(refresh.toMillis(), TimeUnit.MILLISECONDS)
                .maximumSize(10_000)
                .build(this::loadMetrics);
        this.schemas = Caffeine.newBuilder()
                .expireAfterWrite(refresh.toMillis(), TimeUnit.MILLISECONDS)
                .maximumSize(100_000)
                .build(k -> loadMetric(k.get(0), k.get(1)));
        this.tagValues = new TagValueReader(meta, homeIdc, channels);
    }

    @Override
    public List<Database> databases() {
        List<Database> out = new ArrayList<>();
        meta.get().databases().values().forEach(c -> out.add(toDatabase(c)));
        return out;
    }

    @Override
    public Optional<Database> database(String name) {
        return Optional.ofNullable(meta.get().databases().get(name)).map(StorageCatalog::toDatabase);
    }

    @Override
    public List<String> metrics(String database) {
        return meta.get().databases().containsKey(database) ? metrics.get(database) : List.of();
    }

    @Override
    public Optional<Metric> metric(String database, String metric) {
        return metrics(database).contains(metric) ? schemas.get(List.of(database, metric)) : Optional.empty();
    }

    /**
     * {@inheritDoc} Read from every cluster of the database when asked, not cached.
     *
     * @throws io.meridian.common.error.ShardUnavailableException when no replica of a shard answered
     * @throws io.meridian.common.error.IdcUnavailableException   when no broker of another IDC answered
     */
    @Override
    public List<String> tagValues(String database, String metric, String tagKey, int limit) {
        return tagValues.read(database, metric, tagKey, limit);
    }

    /** What {@link BrokerCatalogService} serves from. */
    TagValueReader tagValueReader() {
        return tagValues;
    }

    private static Database toDatabase(DatabaseConfig c) {
        IntervalSpec base = c.intervals().get(0);
        return new Database(
                c.name(), base.interval().toMillis(), base.retention().toMillis());
    }

    private List<String> loadMetrics(String db) {
        Set<String> all = new TreeSet<>();
        forEachShard(
                db,
                (stub, ref) -> all.addAll(stub.listMetrics(
                                ListMetricsRequest.newBuilder().setShard(ref).build())
                        .getMetricsList()));
        return List.copyOf(all);
    }

    private Optional<Metric> loadMetric(String db, String metric) {
        Set<String> tags = new TreeSet<>();
        Map<String, FieldType> fields = new LinkedHashMap<>();
        forEachShard(db, (stub, ref) -> {
            ListFieldsResponse r = stub.listFields(ListFieldsRequest.newBuilder()
                    .setShard(ref)
                    .setMetric(metric)
                    .build());
            tags.addAll(r.getTagKeysList());
            for (FieldInfo f : r.getFieldsList()) {
                fields.putIfAbsent(
                        f.getName(), WireEnums.fromWire(f.getType(), "metric=" + metric + ", field=" + f.getName()));
            }
        });
        return fields.isEmpty() && tags.isEmpty()
                ? Optional.empty()
                : Optional.of(new Metric(metric, List.copyOf(tags), fields));
    }

    /** Calls every shard of the database's home cluster once, on the first replica that answers. */
    private void forEachShard(String db, BiConsumer<StorageServiceGrpc.StorageServiceBlockingStub, ShardRef> call) {
        MetaSnapshot s = meta.get();
        DatabaseConfig config = s.databases().get(db);
        if (config == null) {
            return;
        }
        String cluster = s.homeCluster(config, homeIdc);
        for (int shard = 0; shard < config.shards(); shard++) {
            ShardState state = s.state(new ShardId(db, cluster, shard));
            if (state == null) {
                continue;
            }
            ShardRef ref = ShardRef.newBuilder().setDatabase(db).setShard(shard).build();
            List<String> tried = new ArrayList<>();
            boolean done = false;
            for (String node : state.readOrder()) {
                NodeInfo info = s.nodes().get(node);
                if (info == null) {
                    continue;
                }
                try {
                    call.accept(
                            StorageServiceGrpc.newBlockingStub(channels.get(info.address()))
                                    .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                            ref);
                    done = true;
                    break;
                } catch (StatusRuntimeException e) {
                    MeridianException m = RpcErrors.fromStatus(e);
                    tried.add(node + ": " + m.getMessage());
                    if (!m.isRetriable()) {
                        throw m;
                    }
                }
            }
            if (!done) {
                throw new ShardUnavailableException(
                        "cannot read the schema of a shard [database=" + db + ", cluster=" + cluster + ", shard="
                                + shard + ", tried=" + tried + "]",
                        null);
            }
        }
    }

    @Override
    public void close() {
        channels.close();
    }
}
