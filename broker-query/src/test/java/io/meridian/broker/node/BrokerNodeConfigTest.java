package io.meridian.broker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.broker.write.KafkaWriteOptions;
import io.meridian.broker.write.WriteMode;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStoreOptions;
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

class BrokerNodeConfigTest {
    private static final String MINIMAL = "node.id: b1\nnode.data-dir: /var/lib/meridian/broker\n";

    private static BrokerNodeConfig parse(String yaml) {
        return BrokerNodeConfig.from(ConfigTree.parse("broker.yaml", yaml));
    }

    @Test
    void defaults() {
        BrokerNodeConfig c = parse(MINIMAL);
        assertThat(c.nodeId()).isEqualTo("b1");
        assertThat(c.idc()).isEqualTo("default");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/meridian/broker"));
        assertThat(c.meta())
                .isEqualTo(new MetaStoreOptions(
                        List.of("http://127.0.0.1:2379"),
                        "/meridian",
                        MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT,
                        MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.httpMaxBodyBytes()).isEqualTo(64 << 20);
        assertThat(c.httpWorkerThreads()).isEqualTo(32);
        assertThat(c.grpcPort()).isEqualTo(8081);
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.writeMode()).isEqualTo(WriteMode.DIRECT);
        assertThat(c.stringFields())
                .as("Telegraf's strings are dropped, not the request")
                .isEqualTo(StringFieldPolicy.SKIP);
        assertThat(c.kafka()).isNull();
        assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.queryMaxGroups()).isEqualTo(100_000);
        assertThat(c.master()).isEqualTo(MasterOptions.defaults());
    }

    @Test
    void everyKeyIsReadAndOtherRolesAreLeftAlone() {
        BrokerNodeConfig c = parse("""
                node: {id: b7, idc: eu1, host: 10.0.0.7, data-dir: /d}
                meta: {etcd.endpoints: "http://a:1,http://b:2", root: /m2, operation-timeout: 2s, lease-ttl: 3s}
                broker:
                  http: {port: 0, max-body: 8MiB, worker-threads: 4}
                  grpc.port: 9091
                  write: {timeout: 5s, mode: kafka, string-fields: reject}
                  prometheus.database: prom
                  kafka: {bootstrap-servers: "k1:9092,k2:9092", topic: my.ingest, ack-timeout: 2s, ingest-group: my-job}
                  query: {timeout: 1m, max-groups: 500}
                master: {lease-ttl: 4s, poll-interval: 50ms, reconcile-interval: 1s, rebuild-grace: 2s,
                         rebalance-delay: 1h, repair-delay: 2h}
                storage.memtable.size: 1MiB
                """);
        assertThat(c.nodeId()).isEqualTo("b7");
        assertThat(c.idc()).isEqualTo("eu1");
        assertThat(c.host()).isEqualTo("10.0.0.7");
        assertThat(c.meta())
                .isEqualTo(new MetaStoreOptions(
                        List.of("http://a:1", "http://b:2"),
                        "/m2",
                        Duration.ofSeconds(2),
                        MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.httpPort()).isZero();
        assertThat(c.httpMaxBodyBytes()).isEqualTo(8 << 20);
        assertThat(c.httpWorkerThreads()).isEqualTo(4);
        assertThat(c.grpcPort()).isEqualTo(9091);
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.writeMode()).isEqualTo(WriteMode.KAFKA);
        assertThat(c.stringFields()).isEqualTo(StringFieldPolicy.REJECT);
        assertThat(c.prometheusDatabase()).isEqualTo("prom");
        assertThat(c.kafka())
                .isEqualTo(new KafkaWriteOptions(
                        List.of("k1:9092", "k2:9092"),
                        "my.ingest",
                        Duration.ofSeconds(2),
                        "meridian-broker-b7",
                        "my-job"));
        assertThat(c.queryTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.queryMaxGroups()).isEqualTo(500);
        assertThat(c.master())
                .isEqualTo(new MasterOptions(
                        Duration.ofSeconds(4),
                        Duration.ofMillis(50),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        new PlannerOptions(Duration.ofHours(1), Duration.ofHours(2))));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("node.id: 'has space'", "node.id"),
                Arguments.of("node.idc: 1dc", "node.idc"),
                Arguments.of("node.host: ''", "node.host"),
                Arguments.of("meta.etcd.endpoints: []", "meta.etcd.endpoints"),
                Arguments.of("meta.root: meridian/", "meta.root"),
                Arguments.of("meta.operation-timeout: soon", "meta.operation-timeout"),
                Arguments.of("meta.lease-ttl: 1500ms", "meta.lease-ttl"),
                Arguments.of("broker.http.port: 70000", "broker.http.port"),
                Arguments.of("broker.http.max-body: 64MB", "broker.http.max-body"),
                Arguments.of("broker.http.max-body: 4GiB", "broker.http.max-body"),
                Arguments.of("broker.http.worker-threads: 0", "broker.http.worker-threads"),
                Arguments.of("broker.grpc.port: -1", "broker.grpc.port"),
                Arguments.of("broker.write.timeout: 30", "broker.write.timeout"),
                Arguments.of("broker.write.mode: fast", "broker.write.mode"),
                Arguments.of("broker.write.string-fields: keep", "broker.write.string-fields"),
                Arguments.of("broker.http.max-in-flight-bytes: 10MB", "broker.http.max-in-flight-bytes"),
                Arguments.of("broker.prometheus.database: 'no spaces'", "broker.prometheus.database"),
                Arguments.of("broker.write.line-shapes: -2", "broker.write.line-shapes"),
                Arguments.of("broker.prometheus.series-cache: -2", "broker.prometheus.series-cache"),
                Arguments.of("broker.kafka.bootstrap-servers: []", "broker.kafka.bootstrap-servers"),
                Arguments.of("broker.write.mode: kafka", "broker.kafka.bootstrap-servers"),
                Arguments.of("broker.kafka.topic: 'has space'", "broker.kafka.topic"),
                Arguments.of("broker.kafka.ack-timeout: 0ms", "broker.kafka.ack-timeout"),
                Arguments.of("broker.kafka.ingest-group: ''", "broker.kafka.ingest-group"),
                Arguments.of("broker.query.timeout: never", "broker.query.timeout"),
                Arguments.of("broker.query.max-groups: 0", "broker.query.max-groups"),
                Arguments.of("master.lease-ttl: 2500ms", "master.lease-ttl"),
                Arguments.of("master.poll-interval: 1ms", "master.poll-interval"),
                Arguments.of("master.reconcile-interval: 5", "master.reconcile-interval"),
                Arguments.of("master.rebuild-grace: -1s", "master.rebuild-grace"),
                Arguments.of("master.rebalance-delay: later", "master.rebalance-delay"),
                Arguments.of("master.repair-delay: 1y", "master.repair-delay"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyAndTheFile(String line, String key) {
        assertThatThrownBy(() -> parse(MINIMAL + line + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration value [key=" + key + ", file=broker.yaml]: ");
    }

    @Test
    void sharesThatDoNotFitTheHeapStopTheStartNamingEachShare() {
        assertThatThrownBy(() -> parse(MINIMAL + "broker.http.max-in-flight-bytes: 1TiB\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("memory shares do not fit the heap [role=broker, heap=")
                .hasMessageContaining("broker.http.max-in-flight-bytes=1TiB (request bodies held at once)")
                .hasMessageContaining("MERIDIAN_BROKER_JAVA_OPTS");
    }

    @Test
    void everyDeclaredKeyHasABadValueCase() {
        List<String> covered = badValues().map(a -> (String) a.get()[1]).toList();
        List<String> declared = BrokerConfigKeys.DEF.options().stream()
                .map(ConfigOption::key)
                .filter(k -> !k.equals("node.data-dir")) // any string is a path; covered by the missing-key test
                .toList();
        assertThat(covered).containsAll(declared);
    }

    @Test
    void kafkaModeWithoutBootstrapServersIsAStartUpErrorNamingTheKey() {
        assertThatThrownBy(() -> parse(MINIMAL + "broker.write.mode: kafka\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration value [key=broker.kafka.bootstrap-servers, file=broker.yaml]:"
                        + " required when broker.write.mode is kafka: want host:port of at least one Kafka broker");
        // direct mode does not need them, and ignores the kafka keys
        assertThat(parse(MINIMAL + "broker.kafka.ack-timeout: 1s\n").kafka()).isNull();
    }

    @Test
    void unknownAndMissingKeysAreNamed() {
        assertThatThrownBy(() -> parse(MINIMAL + "broker:\n  http:\n    prot: 80\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key [key=broker.http.prot, file=broker.yaml]: did you mean"
                        + " broker.http.port?");
        assertThatThrownBy(() -> parse(MINIMAL + "node.cluster: c1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key [key=node.cluster, file=broker.yaml]");
        assertThatThrownBy(() -> parse("node.id: b1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing configuration key [key=node.data-dir, file=broker.yaml]");
        assertThatThrownBy(() -> parse("node.data-dir: /d\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing configuration key [key=node.id, file=broker.yaml]");
    }

    @Test
    void shippedExampleLoadsAndDocsListEveryKeyWithItsDefault() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        BrokerNodeConfig example = BrokerNodeConfig.load(root.resolve("conf/broker.yaml"));
        assertThat(example.nodeId()).isEqualTo("broker-1");
        assertThat(example)
                .isEqualTo(parse("node.id: broker-1\nnode.data-dir: data/broker-1\n"))
                .as("the example sets every key to its default");
        String docs = Files.readString(root.resolve("docs/configuration.md"));
        for (ConfigOption<?> o : BrokerConfigKeys.DEF.options()) {
            assertThat(docs)
                    .as("docs/configuration.md row of " + o.key())
                    .contains("| `" + o.key() + "` | " + o.type().name() + " | `" + o.formattedDefault() + "` |");
        }
    }
}
