package io.meridian.storage.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.ConfigTree;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.file.FsyncMode;
import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.StorageServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StorageNodeConfigTest {
    private static final String MINIMAL = "node.id: s1\nnode.data-dir: /var/lib/meridian\n";

    private static StorageNodeConfig parse(String yaml) {
        return StorageNodeConfig.from(ConfigTree.parse("storage.yaml", yaml));
    }

    @Test
    void defaults() {
        StorageNodeConfig c = parse(MINIMAL);
        assertThat(c.nodeId()).isEqualTo("s1");
        assertThat(c.idc()).isEqualTo("default");
        assertThat(c.cluster()).isEqualTo("default");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/meridian"));
        assertThat(c.reportInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.meta().endpoints()).containsExactly("http://127.0.0.1:2379");
        assertThat(c.meta().root()).isEqualTo("/meridian");
        assertThat(c.meta().operationTimeout()).isEqualTo(MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT);
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.server()).isEqualTo(StorageServerOptions.defaults());
        assertThat(c.httpPort()).isEqualTo(StorageHttpServer.DEFAULT_PORT).isEqualTo(8621);
        assertThat(c.engine()).isEqualTo(EngineSettings.defaults());
        assertThat(c.engine().memtableBytes()).isEqualTo(256L << 20);
        assertThat(c.engine().walFsync()).isEqualTo(FsyncMode.ALWAYS);
        assertThat(c.engine().segmentDuration()).isEqualTo(Duration.ofDays(1));
        assertThat(c.engine().maintenanceInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.engine().memtableMaxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.engine().memtableNodeBytes())
                .as("a quarter of the heap")
                .isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        assertThat(c.replication()).isEqualTo(ReplicationOptions.defaults());
    }

    @Test
    void everyKeyIsRead() {
        StorageNodeConfig c = parse("""
                node: {id: s7, idc: eu1, cluster: c9, data-dir: /d, report-interval: 250ms}
                meta: {etcd.endpoints: "http://a:1,http://b:2", root: /m2, operation-timeout: 2s, lease-ttl: 3s}
                storage:
                  server: {host: 0.0.0.0, port: 0, max-message-size: 8MiB, shutdown-grace: 1s, worker-threads: 4}
                  http.port: -1
                  segment-duration: 2h
                  memtable: {size: 16MiB, node-limit: 64MiB, max-age: 1m}
                  wal: {fsync: interval, segment-size: 8MiB}
                  write.future-tolerance: 5m
                  limits: {series-per-metric: 1000, tags-per-series: 8, fields-per-metric: 16}
                  block-cache.size: 32MiB
                  compaction.min-parts: 3
                  maintenance.interval: 500ms
                  transactions.staged-expiry: 2d
                  disk: {min-free-percent: 3, min-free-floor: 1GiB}
                  replication: {fetch-max-bytes: 1MiB, fetch-wait: 100ms, lag-max: 5s, ack-timeout: 2s,
                                max-uncommitted-ops: 500, wal-retention-max: 256MiB}
                broker.http.port: 8080
                """);
        assertThat(c.nodeId()).isEqualTo("s7");
        assertThat(c.idc()).isEqualTo("eu1");
        assertThat(c.cluster()).isEqualTo("c9");
        assertThat(c.reportInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.meta())
                .isEqualTo(new MetaStoreOptions(
                        List.of("http://a:1", "http://b:2"),
                        "/m2",
                        Duration.ofSeconds(2),
                        MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.server()).isEqualTo(new StorageServerOptions("0.0.0.0", 0, 8 << 20, Duration.ofSeconds(1), 4));
        assertThat(c.httpPort()).isEqualTo(-1);
        assertThat(c.engine())
                .isEqualTo(new EngineSettings(
                        Duration.ofHours(2),
                        16L << 20,
                        Duration.ofMinutes(1),
                        FsyncMode.INTERVAL,
                        8L << 20,
                        Duration.ofMinutes(5),
                        1000,
                        8,
                        16,
                        32L << 20,
                        3,
                        Duration.ofMillis(500),
                        64L << 20,
                        Duration.ofDays(2),
                        3,
                        1L << 30));
        assertThat(c.replication())
                .isEqualTo(new ReplicationOptions(
                        1L << 20,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        500,
                        256L << 20));
    }

    @Test
    void sharesThatDoNotFitTheHeapStopTheStartNamingEachShare() {
        assertThatThrownBy(() -> parse(MINIMAL + "storage.memtable.node-limit: 1TiB\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("memory shares do not fit the heap [role=storage, heap=")
                .hasMessageContaining("storage.memtable.node-limit=1TiB (memtables of all shards)")
                .hasMessageContaining("MERIDIAN_STORAGE_JAVA_OPTS");
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("node.id: 'has space'", "node.id"),
                Arguments.of("node.idc: 1dc", "node.idc"),
                Arguments.of("node.cluster: 'a/b'", "node.cluster"),
                Arguments.of("node.report-interval: 1ms", "node.report-interval"),
                Arguments.of("meta.etcd.endpoints: []", "meta.etcd.endpoints"),
                Arguments.of("meta.root: meridian/", "meta.root"),
                Arguments.of("meta.operation-timeout: soon", "meta.operation-timeout"),
                Arguments.of("meta.lease-ttl: 1500ms", "meta.lease-ttl"),
                Arguments.of("meta.lease-ttl: 0s", "meta.lease-ttl"),
                Arguments.of("storage.server.host: ''", "storage.server.host"),
                Arguments.of("storage.server.port: -1", "storage.server.port"),
                Arguments.of("storage.http.port: -2", "storage.http.port"),
                Arguments.of("storage.http.port: 65536", "storage.http.port"),
                Arguments.of("storage.server.max-message-size: 10", "storage.server.max-message-size"),
                Arguments.of("storage.server.max-message-size: 4GiB", "storage.server.max-message-size"),
                Arguments.of("storage.server.shutdown-grace: 10", "storage.server.shutdown-grace"),
                Arguments.of("storage.server.worker-threads: 0", "storage.server.worker-threads"),
                Arguments.of("storage.segment-duration: 0s", "storage.segment-duration"),
                Arguments.of("storage.memtable.size: 256MB", "storage.memtable.size"),
                Arguments.of("storage.memtable.max-age: forever", "storage.memtable.max-age"),
                Arguments.of("storage.memtable.node-limit: 1GB", "storage.memtable.node-limit"),
                Arguments.of("storage.wal.fsync: sometimes", "storage.wal.fsync"),
                Arguments.of("storage.wal.segment-size: 0", "storage.wal.segment-size"),
                Arguments.of("storage.write.future-tolerance: 1y", "storage.write.future-tolerance"),
                Arguments.of("storage.limits.series-per-metric: 0", "storage.limits.series-per-metric"),
                Arguments.of("storage.limits.tags-per-series: many", "storage.limits.tags-per-series"),
                Arguments.of("storage.limits.fields-per-metric: 1.5", "storage.limits.fields-per-metric"),
                Arguments.of("storage.block-cache.size: -1", "storage.block-cache.size"),
                Arguments.of("storage.compaction.min-parts: 1", "storage.compaction.min-parts"),
                Arguments.of("storage.maintenance.interval: 1ms", "storage.maintenance.interval"),
                Arguments.of("storage.transactions.staged-expiry: 0s", "storage.transactions.staged-expiry"),
                Arguments.of("storage.disk.min-free-percent: 60", "storage.disk.min-free-percent"),
                Arguments.of("storage.disk.min-free-floor: lots", "storage.disk.min-free-floor"),
                Arguments.of("storage.replication.fetch-max-bytes: 128MiB", "storage.replication.fetch-max-bytes"),
                Arguments.of("storage.replication.fetch-wait: 11s", "storage.replication.fetch-wait"),
                Arguments.of("storage.replication.lag-max: 0s", "storage.replication.lag-max"),
                Arguments.of("storage.replication.max-uncommitted-ops: 0", "storage.replication.max-uncommitted-ops"),
                Arguments.of("storage.replication.wal-retention-max: 1GB", "storage.replication.wal-retention-max"),
                Arguments.of("storage.replication.ack-timeout: 3", "storage.replication.ack-timeout"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyAndTheFile(String line, String key) {
        assertThatThrownBy(() -> parse(MINIMAL + line + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration value [key=" + key + ", file=storage.yaml]: ");
    }

    @Test
    void everyDeclaredKeyHasABadValueCase() {
        List<String> covered = badValues().map(a -> (String) a.get()[1]).toList();
        List<String> declared = StorageConfigKeys.DEF.options().stream()
                .map(ConfigOption::key)
                .filter(k -> !k.equals("node.data-dir")) // any string is a path; covered by the missing-key test
                .toList();
        assertThat(covered).containsAll(declared);
    }

    @Test
    void unknownAndMissingKeysAreNamed() {
        assertThatThrownBy(() -> parse(MINIMAL + "storage:\n  memtable:\n    sizes: 1MiB\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key [key=storage.memtable.sizes, file=storage.yaml]: did you"
                        + " mean storage.memtable.size?");
        assertThatThrownBy(() -> parse("node.id: s1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing configuration key [key=node.data-dir, file=storage.yaml]");
        assertThatThrownBy(() -> parse("node.data-dir: /d\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing configuration key [key=node.id, file=storage.yaml]");
    }

    @Test
    void shippedExampleLoadsAndDocsListEveryKeyWithItsDefault() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        StorageNodeConfig example = StorageNodeConfig.load(root.resolve("conf/storage.yaml"));
        assertThat(example.nodeId()).isEqualTo("storage-1");
        String docs = Files.readString(root.resolve("docs/configuration.md"));
        for (ConfigOption<?> o : StorageConfigKeys.DEF.options()) {
            assertThat(docs)
                    .as("docs/configuration.md row of " + o.key())
                    .contains("| `" + o.key() + "` | " + o.type().name() + " | `" + o.formattedDefault() + "` |");
        }
    }
}
