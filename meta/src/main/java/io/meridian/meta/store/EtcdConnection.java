package io.meridian.meta.store;

import io.etcd.jetcd.Client;
import io.meridian.common.error.BackgroundTasks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the jetcd {@link Client} and replaces it when it stays disconnected although etcd is back.
 *
 * <p>Why: gRPC backs off exponentially between reconnect attempts (up to two minutes) and jetcd does not expose
 * the channel to reset it. After a long etcd outage a client could therefore stay unavailable for tens of
 * seconds after etcd returned. While calls keep failing for {@link #STALE_AFTER}, this class asks etcd's
 * {@code /health} over plain HTTP; if etcd answers, the client is rebuilt (a fresh channel connects at once)
 * and listeners (watches) re-attach to the new one.
 *
 * <p>Threading: {@link #client()} is a volatile read; {@link #check()} runs on the store's scheduler.
 */
final class EtcdConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdConnection.class);
    static final Duration STALE_AFTER = Duration.ofSeconds(2);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(500);

    private final MetaStoreOptions options;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
    private final AtomicLong failingSinceNanos = new AtomicLong();
    private final List<Runnable> onReplaced = new CopyOnWriteArrayList<>();
    private volatile Client client;
    private volatile long replacements;
    private long lastReplacedNanos;

    EtcdConnection(MetaStoreOptions options, ScheduledExecutorService scheduler) {
        this.options = options;
        this.client = build();
        long ms = CHECK_INTERVAL.toMillis();
        scheduler.scheduleWithFixedDelay(
                BackgroundTasks.guarded("etcd-connection", this::check), ms, ms, TimeUnit.MILLISECONDS);
    }

    Client client() {
        return client;
    }

    long replacements() {
        return replacements;
    }

    void onReplaced(Runnable listener) {
        onReplaced.add(listener);
    }

    void removeOnReplaced(Runnable listener) {
        onReplaced.remove(listener);
    }

    void succeeded() {
        failingSinceNanos.set(0);
    }

    void failed() {
        failingSinceNanos.compareAndSet(0, System.nanoTime());
    }

    private Client build() {
        return Client.builder()
                .endpoints(options.endpoints().toArray(String[]::new))
                .connectTimeout(options.operationTimeout())
                .retryMaxDuration(options.operationTimeout())
                .waitForReady(false)
                .build();
    }

    private void check() {
        long since = failingSinceNanos.get();
        long now = System.nanoTime();
        if (since == 0 || now - since < STALE_AFTER.toNanos() || now - lastReplacedNanos < STALE_AFTER.toNanos()) {
            return;
        }
        if (!anyEndpointHealthy()) {
            return; // etcd is really down: a new client would not help
        }
        Client old = client;
        client = build();
        lastReplacedNanos = now;
        failingSinceNanos.set(0);
        replacements++;
        LOG.info(
                "etcd is back but the client was still disconnected: replaced it [endpoints={}, failingMs={},"
                        + " replacements={}]",
                options.endpoints(),
                TimeUnit.NANOSECONDS.toMillis(now - since),
                replacements);
        onReplaced.forEach(Runnable::run);
        old.close();
    }

    private boolean anyEndpointHealthy() {
        for (String endpoint : options.endpoints()) {
            if (!endpoint.startsWith("http://")) {
                return true; // cannot probe TLS endpoints without their credentials: assume back, rebuild
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                                .timeout(HEALTH_TIMEOUT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
                    return true;
                }
            } catch (IOException e) {
                LOG.debug("etcd health probe failed [endpoint={}]: {}", endpoint, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        client.close();
    }
}
