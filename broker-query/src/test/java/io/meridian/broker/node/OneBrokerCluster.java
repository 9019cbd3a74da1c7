package io.meridian.broker.node;

import static org.awaitility.Awaitility.await;

import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One storage node and one broker in this JVM on a test's etcd, with storage cluster {@code c1} created and the
 * broker ready: what the end-to-end tests of a front door (Prometheus, InfluxQL) talk to over HTTP.
 */
public final class OneBrokerCluster implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(60);

    public final StorageNode storage;
    public final BrokerNode broker;
    private final HttpClient http = HttpClient.newHttpClient();

    public OneBrokerCluster(EtcdProcess etcd, Path dir, String root, String brokerYaml) {
        storage = StorageNode.start(
                StorageNodeConfig.from(
                        ConfigTree.parse("test", """
                node: {id: s1, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, http.port: -1, memtable.size: 8MiB, block-cache.size: 8MiB}
                """.formatted(dir.resolve("s1"), etcd.endpoint(), root))),
                StorageMain.CONTROLLER);
        BrokerNode b = null;
        try {
            b = BrokerNode.start(
                    BrokerNodeConfig.from(ConfigTree.parse(
                            "test", """
                    node: {id: b1, idc: idc1, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                    broker: {http.port: 0, grpc.port: 0, http.worker-threads: 8}
                    master: {lease-ttl: 2s, poll-interval: 100ms, reconcile-interval: 300ms, rebuild-grace: 1s}
                    %s
                    """.formatted(dir.resolve("b1"), etcd.endpoint(), root, brokerYaml))),
                    List.of());
            BrokerNode started = b;
            await().atMost(WAIT)
                    .ignoreExceptions()
                    .until(() -> started.master().isMaster()
                            && started.cache().snapshot().marker() != null);
            try {
                b.master().createCluster(new StorageCluster("c1", "idc1"));
            } catch (InvalidInputException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    throw e;
                }
            }
            String ready = started.httpUrl() + "/health/ready";
            await().atMost(WAIT)
                    .until(() -> send(HttpRequest.newBuilder(URI.create(ready)).build())
                                    .statusCode()
                            == 200);
        } catch (RuntimeException e) {
            if (b != null) {
                b.close();
            }
            storage.close();
            throw e;
        }
        broker = b;
    }

    /** {@code http://127.0.0.1:port} of the broker. */
    public String url() {
        return broker.httpUrl();
    }

    /** Creates a database (201) with one interval. */
    public void createDatabase(String name, int shards, String interval, String retention) {
        HttpResponse<String> r = post(
                "/api/v1/databases",
                "{\"name\":\"" + name + "\",\"shards\":" + shards
                        + ",\"replicas\":1,\"intervals\":[{\"interval\":\"" + interval + "\",\"retention\":\""
                        + retention
                        + "\"}]}",
                "application/json");
        if (r.statusCode() != 201) {
            throw new IllegalStateException("CREATE DATABASE " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                .timeout(WAIT)
                .GET()
                .build());
    }

    public HttpResponse<String> post(String pathAndQuery, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                .timeout(WAIT)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** {@code POST /api/v1/sql} and the answer's body; throws unless 200. */
    public String sql(String db, String sql) {
        HttpResponse<String> r = post("/api/v1/sql?db=" + db, sql, "text/plain");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("SQL " + sql + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            storage.close();
        }
    }
}
