package io.meridian.broker.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.query.FieldRead;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeQueryCodecTest {
    private final NativeQueryCodec codec = new NativeQueryCodec(Duration.ofSeconds(30), 1000);

    private QuerySpec parse(String json) {
        return codec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesEveryPart() {
        QuerySpec q = parse("""
                {"db":"tsbs","metric":"cpu","start":"2026-01-01T00:00:00Z","end":1767229200000,"bucket":"1m",
                 "where":{"and":[{"tag":"hostname","in":["host_1","host_2"]},{"not":{"tag":"region","regex":"eu-.*"}},
                                 {"or":[{"tag":"rack","eq":"1"},{"tag":"os","prefix":"Ubuntu"}]}]},
                 "groupBy":["hostname"],
                 "select":[{"fn":"max","field":"usage_user","as":"m"},{"fn":"avg","field":"usage_user"},
                           {"fn":"percentile","field":"lat","q":0.99}],
                 "orderBy":[{"column":"m","desc":true}],"limit":5,"timeout":"5s","maxGroups":10,"allowPartial":true}
                """);
        assertThat(q.startMs()).isEqualTo(1767225600000L);
        assertThat(q.endMs()).isEqualTo(1767229200000L);
        assertThat(q.bucketMs()).isEqualTo(60_000);
        assertThat(q.columns()).containsExactly("ts", "hostname", "m", "avg(usage_user)", "percentile(lat, 0.99)");
        assertThat(q.reads()).extracting(FieldRead::field).containsExactly("usage_user", "lat");
        assertThat(q.filter())
                .isEqualTo(new TagCondition.And(List.of(
                        TagCondition.in("hostname", List.of("host_1", "host_2")),
                        TagCondition.not(TagCondition.regex("region", "eu-.*")),
                        new TagCondition.Or(
                                List.of(TagCondition.eq("rack", "1"), TagCondition.prefix("os", "Ubuntu"))))));
        assertThat(q.orderBy()).containsExactly(new OrderKey("m", true));
        assertThat(q.limit()).isEqualTo(5);
        assertThat(q.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(q.maxGroups()).isEqualTo(10);
        assertThat(q.allowPartial()).isTrue();
        assertThat(q.leafRequest().getAggregatesCount())
                .as("a percentile asks the leaves for complete states")
                .isZero();
        QuerySpec d = parse("""
                {"db":"d","metric":"m","start":0,"end":10,"select":[{"fn":"sum","field":"x"}]}""");
        assertThat(d.filter()).isEqualTo(TagCondition.all());
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxGroups()).isEqualTo(1000);
        assertThat(d.columns()).containsExactly("sum(x)");
        assertThat(d.leafRequest().getSelectorTimes()).isFalse();
        QuerySpec selector = parse("""
                {"db":"d","metric":"m","start":0,"end":10,
                 "select":[{"fn":"max","field":"x"},{"fn":"max_time","field":"x"}]}""");
        assertThat(selector.leafRequest().getSelectorTimes())
                .as("MAX_TIME asks the leaves for the base family, whose slots keep the selector times")
                .isTrue();
    }

    @Test
    void badInputNamesThePath() {
        String base = "\"db\":\"d\",\"metric\":\"m\",\"start\":0,\"end\":10";
        assertBad("{" + base + "}", "$.select");
        assertBad("{" + base + ",\"select\":[{\"fn\":\"median\",\"field\":\"x\"}]}", "$.select[0].fn", "percentile");
        assertBad(
                "{" + base + ",\"groupby\":[\"h\"],\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}]}",
                "$.groupby",
                "groupBy");
        assertBad(
                "{" + base
                        + ",\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}],\"where\":{\"tag\":\"h\",\"regex\":\"a(\"}}",
                "$.where.regex",
                "index=");
        assertBad("{" + base + ",\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}],\"where\":{\"tag\":\"h\"}}", "$.where");
        assertBad(
                "{" + base + ",\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}],\"orderBy\":[{\"column\":\"y\"}]}",
                "column=y",
                "sum(x)");
        assertBad(
                "{" + base + ",\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}],\"timeout\":\"1h\"}",
                "$.timeout",
                "broker.query.timeout");
        assertBad("{" + base + ",\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}],\"maxGroups\":5000}", "$.maxGroups");
        assertBad(
                "{\"db\":\"d\",\"metric\":\"m\",\"start\":\"yesterday\",\"end\":10,\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}]}",
                "$.start",
                "ISO-8601");
        assertBad(
                "{\"db\":\"d\",\"metric\":\"m\",\"start\":10,\"end\":10,\"select\":[{\"fn\":\"sum\",\"field\":\"x\"}]}",
                "time range");
        assertBad("{" + base + ",\"select\":[{\"fn\":\"percentile\",\"field\":\"x\"}]}", "$.select[0].q");
        assertBad("{\"db\":", "malformed JSON", "line=1");
        assertBad("[1]", "want a JSON object");
    }

    private void assertBad(String json, String... parts) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).as(json).contains(parts));
    }

    @Test
    void rendersTypedJson() {
        QueryResult r = new QueryResult(
                List.of(
                        new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP),
                        new QueryResult.Column("host", QueryResult.Type.VARCHAR),
                        new QueryResult.Column("n", QueryResult.Type.BIGINT),
                        new QueryResult.Column("v", QueryResult.Type.DOUBLE)),
                List.of(Arrays.asList(1767225600000L, "h\"1", 3L, 1.5), Arrays.asList(1767225660000L, "h2", 0L, null)),
                List.of("idc2"));
        assertThat(new String(NativeQueryCodec.render(r), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"columns\":[{\"name\":\"ts\",\"type\":\"TIMESTAMP\"},{\"name\":\"host\",\"type\":\"VARCHAR\"},"
                                + "{\"name\":\"n\",\"type\":\"BIGINT\"},{\"name\":\"v\",\"type\":\"DOUBLE\"}],"
                                + "\"rows\":[[\"2026-01-01T00:00:00Z\",\"h\\\"1\",3,1.5],[\"2026-01-01T00:01:00Z\",\"h2\",0,null]],"
                                + "\"partial\":true,\"missingIdcs\":[\"idc2\"]}");
    }
}
