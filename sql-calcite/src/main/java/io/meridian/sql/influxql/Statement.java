package io.meridian.sql.influxql;

import java.util.List;

/** One parsed InfluxQL statement. */
sealed interface Statement
        permits SelectStatement,
                Statement.ShowDatabases,
                Statement.ShowMeasurements,
                Statement.ShowTagKeys,
                Statement.ShowTagValues,
                Statement.ShowFieldKeys,
                Statement.ShowRetentionPolicies,
                Statement.ShowSeries,
                Statement.CreateDatabase,
                Statement.Unsupported {
    /**
     * A {@code FROM} item: a measurement by name or regex, optionally qualified by database and retention policy
     * ({@code "db"."autogen"."cpu"}, {@code "autogen"./^c/}); or a subquery, which is refused when run.
     */
    sealed interface Source {}

    /** @param database null unless given; @param retentionPolicy null or "" unless given; exactly one of name, regex */
    record Measurement(String database, String retentionPolicy, String name, String regex) implements Source {}

    /** {@code FROM (SELECT ...)}: parsed over, not supported. */
    record Subquery() implements Source {}

    /** The {@code fill(...)} option of a SELECT. */
    enum FillMode {
        NULL,
        NONE,
        PREVIOUS,
        LINEAR,
        NUMBER
    }

    /** @param value the number of {@code fill(<number>)} */
    record Fill(FillMode mode, double value) {
        static final Fill DEFAULT = new Fill(FillMode.NULL, 0);
    }

    /** One SELECT list item and its {@code AS} alias (null when none). */
    record Field(Expr expr, String alias) {}

    /** {@code SHOW DATABASES}. */
    record ShowDatabases() implements Statement {}

    /**
     * {@code SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT = name | =~ /re/] [WHERE ...] [LIMIT n] [OFFSET n]}.
     *
     * @param measurement the WITH MEASUREMENT filter, null when absent
     */
    record ShowMeasurements(String database, Measurement measurement, Expr condition, long limit, long offset)
            implements Statement {}

    /** {@code SHOW TAG KEYS [ON db] [FROM ...] [WHERE ...] [LIMIT n] [OFFSET n]}. */
    record ShowTagKeys(String database, List<Source> sources, Expr condition, long limit, long offset)
            implements Statement {}

    /**
     * {@code SHOW TAG VALUES [ON db] [FROM ...] WITH KEY op ... [WHERE ...] [LIMIT n] [OFFSET n]}.
     *
     * @param keyOp   {@link TokenType#EQ}, {@code NEQ}, {@code EQ_REGEX}, {@code NEQ_REGEX} or {@code null} for IN
     * @param keys    the key (EQ, NEQ), the keys (IN) or the pattern (regex ops)
     */
    record ShowTagValues(
            String database,
            List<Source> sources,
            TokenType keyOp,
            List<String> keys,
            Expr condition,
            long limit,
            long offset)
            implements Statement {}

    /** {@code SHOW FIELD KEYS [ON db] [FROM ...] [LIMIT n] [OFFSET n]}. */
    record ShowFieldKeys(String database, List<Source> sources, long limit, long offset) implements Statement {}

    /** {@code SHOW RETENTION POLICIES [ON db]}. */
    record ShowRetentionPolicies(String database) implements Statement {}

    /** {@code SHOW SERIES [ON db] [FROM ...] [WHERE ...] [LIMIT n] [OFFSET n]}. */
    record ShowSeries(String database, List<Source> sources, Expr condition, long limit, long offset)
            implements Statement {}

    /**
     * {@code CREATE DATABASE name [WITH ...]}, which Telegraf and InfluxDB 1.x clients send before writing: it succeeds
     * when the database exists (as in InfluxDB, creating an existing database does nothing); a database is created
     * with its shards, replicas and intervals through {@code POST /api/v1/databases}.
     */
    record CreateDatabase(String name) implements Statement {}

    /** A statement of InfluxQL this front-end does not run; {@code clause} names it ("CREATE USER", "SELECT INTO"). */
    record Unsupported(String clause) implements Statement {}
}
