package io.meridian.broker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.connector.kafka.IngestRecord;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link BrokerNode} in {@code broker.write.mode: kafka} against etcd, a storage node and an in-JVM KRaft
 * Kafka: a line-protocol write is answered 204 once its pb1 records are in the topic (one per shard, partition
 * shard mod partitions, shard key, db/format headers) and the records decode to exactly the written points; bad
 * input produces nothing; with Kafka stopped, a write is answered 503 within the ack timeout, naming the topic.
 */
@ExtendWith(EtcdExtension.class)
class BrokerKafkaModeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final String ROOT = "/broker-kafka-it";
    private static final String TOPIC = IngestTopic.DEFAULT_TOPIC;
    private static final int SHARDS = 4;
    /** Fewer partitions than shards, so that partition = shard mod partitions is really tested. */
    private static final int PARTITIONS = 3;

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void writesBecomePb1RecordsPerShardAndKafkaDownIs503(EtcdProcess etcd) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        open.add(kafka);
        kafka.createTopic(TOPIC, PARTITIONS);
        open.add(StorageNode.start(
                StorageNodeConfig.from(
                        ConfigTree.parse("test", """
                node: {id: s1, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, http.port: -1, memtable.size: 4MiB, block-cache.size: 4MiB}
                """.formatted(dir.resolve("s1"), etcd.endpoint(), ROOT))),
                StorageMain.CONTROLLER));
        BrokerNode broker = BrokerNode.start(
                BrokerNodeConfig.from(ConfigTree.parse("test", """
                node: {id: b1, idc: idc1, data-dir: '%s'}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                broker: {http.port: 0, grpc.port: 0, http.worker-threads: 4,
                         write.mode: kafka, kafka: {bootstrap-servers: '%s', topic: %s, ack-timeout: 2s}}
                master: {lease-ttl: 2s, poll-interval: 100ms, reconcile-interval: 300ms, rebuild-grace: 1s,
                         rebalance-delay: 1h}
                """.formatted(
                                dir.resolve("b1"), etcd.endpoint(), ROOT, kafka.bootstrapServers(), TOPIC))),
                List.of());
        open.add(broker);
        assertThat(broker.config().kafka().ackTimeout()).isEqualTo(ACK_TIMEOUT);
        createDatabase(broker);
        String base = broker.httpUrl();

        // a write: 204 once Kafka has every record
        StringBuilder body = new StringBuilder();
        Map<String, Double> expected = new TreeMap<>(); // "metric,host field ts" -> value
        for (int host = 0; host < 20; host++) {
            for (int row = 0; row < 3; row++) {
                long ts = T0 + row * 10_000L;
                body.append("cpu,host=h")
                        .append(host)
                        .append(" usage=")
                        .append(host + row / 10.0)
                        .append(",idle=")
                        .append(100 - host)
                        .append(' ')
                        .append(ts)
                        .append('\n');
                expected.put("cpu,host=h" + host + " usage " + ts, host + row / 10.0);
                expected.put("cpu,host=h" + host + " idle " + ts, 100.0 - host);
            }
            body.append("mem,host=h")
                    .append(host)
                    .append(" used=")
                    .append(host * 1024)
                    .append(' ')
                    .append(T0)
                    .append('\n');
            expected.put("mem,host=h" + host + " used " + T0, host * 1024.0);
        }
        HttpResponse<String> written = send(base + "/api/v1/write?db=web&precision=ms", body.toString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(204);

        // exactly one record per shard of the request, where FORMAT.md says, decoding to the same points
        TreeSet<Integer> expectedShards = new TreeSet<>();
        for (int host = 0; host < 20; host++) {
            expectedShards.add(shardOf("cpu", "h" + host));
            expectedShards.add(shardOf("mem", "h" + host));
        }
        Map<Integer, Long> ends = kafka.endOffsets(TOPIC);
        assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(expectedShards.size());
        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, ends);
        assertThat(records).hasSize(expectedShards.size());
        Map<String, Double> actual = new TreeMap<>();
        TreeSet<Integer> shards = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(header(r, "db")).isEqualTo("web");
            assertThat(header(r, "format")).isEqualTo("pb1");
            assertThat(r.key()).hasSize(4);
            int shard = ByteBuffer.wrap(r.key()).getInt();
            assertThat(r.partition()).as("partition of shard " + shard).isEqualTo(shard % PARTITIONS);
            IngestRecord.Batch batch = (IngestRecord.Batch) IngestRecordCodec.decode(r);
            assertThat(batch.shard()).isEqualTo(shard);
            assertThat(shards.add(shard)).as("one record per shard").isTrue();
            for (SeriesRows s : batch.batch().getSeriesList()) {
                // a series is named by its canonical key's bytes (storage.proto revision 10)
                SeriesKey key = SeriesKey.fromCanonical(s.getKey().toByteArray());
                String host = key.tags().get("host");
                assertThat(shardOf(key.metric(), host))
                        .as("series in its shard's record")
                        .isEqualTo(shard);
                long[] ts = TimestampDeltas.decode(s.getTimestampDeltasList());
                int fields = s.getFieldsCount();
                assertThat(s.getValuesCount()).isEqualTo(ts.length * fields);
                for (int row = 0; row < ts.length; row++) {
                    for (int f = 0; f < fields; f++) {
                        double v = s.getValues(row * fields + f);
                        if (!Double.isNaN(v)) {
                            Double before = actual.put(
                                    key.metric() + ",host=" + host + " " + s.getFields(f) + " " + ts[row], v);
                            assertThat(before).as("a point appears once").isNull();
                        }
                    }
                }
            }
        }
        assertThat(shards).isEqualTo(expectedShards);
        assertThat(actual).hasSize(20 * 3 * 2 + 20).isEqualTo(expected);

        // bad input is refused before anything is produced: the end offsets do not move
        HttpResponse<String> malformed = send(
                base + "/api/v1/write?db=web&precision=ms",
                "cpu,host=h1 usage=1 " + T0 + "\ncpu,host=h2 usage= " + T0 + "\n");
        assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
        HttpResponse<String> unknownDb = send(base + "/api/v1/write?db=nope&precision=ms", body.toString());
        assertThat(unknownDb.statusCode()).as(unknownDb.body()).isEqualTo(404);
        assertThat(send(base + "/api/v1/write?db=web&precision=days", body.toString())
                        .statusCode())
                .isEqualTo(400);
        assertThat(kafka.endOffsets(TOPIC)).isEqualTo(ends);

        // Kafka stopped: the write is answered 503 within the ack timeout, naming the topic
        kafka.close();
        long started = System.nanoTime();
        HttpResponse<String> down = send(base + "/api/v1/write?db=web&precision=ms", body.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(down.body()).contains("topic=" + TOPIC).contains("partition=");
        // bounded, not hanging: the ack timeout plus generous slack for a loaded 2-core machine (a CI run saw 8 s)
        assertThat(took).as("answered within the ack timeout (plus slack)").isLessThan(ACK_TIMEOUT.plusSeconds(20));
    }

    private static int shardOf(String metric, String host) {
        return SeriesHash.shardOf(SeriesKey.of(metric, Map.of("host", host)).canonicalBytes(), SHARDS);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, Map<Integer, Long> ends) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            ends.keySet().forEach(p -> tps.add(new TopicPartition(TOPIC, p)));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (out.size() < total && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private void createDatabase(BrokerNode broker) throws Exception {
        // as BrokerNodeIT: DDL is accepted once the master has (re)built the metadata (the marker is written)
        await().atMost(WAIT)
                .until(() -> broker.master().isMaster()
                        && broker.cache().snapshot().master() != null
                        && broker.cache().snapshot().marker() != null);
        if (!broker.cache().snapshot().clusters().containsKey("c1")) {
            try {
                broker.master().createCluster(new StorageCluster("c1", "idc1"));
            } catch (InvalidInputException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
        await().atMost(WAIT)
                .until(() -> broker.cache().snapshot().clusters().containsKey("c1")
                        && broker.cache().snapshot().nodes().values().stream()
                                .anyMatch(n -> n.role() == NodeRole.STORAGE));
        HttpResponse<String> created = send(broker.httpUrl() + "/api/v1/databases", """
                {"name":"web","shards":%d,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""".formatted(SHARDS));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        await().atMost(WAIT).until(() -> broker.cache().snapshot().databases().containsKey("web"));
    }

    private HttpResponse<String> send(String url, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(WAIT)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
