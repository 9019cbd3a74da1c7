package io.meridian.broker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
    private static final ApiHandler OK = r -> ApiResponse.noContent();

    @Test
    void matchesLiteralAndPatternRoutesAndKnowsPathsOfOtherMethods() {
        HttpRoutes routes = new HttpRoutes()
                .add("GET", "/api/v1/databases", "list", OK)
                .add("GET", "/api/v1/databases/{db}", "describe", OK)
                .add("POST", "/api/v1/databases/{db}/metrics/{metric}", "declare", OK);
        assertThat(routes.match("GET", "/api/v1/databases")
                        .orElseThrow()
                        .route()
                        .endpoint())
                .isEqualTo("list");
        HttpRoutes.Match m =
                routes.match("POST", "/api/v1/databases/web/metrics/cpu").orElseThrow();
        assertThat(m.route().endpoint()).isEqualTo("declare");
        assertThat(m.pathParams()).isEqualTo(Map.of("db", "web", "metric", "cpu"));
        assertThat(routes.match("GET", "/api/v1/databases/")).isEmpty();
        assertThat(routes.match("DELETE", "/api/v1/databases/web")).isEmpty();
        assertThat(routes.hasPath("/api/v1/databases/web")).isTrue();
        assertThat(routes.hasPath("/api/v1/nothing")).isFalse();
        assertThatThrownBy(() -> routes.add("GET", "/api/v1/databases", "again", OK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void createBodyErrorsNameTheField() {
        MetaSnapshot s = new MetaSnapshot(
                1, null, null, Map.of(), Map.of("c1", new StorageCluster("c1", "idc1")), Map.of(), Map.of(), Map.of());
        DatabaseConfig c = DatabasesEndpoint.parse(bytes("""
                {"name":"web","shards":4,"replicas":2,"writeConcern":"all",
                 "intervals":[{"interval":"10s","retention":"30d"},{"interval":"5m","retention":"180d"}]}"""), s);
        assertThat(c.clusters()).containsExactly("c1");
        assertThat(c.writeConcern()).isEqualTo(WriteConcern.ALL);
        assertThat(c.intervals()).hasSize(2);
        assertBad(s, "[]", "want a JSON object");
        assertBad(
                s,
                "{\"shards\":1,\"replicas\":1,\"intervals\":[{\"interval\":\"10s\",\"retention\":\"1d\"}]}",
                "missing field [field=name]");
        assertBad(s, "{\"name\":\"w\",\"shards\":0,\"replicas\":1}", "field=shards");
        assertBad(s, "{\"name\":\"w\",\"shards\":1,\"replicas\":1.5}", "field=replicas");
        assertBad(s, "{\"name\":\"w\",\"shards\":1,\"replicas\":1,\"intervals\":[]}", "field=intervals");
        assertBad(
                s,
                "{\"name\":\"w\",\"shards\":1,\"replicas\":1,\"intervals\":[{\"interval\":\"10s\"}]}",
                "field=intervals[0].retention");
        assertBad(
                s,
                "{\"name\":\"w\",\"shards\":1,\"replicas\":1,\"intervals\":[{\"interval\":\"10s\",\"retention\":\"1d\"}],"
                        + "\"clusters\":\"c1\"}",
                "field=clusters");
        assertBad(s, "{\"name\":\"w\",\"shard\":1}", "unknown field [field=shard]");
    }

    @Test
    void fieldTypesAreParsedOrNamed() {
        assertThat(MetricFieldsEndpoint.parse(
                        bytes("{\"fields\":{\"requests\":\"counter\",\"latency\":\"histogram\"}}")))
                .isEqualTo(Map.of("requests", FieldType.COUNTER, "latency", FieldType.HISTOGRAM));
        assertThat(MetricFieldsEndpoint.parse(bytes("{\"fields\":{\"requests\":\"sum\"}}")))
                .isEqualTo(Map.of("requests", FieldType.SUM));
        assertThatThrownBy(() -> MetricFieldsEndpoint.parse(bytes("{\"fields\":{\"requests\":\"avg\"}}")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("field=requests")
                .hasMessageContaining("gauge, sum, counter, min, max, first, last, histogram");
        assertThatThrownBy(() -> MetricFieldsEndpoint.parse(bytes("{\"fields\":{}}")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("field=fields");
    }

    private static void assertBad(MetaSnapshot s, String body, String message) {
        assertThatThrownBy(() -> DatabasesEndpoint.parse(bytes(body), s))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
