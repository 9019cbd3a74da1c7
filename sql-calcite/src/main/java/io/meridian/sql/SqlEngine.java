package io.meridian.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.query.QueryExecutor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.jdbc.Driver;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.impl.AggregateFunctionImpl;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * SQL over Meridian: Calcite parses, validates and plans each statement against the catalog (a schema per
 * database, a table per metric); {@link MeridianRules} push what the cluster can run into the distributed plan,
 * and Calcite's enumerable operators run the rest. {@code EXPLAIN PLAN FOR} shows both parts.
 *
 * <p>The dialect is {@link SqlSyntax}: Calcite's Babel parser, identifiers case-insensitive, quoted with double
 * quotes. Times are UTC. A statement's
 * plan is kept a minute in a cache every thread shares ({@link StatementCache}), keyed by its text with the string and
 * timestamp literals of its WHERE clauses lifted into parameters ({@link LiteralParameters}): statements that differ
 * only in those values (another host, another window) are planned once and then only executed. HTTP
 * ({@link #execute}) and JDBC statements ({@link #query}, through {@link SessionConnection}) share that path.
 */
public final class SqlEngine {
    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    private final Catalog catalog;
    private final QueryExecutor executor;
    private final Duration timeout;
    private final int maxGroups;
    private final Driver driver = new Driver();
    /** How long a planned statement is reused: bounds how long it may miss a metric or field created since. */
    static final long PLAN_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Statement texts and shapes remembered by the normalization caches, each. */
    private static final int NORMALIZED_CAPACITY = 1024;
    /**
     * Statement texts already normalized (an exact repeat skips the parse), with empty for a text that has nothing to
     * lift: that answer is remembered too, or a statement without literals would be parsed again on every run. Shared
     * by every thread: a client that opens a connection per request lands on any HTTP worker, and a cache per thread
     * made each of them parse the same text again (3-7 ms of a cold 12 ms query, until every worker had seen it).
     */
    private final Cache<String, Optional<LiteralParameters.Normalized>> normalizedTexts =
            Caffeine.newBuilder().maximumSize(NORMALIZED_CAPACITY).build();
    /**
     * Normalized texts by {@link LiteralShape#fingerprint}, shared by every thread: a text whose only difference from
     * one normalized before is in its lifted literals (a dashboard's new time range) is normalized without a parse.
     */
    private final Cache<String, String> normalizedShapes =
            Caffeine.newBuilder().maximumSize(NORMALIZED_CAPACITY).build();
    /** Texts normalized from their shape, without a parse (for tests). */
    private final AtomicLong normalizedByShape = new AtomicLong();
    /** Planned statements shared by every thread, each kept a minute (see {@link StatementCache}). */
    private final StatementCache statements = new StatementCache(256, PLAN_MAX_AGE_NANOS);

    /**
     * @param timeout   the budget of each distributed query a statement runs
     * @param maxGroups the group bound of each distributed query
     */
    public SqlEngine(Catalog catalog, QueryExecutor executor, Duration timeout, int maxGroups) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxGroups = maxGroups;
    }

    /**
     * A Calcite connection over the current catalog with {@code database} as the default schema (may be null), as
     * JDBC clients get it: the same SQL and the same error texts as {@link #execute}.
     */
    public Connection connect(String database) throws SQLException {
        return SessionConnection.wrap(open(database), this);
    }

    /** A plain Calcite connection over the current catalog (statements given to it are already rewritten). */
    private Connection open(String database) throws SQLException {
        Connection c = driver.connect("jdbc:calcite:", SqlSyntax.connectionProperties());
        CalciteConnection cc = c.unwrap(CalciteConnection.class);
        SchemaPlus root = cc.getRootSchema();
        for (Catalog.Database db : catalog.databases()) {
            SchemaPlus s = root.add(db.name(), new DatabaseSchema(catalog, db, executor, timeout, maxGroups));
            addFunctions(s);
        }
        addFunctions(root);
        root.add(InformationSchema.NAME, new InformationSchema(catalog));
        if (database != null) {
            if (catalog.database(database).isEmpty()) {
                c.close();
                throw InvalidInputException.notFound("database", database);
            }
            cc.setSchema(database);
        }
        return c;
    }

    private static void addFunctions(SchemaPlus schema) {
        schema.add("now", ScalarFunctionImpl.create(NowFunction.class, "eval"));
        TimeBucketFunction.forms().forEach(f -> schema.add(TimeBucketFunction.NAME, f));
        schema.add(TimeBucketFunction.GAPFILL_NAME, TimeBucketFunction.gapfill());
        schema.add(FillFunctions.LOCF, ScalarFunctionImpl.create(FillFunctions.class, FillFunctions.LOCF));
        schema.add(
                FillFunctions.INTERPOLATE, ScalarFunctionImpl.create(FillFunctions.class, FillFunctions.INTERPOLATE));
        schema.add("FIRST", AggregateFunctionImpl.create(TimeOrderedAggregates.First.class));
        schema.add("LAST", AggregateFunctionImpl.create(TimeOrderedAggregates.Last.class));
        schema.add("FIRST_TIME", AggregateFunctionImpl.create(TimeOrderedAggregates.FirstTime.class));
        schema.add("LAST_TIME", AggregateFunctionImpl.create(TimeOrderedAggregates.LastTime.class));
        schema.add("MIN_TIME", AggregateFunctionImpl.create(TimeOrderedAggregates.MinTime.class));
        schema.add("MAX_TIME", AggregateFunctionImpl.create(TimeOrderedAggregates.MaxTime.class));
        schema.add("PERCENTILE", AggregateFunctionImpl.create(TimeOrderedAggregates.Percentile.class));
        schema.add("RATE", AggregateFunctionImpl.create(TimeOrderedAggregates.Rate.class));
        schema.add("INCREASE", AggregateFunctionImpl.create(TimeOrderedAggregates.Increase.class));
        schema.add("DELTA", AggregateFunctionImpl.create(TimeOrderedAggregates.Delta.class));
    }

    /**
     * Runs one statement. It is planned from its normalized text (literals lifted, {@link LiteralParameters}) when
     * that plans, else from the user's own text, so that parse and validation errors refer to what the user wrote.
     * A statement that fails while executing is never run a second time.
     *
     * @throws InvalidInputException for a SQL error, with its position and reason
     * @throws MeridianException     what the cluster answered (a bound, a timeout, an unavailable shard)
     */
    public SqlAnswer execute(String database, String sql) {
        long t0 = System.nanoTime();
        StatementCache.Lease lease = plan(database, sql);
        long t1 = System.nanoTime();
        try (ResultSet rs = lease.statement().executeQuery()) {
            SqlAnswer answer = read(rs, t1 - t0, t1);
            lease.release();
            return answer;
        } catch (SQLException | RuntimeException e) {
            lease.discard(); // its state is unknown; the next run plans it again
            throw error(e, sql, database);
        }
    }

    /**
     * Runs one statement as {@link #execute} does (the same normalization, plan cache and errors) and hands its
     * result set over open, for JDBC clients: closing it gives the planned statement back to the cache.
     *
     * @param maxRows the JDBC statement's row limit (0 = none)
     */
    ResultSet query(String database, String sql, long maxRows) {
        StatementCache.Lease lease = plan(database, sql);
        try {
            lease.statement().setLargeMaxRows(maxRows);
            return LeasedResultSet.wrap(lease.statement().executeQuery(), lease);
        } catch (SQLException | RuntimeException e) {
            lease.discard();
            throw error(e, sql, database);
        }
    }

    /**
     * A planned statement for {@code sql}: from its normalized text when that plans, else from the user's text, so
     * that parse and validation errors refer to what the user wrote.
     */
    private StatementCache.Lease plan(String database, String sql) {
        if (sql == null || sql.isBlank()) {
            throw new InvalidInputException("missing SQL statement [field=sql]");
        }
        LiteralParameters.Normalized normalized = normalizedTexts
                .get(sql, text -> Optional.ofNullable(normalize(FunctionNames.rewrite(text))))
                .orElse(null);
        if (normalized != null) {
            StatementCache.Lease lease = null;
            try {
                lease = statements.checkout(database, normalized.sql(), this::open);
                bind(lease.statement(), normalized.values());
                return lease;
            } catch (SQLException | RuntimeException e) {
                if (lease != null) {
                    lease.discard();
                }
                // plan the user's text instead: its errors name their text
            }
        }
        try {
            return statements.checkout(database, FunctionNames.rewrite(sql), this::open);
        } catch (SQLException | RuntimeException e) {
            throw error(e, sql, database);
        }
    }

    /**
     * {@link LiteralParameters#normalize}, without the parse when a text of the same {@link LiteralShape} was
     * normalized before and every literal it lifted was a candidate of the shape.
     */
    private LiteralParameters.Normalized normalize(String text) {
        LiteralShape shape = LiteralShape.of(text);
        if (shape != null) {
            String normalizedText = normalizedShapes.getIfPresent(shape.fingerprint());
            List<Object> values = normalizedText == null ? null : shape.values();
            if (values != null) {
                normalizedByShape.incrementAndGet();
                return new LiteralParameters.Normalized(normalizedText, values);
            }
        }
        LiteralParameters.Normalized parsed = LiteralParameters.normalize(text);
        if (parsed != null && shape != null && shape.liftedByParse(parsed.values())) {
            normalizedShapes.put(shape.fingerprint(), parsed.sql());
        }
        return parsed;
    }

    /** Texts normalized from their shape, without a parse (for tests). */
    long normalizedByShape() {
        return normalizedByShape.get();
    }

    /** Idle planned statements in the shared cache (for tests). */
    int idleStatements() {
        return statements.idleCount();
    }

    private static void bind(PreparedStatement ps, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Timestamp ts) {
                ps.setTimestamp(i + 1, ts, UTC);
            } else {
                ps.setString(i + 1, (String) v);
            }
        }
    }

    /**
     * The Meridian error a failed statement stands for, as HTTP and JDBC clients both see it: the cluster's own
     * error, or a SQL error with its position and reason, plus a hint where one fits (a close name, how to quote a
     * reserved word).
     */
    MeridianException error(Throwable e, String sql, String database) {
        MeridianException m = translate(e, sql);
        if (!(m instanceof InvalidInputException)) {
            return m;
        }
        String hint = NameHints.forMessage(m.getMessage(), catalog, database);
        if (hint.isEmpty()) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SqlParseException p) {
                    hint = SqlSyntax.keywordHint(p, sql);
                    break;
                }
            }
        }
        return hint.isEmpty() ? m : new InvalidInputException(m.code(), m.getMessage() + hint, m);
    }

    static SqlAnswer read(ResultSet rs, long planningNanos, long executionStart) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<SqlAnswer.Column> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(new SqlAnswer.Column(md.getColumnLabel(i), md.getColumnTypeName(i)));
        }
        List<List<Object>> rows = new ArrayList<>();
        // per column, the last timestamp written and its text: rows of one bucket follow each other in most answers
        // (12,000 rows of 12 hours spent 3.4 ms formatting the same 12 instants)
        Timestamp[] lastTime = new Timestamp[n + 1];
        String[] lastText = new String[n + 1];
        while (rs.next()) {
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                int type = md.getColumnType(i);
                Object v;
                if (type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE) {
                    Timestamp t = rs.getTimestamp(i, UTC);
                    if (t != null && !t.equals(lastTime[i])) {
                        lastTime[i] = t;
                        lastText[i] = t.toInstant().toString();
                    }
                    v = t == null ? null : lastText[i];
                } else {
                    v = rs.getObject(i);
                }
                row.add(v);
            }
            rows.add(row);
        }
        return new SqlAnswer(columns, rows, planningNanos, System.nanoTime() - executionStart);
    }

    /** The Meridian error a failed statement stands for: the cluster's own, or a SQL error with its position. */
    static MeridianException translate(Throwable e, String sql) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MeridianException m) {
                return m;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CalciteContextException c) {
                return new InvalidInputException("SQL error [line=" + c.getPosLine() + ", column=" + c.getPosColumn()
                        + "]: "
                        + c.getMessage().replaceFirst("^From line \\d+, column \\d+ to line \\d+, column \\d+: ", ""));
            }
            if (t instanceof SqlParseException p) {
                return new InvalidInputException(
                        "SQL syntax error [line=" + p.getPos().getLineNum() + ", column="
                                + p.getPos().getColumnNum() + "]: " + firstLine(p.getMessage()));
            }
        }
        return new InvalidInputException("SQL error: " + firstLine(e.getMessage()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
