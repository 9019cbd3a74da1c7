package io.meridian.sql.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden translations, in the spirit of {@code PlanGoldenTest}: each case of {@code influxql/translations.txt} is an
 * InfluxQL request and the Meridian SQL it runs (and any statement errors), against {@link InfluxFixture}'s catalog and
 * clock. Every request of {@code influxql/grafana-requests.txt} must be one of the cases. A change to the translation
 * shows up as a diff of that reviewed file; after a deliberate change regenerate it with
 * {@code mvn -pl sql-calcite test -Dtest=InfluxQlGoldenTest -Dgolden.update=true} and review the diff.
 *
 * <p>File format: comment lines ({@code #}) first, kept; then per case {@code ### name}, the InfluxQL (one line),
 * {@code --- sql} and the SQL statements in the order they ran, then {@code error: ...} lines.
 */
class InfluxQlGoldenTest {
    private static final Path FILE = Path.of("src/test/resources/influxql/translations.txt");
    private static final Path GRAFANA = Path.of("src/test/resources/influxql/grafana-requests.txt");

    @Test
    void translationsMatchTheReviewedFile() throws IOException {
        String text = Files.readString(FILE, StandardCharsets.UTF_8);
        Map<String, String[]> cases = parse(text);
        assertThat(cases).as("cases in " + FILE).hasSizeGreaterThanOrEqualTo(25);
        StringBuilder actualFile = new StringBuilder();
        text.lines()
                .takeWhile(l -> !l.startsWith("### "))
                .forEach(l -> actualFile.append(l).append('\n'));
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String q = c.getValue()[0];
            String actual = translate(q);
            actualFile
                    .append("### ")
                    .append(c.getKey())
                    .append('\n')
                    .append(q)
                    .append("\n--- sql\n")
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
                .as("translations that differ from " + FILE + " (regenerate with -Dgolden.update=true and review)")
                .isEmpty();
    }

    @Test
    void everyRecordedGrafanaRequestIsAGoldenCase() throws IOException {
        List<String> queries = parse(Files.readString(FILE, StandardCharsets.UTF_8)).values().stream()
                .map(v -> v[0])
                .toList();
        List<String> requests = GrafanaRequestsTest.requests();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(25);
        assertThat(queries).containsAll(requests);
    }

    /** The SQL a request runs and its statements' errors, one per line. */
    private static String translate(String q) {
        InfluxFixture f = new InfluxFixture();
        InfluxQlResponse r = f.run(q);
        StringBuilder sb = new StringBuilder();
        f.sql.forEach(s -> sb.append(s).append('\n'));
        r.results().stream()
                .filter(x -> x.error() != null)
                .forEach(x -> sb.append("error: statement ")
                        .append(x.statementId())
                        .append(": ")
                        .append(x.error())
                        .append('\n'));
        return sb.length() == 0 ? "(no SQL)" : sb.toString().strip();
    }

    /** name -> {influxql, expected}, in file order. */
    private static Map<String, String[]> parse(String text) {
        Map<String, String[]> cases = new LinkedHashMap<>();
        String name = null;
        StringBuilder q = new StringBuilder();
        StringBuilder out = null;
        for (String line : (text + "\n### \n").split("\n", -1)) {
            if (line.startsWith("### ")) {
                if (name != null) {
                    cases.put(name, new String[] {
                        q.toString().strip(), out == null ? "" : out.toString().strip()
                    });
                }
                name = line.substring(4).strip();
                q.setLength(0);
                out = null;
            } else if (name == null) {
                continue; // the header's comments
            } else if (line.equals("--- sql")) {
                out = new StringBuilder();
            } else if (out != null) {
                out.append(line).append('\n');
            } else {
                q.append(line).append('\n');
            }
        }
        return cases;
    }
}
