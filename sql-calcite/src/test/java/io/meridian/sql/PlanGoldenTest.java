package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.FieldType;
import io.meridian.common.query.QueryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden plans (in the spirit of Calcite's {@code DiffRepository}): each case of {@code golden/plans.txt} is a
 * statement and the plan {@code EXPLAIN PLAN FOR} shows for it (what Calcite runs, and the pushed
 * {@code MeridianQuery} with its columns by kind). A change to the rules or to the typed plan shows up as a diff
 * of that reviewed file. After a deliberate change, regenerate it with
 * {@code mvn -pl sql-calcite test -Dtest=PlanGoldenTest -Dgolden.update=true} and review the diff.
 *
 * <p>File format: a case starts with {@code ### name}, then the SQL (one or more lines), then {@code --- plan}
 * and the plan's lines.
 */
class PlanGoldenTest {
    private static final Path FILE = Path.of("src/test/resources/golden/plans.txt");

    private final Catalog catalog = new TestCatalog()
            .database("tsbs", 10_000, Duration.ofDays(30).toMillis())
            .metric(
                    "cpu",
                    List.of("hostname", "region"),
                    "usage_user",
                    FieldType.GAUGE,
                    "usage_system",
                    FieldType.GAUGE)
            .database("tel", 10_000, Duration.ofDays(3650).toMillis())
            .metric("req", List.of("a0", "abc", "arch", "value"), "count", FieldType.SUM, "min", FieldType.GAUGE);

    private final SqlEngine engine = new SqlEngine(
            catalog, spec -> new QueryResult(List.of(), List.of(), List.of()), Duration.ofSeconds(10), 1000);

    @Test
    void plansMatchTheReviewedFile() throws IOException {
        Map<String, String[]> cases = parse(Files.readString(FILE, StandardCharsets.UTF_8));
        assertThat(cases).as("cases in " + FILE).hasSizeGreaterThanOrEqualTo(10);
        StringBuilder actualFile = new StringBuilder();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String sql = c.getValue()[0];
            String db = sql.contains(" req") ? "tel" : "tsbs";
            String actual = explain(db, sql);
            actualFile
                    .append("### ")
                    .append(c.getKey())
                    .append('\n')
                    .append(sql)
                    .append("\n--- plan\n")
                    .append(actual)
                    .append('\n');
            if (!actual.equals(c.getValue()[1])) {
                mismatches.add(c.getKey() + ":\n  expected:\n" + c.getValue()[1] + "\n  actual:\n" + actual);
            }
        }
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(FILE, actualFile.toString(), StandardCharsets.UTF_8);
            return;
        }
        assertThat(mismatches)
                .as("plans that differ from " + FILE + " (regenerate with -Dgolden.update=true and review)")
                .isEmpty();
    }

    private String explain(String db, String sql) {
        StringBuilder sb = new StringBuilder();
        engine.execute(db, "EXPLAIN PLAN FOR " + sql).rows().forEach(r -> sb.append(r.get(0)));
        return sb.toString().strip();
    }

    /** name -> {sql, plan}, in file order. */
    private static Map<String, String[]> parse(String text) {
        Map<String, String[]> cases = new LinkedHashMap<>();
        String name = null;
        StringBuilder sql = new StringBuilder();
        StringBuilder plan = null;
        for (String line : (text + "\n### \n").split("\n", -1)) {
            if (line.startsWith("### ")) {
                if (name != null) {
                    cases.put(name, new String[] {
                        sql.toString().strip(),
                        plan == null ? "" : plan.toString().strip()
                    });
                }
                name = line.substring(4).strip();
                sql.setLength(0);
                plan = null;
            } else if (line.equals("--- plan")) {
                plan = new StringBuilder();
            } else if (plan != null) {
                plan.append(line).append('\n');
            } else {
                sql.append(line).append('\n');
            }
        }
        return cases;
    }
}
