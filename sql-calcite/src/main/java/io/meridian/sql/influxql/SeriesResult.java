package io.meridian.sql.influxql;

import java.util.List;
import java.util.Map;

/**
 * One series of a SELECT before it is shaped into the response: rows in ascending time, each the time (ms) and the
 * output values.
 *
 * @param tags the group-by tags and their values, sorted by key; empty without GROUP BY tags
 */
record SeriesResult(String name, Map<String, String> tags, List<Long> times, List<List<Object>> values) {}
