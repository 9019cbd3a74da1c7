package io.meridian.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The broker's bound on request bodies in flight: over it, a request is answered 503 with Retry-After at once
 * (not queued), and the bytes come back when a request is answered.
 */
class InFlightBoundTest {
    @Test
    void aBodyOverTheBoundIs503WithRetryAfterUntilTheOneInFlightIsAnswered() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        HttpRoutes routes = new HttpRoutes().add("POST", "/slow", "slow", r -> {
            if (r.param("wait") != null) {
                entered.countDown();
                try {
                    finish.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ApiResponse.json(200, Map.of("bytes", r.body().length));
        });
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (BrokerHttpServer server =
                BrokerHttpServer.start("127.0.0.1", 0, 64 * 1024, 1_000, 4, routes, new BrokerMetrics(registry))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port() + "/slow";
            CompletableFuture<HttpResponse<String>> first =
                    http.sendAsync(post(base + "?wait=1", 800), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(30, TimeUnit.SECONDS))
                    .as("the first request is being handled")
                    .isTrue();

            HttpResponse<String> refused = http.send(post(base, 800), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.body()).contains("broker is busy", "broker.http.max-in-flight-bytes=1000");
            assertThat(registry.scrape()).contains("meridian_broker_http_in_flight_bytes 800.0");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as("no body: never refused")
                    .isEqualTo(200);

            finish.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(http.send(post(base, 800), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as("the bytes came back")
                    .isEqualTo(200);
            assertThat(registry.scrape()).contains("meridian_broker_http_in_flight_bytes 0.0");
        }
    }

    @Test
    void oneBodyLargerThanTheBoundIsAdmittedWhenNothingElseIsInFlight() {
        InFlightBodies bound = new InFlightBodies(100, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        assertThat(bound.tryAcquire(500)).isTrue();
        assertThat(bound.tryAcquire(1)).isFalse();
        assertThat(bound.tryAcquire(0)).isTrue();
        bound.release(500);
        assertThat(bound.tryAcquire(60)).isTrue();
        assertThat(bound.tryAcquire(40)).isTrue();
        assertThat(bound.tryAcquire(1)).isFalse();
    }

    private static HttpRequest post(String url, int bytes) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[bytes]))
                .build();
    }
}
