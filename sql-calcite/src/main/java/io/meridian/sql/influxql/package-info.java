/**
 * InfluxQL, the query language of InfluxDB 1.x's {@code /query} API, over Meridian: what Grafana's InfluxDB data
 * source (InfluxQL mode) and the {@code influx} 1.x CLI send. The broker calls
 * {@link io.meridian.sql.influxql.InfluxQlService#execute} and writes its {@link io.meridian.sql.influxql.InfluxQlResponse}
 * as the HTTP body; a request that does not parse raises {@link io.meridian.sql.influxql.InfluxQlParseException}
 * (HTTP 400).
 *
 * <pre>
 * q ──Lexer/TokenStream──&gt; InfluxQlParser (SelectParser, ShowParser, ExprParser) ──&gt; Statement
 *   SELECT ──SelectPlanner (FieldExpander, SelectShape, GroupBy, TimeConditions)──&gt; PlanBuilder (ConditionSql,
 *          Bucketing) ──&gt; SelectPlan: Meridian SQL ──SqlEngine (the same distributed plan as SQL)──&gt; rows
 *          ──SelectRunner (JavaAggregates, FillStage, TransformStage, RowEvaluator)──&gt; series
 *          ──ResultShaper──&gt; JSON
 *   SHOW   ──ShowRunner (TagValuesLister)──&gt; Catalog listings (a WHERE runs as SQL) ──&gt; JSON
 * </pre>
 *
 * <h2>Grammar</h2>
 * <pre>
 * query      = statement { ";" [ statement ] }
 * statement  = select | show | unsupported
 * select     = "SELECT" field { "," field } "FROM" source { "," source } [ "WHERE" expr ]
 *              [ "GROUP BY" dimension { "," dimension } ]
 *              [ "fill(" ( "null" | "none" | "previous" | "linear" | number ) ")" ]
 *              [ "ORDER BY" [ "time" ] ( "ASC" | "DESC" ) ] [ "LIMIT" int ] [ "OFFSET" int ] [ "SLIMIT" int ]
 *              [ "SOFFSET" int ] [ "tz(" string ")" ]
 * field      = ( expr | "*" | regex ) [ "AS" ident ]
 * source     = [ [ ident ] "." [ ident ] "." ] ( ident | regex )            database.retention_policy.measurement
 * dimension  = "time(" duration [ "," duration ] ")" | ident [ "::tag" ] | "*" | regex
 * expr       = operand { op operand }     op: OR AND = != &lt;&gt; &lt; &lt;= &gt; &gt;= =~ !~ + - * / %
 * operand    = ident [ "::" type ] | string | number | integer | duration | regex | "true" | "false" | "now()"
 *            | function "(" [ expr { "," expr } ] ")" | "(" expr ")" | "*"
 * show       = "SHOW" ( "DATABASES" | "MEASUREMENTS" ... | "TAG KEYS" ... | "TAG VALUES" ... "WITH KEY" ...
 *            | "FIELD KEYS" ... | "RETENTION POLICIES" [ "ON" ident ] | "SERIES" ... )
 * ident      = [A-Za-z_][A-Za-z0-9_]* (not a keyword) | '"' ... '"'     string = "'" ... "'"     regex = "/" ... "/"
 * duration   = digits unit { digits unit }    unit: ns u µ ms s m h d w
 * </pre>
 * Times in WHERE: RFC3339 strings, {@code 'yyyy-MM-dd HH:mm:ss'} and {@code 'yyyy-MM-dd'} (in the {@code tz()} zone),
 * integers (nanoseconds), durations since the epoch ({@code 1733400000000ms}), {@code now()} and sums or differences
 * of those with durations. Unsupported statements (SELECT INTO, subqueries, CREATE, DROP, DELETE, ALTER, GRANT,
 * REVOKE, KILL, SHOW USERS, ...) parse and fail alone: {@code not supported: <clause>}.
 *
 * <h2>Translation to Meridian SQL</h2>
 * <pre>
 * FROM "m", "autogen"."m", "db"."autogen"."m"   FROM "m" (of database db); another retention policy is an error
 * mean count sum min max first last             AVG COUNT SUM MIN MAX FIRST LAST (pushed into the distributed plan)
 * spread                                        MAX and MIN (the difference taken here)
 * stddev                                        STDDEV_SAMP (pushed: moments of the slot values)
 * percentile(x, N), median(x) of a histogram    PERCENTILE(x, N/100) (pushed)
 * GROUP BY time(i), tags                        GROUP BY time_bucket(INTERVAL i, "ts"), tags
 * GROUP BY time(i, offset), tz('zone')          time_bucket(INTERVAL i, "ts" - INTERVAL offset[, 'zone']) (the zone
 *                                               only when its offsets are not multiples of i)
 * fill(null|previous|linear|n), bounded range   time_bucket_gapfill(...) with locf() / interpolate() of each aggregate
 * tag = 'v', != / &lt;&gt;, =~ /re/, !~ /re/          "tag" = 'v', "tag" &lt;&gt; 'v', REGEXP_LIKE("tag", 're'),
 *                                               NOT REGEXP_LIKE(...)
 * field &gt; 90                                     "field" &gt; 90 (evaluated above the leaves)
 * time bounds                                   "ts" &gt;= TIMESTAMP '...' AND "ts" &lt;= TIMESTAMP '...' (now() read once
 *                                               per statement from the service's clock)
 * raw fields and tags                           SELECT "ts", tags, fields ... WHERE (field IS NOT NULL OR ...), with
 *                                               ORDER BY "ts" [DESC] LIMIT n when the answer is one series
 * SHOW ... WHERE tag filter                     SELECT COUNT(*) / SELECT DISTINCT "tag" FROM "m" WHERE ...
 * </pre>
 *
 * <h2>Computed here, over the SQL answers</h2>
 * <ul>
 *   <li>{@code median} and {@code percentile} of non-histogram fields, from the slot values (InfluxDB's middle
 *       value and nearest rank);</li>
 *   <li>fill where {@code time_bucket_gapfill} cannot answer (an open lower bound: buckets from each series' first;
 *       offsets, local-time buckets, field filters, computed aggregates, transforms), {@code fill(<number>)}, and
 *       previous and linear fills of counts;</li>
 *   <li>{@code derivative}, {@code non_negative_derivative}, {@code difference}, {@code non_negative_difference},
 *       {@code cumulative_sum}, over points or buckets (the bucket before the range read for them);</li>
 *   <li>arithmetic over aggregates and fields; column names; series split, order, LIMIT/OFFSET per series,
 *       SLIMIT/SOFFSET; times as RFC3339 or epoch integers.</li>
 * </ul>
 *
 * <p>Times are Meridian slot starts: a point is read at the start of its base-interval slot, and a gauge's slot value
 * is its last point there; aggregates pushed into the distributed plan read every point.
 */
package io.meridian.sql.influxql;
