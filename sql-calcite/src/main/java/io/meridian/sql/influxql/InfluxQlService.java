package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.sql.Catalog;
import io.meridian.sql.SqlEngine;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * InfluxDB 1.x's query API over Meridian: runs the InfluxQL of a {@code /query} request ({@code q}) and answers in
 * InfluxDB's JSON. Every SELECT becomes Meridian SQL run by {@link SqlEngine}, so it is planned into the same
 * distributed plan as SQL; SHOW statements are answered from the {@link Catalog} (see the package documentation).
 *
 * <p>As InfluxDB 1.x: statements run in order, each with its own {@code statement_id}; the first that fails answers
 * its error and every later one answers {@code not executed} (InfluxDB's executor stops after the first error);
 * a measurement or field that does not exist gives a statement without series, not an error. Thread-safe: one
 * instance serves every request.
 */
public final class InfluxQlService {
    /** The error of the statements after a failed one, InfluxDB's {@code ErrNotExecuted}. */
    static final String NOT_EXECUTED = "not executed";

    private final Clock clock;
    private final Catalog catalog;
    private final SelectPlanner planner;
    private final SelectRunner selects;
    private final ShowRunner shows;

    /**
     * @param catalog the databases and metrics, for SHOW statements and to plan SELECTs
     * @param engine  runs the SQL each SELECT is translated into
     * @param clock   what {@code now()} reads, once per statement
     */
    public InfluxQlService(Catalog catalog, SqlEngine engine, Clock clock) {
        this(catalog, Objects.requireNonNull(engine, "engine")::execute, clock);
    }

    InfluxQlService(Catalog catalog, SqlRunner sql, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(sql, "sql");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.planner = new SelectPlanner(catalog);
        this.selects = new SelectRunner(sql);
        this.shows = new ShowRunner(catalog, sql);
    }

    /**
     * Runs every statement of {@code q}.
     *
     * @param database the request's {@code db} parameter, null when absent (statements that need one then fail with
     *                 {@code database name required}, unless they name it: {@code FROM "db"."autogen"."cpu"})
     * @param q        the InfluxQL text: statements separated by {@code ;}
     * @param epoch    how times are written ({@link Epoch#parse} of the {@code epoch} parameter)
     * @return one result per statement; per-statement errors inside (HTTP 200)
     * @throws InfluxQlParseException when {@code q} does not parse: nothing ran (HTTP 400 with
     *                                {@code InfluxQlResponse.requestError("error parsing query: " + e.getMessage())})
     * @throws InvalidInputException  when {@code q} is missing or blank ({@code missing required parameter "q"})
     */
    public InfluxQlResponse execute(String database, String q, Epoch epoch) {
        if (q == null || q.isBlank()) {
            throw new InvalidInputException("missing required parameter \"q\"");
        }
        Objects.requireNonNull(epoch, "epoch");
        List<Statement> statements = InfluxQlParser.parse(q);
        List<InfluxQlResponse.Result> results = new ArrayList<>(statements.size());
        boolean failed = false;
        for (int i = 0; i < statements.size(); i++) {
            if (failed) {
                results.add(InfluxQlResponse.Result.failed(i, NOT_EXECUTED));
                continue;
            }
            try {
                results.add(new InfluxQlResponse.Result(i, run(statements.get(i), database, epoch), null));
            } catch (MeridianException e) {
                results.add(InfluxQlResponse.Result.failed(i, e.getMessage()));
                failed = true;
            }
        }
        return new InfluxQlResponse(results);
    }

    private List<InfluxQlResponse.Series> run(Statement statement, String database, Epoch epoch) {
        long now = clock.millis();
        if (statement instanceof Statement.Unsupported u) {
            throw new InvalidInputException("not supported: " + u.clause());
        }
        if (statement instanceof Statement.CreateDatabase c) {
            if (catalog.database(c.name()).isEmpty()) {
                throw new InvalidInputException("not supported: CREATE DATABASE of a new database [database=" + c.name()
                        + "]: create it with POST /api/v1/databases, which names its shards, replicas and intervals"
                        + " (docs/http-api.md); for one that exists, CREATE DATABASE succeeds and changes nothing");
            }
            return List.of(); // as InfluxDB: creating an existing database does nothing
        }
        if (statement instanceof SelectStatement s) {
            SelectPlanner.Planned planned = planner.plan(s, database, now);
            long[] budget = {FillStage.MAX_BUCKETS};
            List<SeriesResult> series = new ArrayList<>();
            planned.plans().forEach(p -> series.addAll(selects.run(p, budget)));
            return ResultShaper.shape(
                    series,
                    planned.columns(),
                    s.descending(),
                    s.limit(),
                    s.offset(),
                    s.slimit(),
                    s.soffset(),
                    epoch,
                    planned.zone());
        }
        return shows.run(statement, database, now);
    }
}
