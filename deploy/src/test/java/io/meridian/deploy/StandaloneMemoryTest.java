package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.config.MemoryBudget;
import io.meridian.ingest.IngestJobConfig;
import io.meridian.storage.node.StorageNodeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneMemoryTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private StorageNodeConfig storage() {
        return StorageNodeConfig.from(ConfigTree.parse("test", """
                node: {id: storage-1, idc: dc1, cluster: c1, data-dir: '%s'}
                meta: {etcd.endpoints: 'http://127.0.0.1:2379'}
                storage: {server.host: 127.0.0.1}
                """.formatted(dir.resolve("storage"))));
    }

    private BrokerNodeConfig broker(boolean kafka) {
        return BrokerNodeConfig.from(ConfigTree.parse("test", """
                node: {id: broker-1, idc: dc1, host: 127.0.0.1, data-dir: '%s'}
                meta: {etcd.endpoints: 'http://127.0.0.1:2379'}
                broker: {write.mode: %s}
                """.formatted(
                        dir.resolve("broker"), kafka ? "kafka, kafka.bootstrap-servers: '127.0.0.1:9092'" : "direct")));
    }

    private static IngestJobConfig ingest(StandaloneMemory m) {
        return IngestJobConfig.from(
                ConfigTree.parse("test", """
                meta: {etcd.endpoints: 'http://127.0.0.1:2379'}
                ingest: {kafka: {bootstrap-servers: '127.0.0.1:9092', fetch-max-bytes: %d},
                         preaggregate.max-cells: %d}
                """.formatted(m.ingestFetchMaxBytes(), m.preAggregateMaxCells())));
    }

    @Test
    void theSharesStandaloneOwnsAreFractionsOfTheHeap() {
        StandaloneMemory gib = StandaloneMemory.of(1024 * MIB);
        assertThat(gib.kafkaQueuedRequestBytes()).isEqualTo(32 * MIB);
        assertThat(gib.ingestFetchMaxBytes()).isEqualTo(16 * MIB);
        assertThat(gib.preAggregateMaxCells())
                .as("the job's default, which fits")
                .isEqualTo(200_000);
        StandaloneMemory small = StandaloneMemory.of(256 * MIB);
        assertThat(small.kafkaQueuedRequestBytes())
                .as("the least Kafka accepts")
                .isEqualTo(8 * MIB);
        assertThat(small.ingestFetchMaxBytes()).isEqualTo(4 * MIB);
        assertThat(small.preAggregateMaxCells()).isEqualTo(256 * MIB / 32 / 150);
    }

    @Test
    void everyRoleOfTheProcessIsInOneSum() {
        StandaloneMemory m = StandaloneMemory.of(Runtime.getRuntime().maxMemory());
        assertThat(m.shares(storage(), broker(true), ingest(m)))
                .extracting(MemoryBudget.Share::key)
                .containsExactly(
                        "storage.memtable.node-limit",
                        "storage.block-cache.size",
                        "broker.http.max-in-flight-bytes",
                        "broker.prometheus.series-cache",
                        "broker.write.line-shapes",
                        "buffer.memory",
                        "queued.max.request.bytes",
                        "log.cleaner.dedupe.buffer.size",
                        "ingest.kafka.fetch-max-bytes",
                        "ingest.preaggregate.max-cells");
        assertThat(m.shares(storage(), broker(false), null))
                .as("direct mode: no Kafka, no Flink")
                .extracting(MemoryBudget.Share::key)
                .containsExactly(
                        "storage.memtable.node-limit",
                        "storage.block-cache.size",
                        "broker.http.max-in-flight-bytes",
                        "broker.prometheus.series-cache",
                        "broker.write.line-shapes");
    }

    @Test
    void theDefaultsFitTheHeapInBothModes() {
        StandaloneMemory m = StandaloneMemory.of(Runtime.getRuntime().maxMemory());
        m.check(storage(), broker(true), ingest(m));
        m.check(storage(), broker(false), null);
        long sum = m.shares(storage(), broker(true), ingest(m)).stream()
                .mapToLong(MemoryBudget.Share::bytes)
                .sum();
        assertThat(sum).isLessThanOrEqualTo(Runtime.getRuntime().maxMemory() * 3 / 4);
    }

    @Test
    void sharesThatDoNotFitStopTheStartNamingEachShareAndWhereToRaiseTheHeap() {
        // the roles' shares were sized for this JVM's heap; checked against a quarter of it they cannot fit
        StandaloneMemory small = StandaloneMemory.of(Runtime.getRuntime().maxMemory() / 4);
        assertThatThrownBy(() -> small.check(storage(), broker(true), ingest(small)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("memory shares do not fit the heap [role=standalone")
                .hasMessageContaining("storage.memtable.node-limit=")
                .hasMessageContaining("storage.block-cache.size=")
                .hasMessageContaining("broker.http.max-in-flight-bytes=")
                .hasMessageContaining("queued.max.request.bytes=")
                .hasMessageContaining("ingest.kafka.fetch-max-bytes=")
                .hasMessageContaining("ingest.preaggregate.max-cells=")
                .hasMessageContaining("MERIDIAN_STANDALONE_JAVA_OPTS=-Xmx");
    }
}
