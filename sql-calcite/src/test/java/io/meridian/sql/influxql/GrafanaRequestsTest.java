package io.meridian.sql.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request recorded from Grafana's InfluxDB data source ({@code influxql/grafana-requests.txt}, each with the
 * Grafana source that generates it) runs without a statement error, answers one result per statement, and answers
 * series where the fixture has data.
 */
class GrafanaRequestsTest {
    private static final Path FILE = Path.of("src/test/resources/influxql/grafana-requests.txt");

    /** The recorded requests, in file order. */
    static List<String> requests() {
        try {
            List<String> lines = Files.readAllLines(FILE, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank() && !lines.get(i).startsWith("#")) {
                    assertThat(lines.get(i - 1))
                            .as("the comment naming the source of " + lines.get(i))
                            .matches("# (public/app/plugins/datasource/influxdb/|pkg/tsdb/influxdb/).*");
                }
            }
            return lines.stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("requests")
    void runsWithoutAStatementError(String q) {
        InfluxQlResponse r = new InfluxFixture().service.execute(InfluxFixture.DB, q, Epoch.MILLISECONDS);
        assertThat(r.results()).hasSize(q.split(";").length);
        assertThat(r.results()).allSatisfy(x -> assertThat(x.error()).as(q).isNull());
        if (!q.contains("\"measurement\"")) { // the default query of a new panel names no real measurement
            assertThat(r.results()).as(q).allSatisfy(x -> assertThat(x.series()).isNotEmpty());
        }
    }
}
