package io.meridian.bench.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Latency of the statements a user types first, without a time range, over {@code POST /api/v1/sql} on one
 * kept-alive connection (one text repeated: the plan is cached after the first run; each statement is run
 * untimed for five seconds first): {@code COUNT(*)}, the
 * distinct values of a tag, their count, and the newest slot per host. Median and p90 in ms, with the rows and
 * the first row of the answer (to compare runs and builds); a statement the broker refuses is reported with its
 * error instead (NaN times), so a build where it fails still prints the other figures.
 */
public record StatementLatency(String name, double medianMs, double p90Ms, int rows, String firstRow) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WARMUP_NANOS = 5_000_000_000L;

    static final List<String[]> STATEMENTS = List.of(
            new String[] {"count_all", "SELECT COUNT(*) FROM cpu"},
            new String[] {"distinct_hostname", "SELECT DISTINCT hostname FROM cpu"},
            new String[] {"count_distinct_hostname", "SELECT COUNT(DISTINCT hostname) FROM cpu"},
            new String[] {"newest_slot_per_host", "SELECT hostname, MAX(ts) FROM cpu GROUP BY hostname"});

    static List<StatementLatency> run(RawHttpClient http, String database, int runs) throws IOException {
        List<StatementLatency> out = new ArrayList<>();
        for (String[] s : STATEMENTS) {
            JsonNode first = null;
            String failure = null;
            double[] ms = new double[runs];
            // untimed runs first, for WARMUP_NANOS: plan cached and the path compiled by the JIT, as the peers'
            // figures are taken warm (five untimed runs left the median at two to five times the warm figure)
            long warmUntil = System.nanoTime() + WARMUP_NANOS;
            for (int warm = 0; System.nanoTime() < warmUntil || warm < 5; warm++) {
                RawHttpClient.Answer a = http.post(
                        "/api/v1/sql", "application/json", JSON.writeValueAsBytes(Map.of("db", database, "sql", s[1])));
                if (a.status() != 200) {
                    break; // reported by the first timed run
                }
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                RawHttpClient.Answer a = http.post(
                        "/api/v1/sql", "application/json", JSON.writeValueAsBytes(Map.of("db", database, "sql", s[1])));
                long t1 = System.nanoTime();
                if (a.status() != 200) {
                    failure = "fails: " + a.status() + " " + a.bodyText();
                    break;
                }
                if (first == null) {
                    first = JSON.readTree(a.body()).get("rows");
                }
                ms[i] = (t1 - t0) / 1e6;
            }
            if (failure != null) {
                out.add(new StatementLatency(s[0], Double.NaN, Double.NaN, 0, failure));
                continue;
            }
            Arrays.sort(ms);
            out.add(new StatementLatency(
                    s[0],
                    QueryLatency.percentile(ms, 0.5),
                    QueryLatency.percentile(ms, 0.9),
                    first.size(),
                    first.isEmpty() ? "" : first.get(0).toString()));
        }
        return out;
    }
}
