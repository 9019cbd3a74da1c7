package io.meridian.bench.jmh;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meridian.broker.sql.SqlAnswerJson;
import io.meridian.sql.SqlAnswer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON body of {@code POST /api/v1/sql}, microseconds per answer, for the answers of two TSBS shapes:
 * {@code lastpoint} (1,000 rows: a host name and 10 doubles) and {@code double-groupby} (12,000 rows: an ISO
 * timestamp, a host name and a double).
 *
 * <ul>
 *   <li>{@code viaMapAndString}: the endpoint before 2026-12-07: the answer copied into maps and lists, Jackson's
 *       {@code writeValueAsString}, then the string encoded as UTF-8 into the response buffer.
 *   <li>{@code streamed}: {@link SqlAnswerJson}: written value by value to UTF-8 bytes.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SqlAnswerJsonBenchmark {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    @Param({"lastpoint", "double-groupby"})
    public String shape;

    private SqlAnswer answer;

    @Setup
    public void setUp() {
        Random r = new Random(1);
        List<SqlAnswer.Column> columns = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        if (shape.equals("lastpoint")) {
            columns.add(new SqlAnswer.Column("hostname", "VARCHAR"));
            for (int f = 0; f < 10; f++) {
                columns.add(new SqlAnswer.Column("usage_" + f, "DOUBLE"));
            }
            for (int h = 0; h < 1_000; h++) {
                List<Object> row = new ArrayList<>();
                row.add("host_" + h);
                for (int f = 0; f < 10; f++) {
                    row.add(Math.round(r.nextDouble() * 10_000) / 100.0);
                }
                rows.add(row);
            }
        } else {
            columns.add(new SqlAnswer.Column("hour", "TIMESTAMP"));
            columns.add(new SqlAnswer.Column("hostname", "VARCHAR"));
            columns.add(new SqlAnswer.Column("usage_user", "DOUBLE"));
            for (int hour = 0; hour < 12; hour++) {
                String t = Instant.ofEpochSecond(1_796_515_200L + hour * 3_600L).toString();
                for (int h = 0; h < 1_000; h++) {
                    rows.add(List.of(t, "host_" + h, r.nextDouble() * 100));
                }
            }
        }
        answer = new SqlAnswer(columns, rows, 250_000, 4_000_000);
        if (!new String(streamed(), StandardCharsets.UTF_8)
                .equals(new String(viaMapAndString(), StandardCharsets.UTF_8))) {
            throw new IllegalStateException("the two bodies differ");
        }
    }

    @Benchmark
    public byte[] viaMapAndString() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> cols = new ArrayList<>();
        answer.columns().forEach(c -> {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("name", c.name());
            col.put("type", c.type());
            cols.add(col);
        });
        out.put("columns", cols);
        out.put("rows", answer.rows());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("planningMs", answer.planningNanos() / 1e6);
        stats.put("executionMs", answer.executionNanos() / 1e6);
        out.put("stats", stats);
        try {
            return JSON.writeValueAsString(out).getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public byte[] streamed() {
        return SqlAnswerJson.bytes(answer);
    }
}
