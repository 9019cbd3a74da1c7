package io.meridian.sql;

import java.util.Locale;
import java.util.Properties;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.Lex;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * The SQL dialect Meridian accepts, in one place for every path (HTTP, JDBC, the literal normalizer).
 *
 * <ul>
 *   <li>Calcite's <b>Babel</b> parser: most SQL keywords are non-reserved there, so the tag and field names
 *       metrics really have ({@code count}, {@code value}, {@code min}, {@code max}, {@code sum}, {@code hour},
 *       {@code year}, {@code start}, {@code end}, ...) work unquoted wherever the grammar allows.</li>
 *   <li>Identifiers are quoted with <b>double quotes</b> ({@code "time"}), as in standard SQL, PostgreSQL and
 *       TimescaleDB; unquoted and quoted names are both case-insensitive (metric names are not case-folded).
 *       The few words still reserved ({@code time}, {@code timestamp}, {@code date}, {@code interval},
 *       {@code current}, {@code range}, {@code rows}, {@code window}, {@code order}, {@code group}, ...) need the
 *       quotes; a syntax error at one of them says so ({@link #keywordHint}).</li>
 *   <li>MySQL 5 conformance for the rest (e.g. {@code GROUP BY} an alias or an ordinal, {@code LIMIT n}).</li>
 * </ul>
 */
final class SqlSyntax {
    static final SqlParser.Config PARSER = SqlParser.config()
            .withParserFactory(SqlBabelParserImpl.FACTORY)
            .withLex(Lex.JAVA)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withCaseSensitive(false)
            .withUnquotedCasing(Casing.UNCHANGED)
            .withQuotedCasing(Casing.UNCHANGED)
            .withConformance(SqlConformanceEnum.MYSQL_5);

    private static final SqlAbstractParserImpl.Metadata KEYWORDS =
            SqlParser.create("", PARSER).getMetadata();

    private SqlSyntax() {}

    /** The Calcite connection properties of this dialect. */
    static Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("parserFactory", SqlBabelParserImpl.class.getName() + "#FACTORY");
        p.setProperty("lex", "JAVA");
        p.setProperty("quoting", "DOUBLE_QUOTE");
        p.setProperty("caseSensitive", "false");
        p.setProperty("timeZone", "UTC");
        p.setProperty("conformance", "MYSQL_5");
        p.setProperty("fun", "standard,mysql"); // REGEXP_LIKE, pushed as a regex tag filter
        return p;
    }

    /**
     * For a syntax error at a reserved word, how to use it as a name: {@code "; 'time' is a reserved word: to use it
     * as a column name, quote it as \"time\""}; else "".
     */
    static String keywordHint(SqlParseException e, String sql) {
        if (e.getPos() == null || sql == null) {
            return "";
        }
        String word = wordAt(sql, e.getPos().getLineNum(), e.getPos().getColumnNum());
        if (word == null || !KEYWORDS.isReservedWord(word.toUpperCase(Locale.ROOT))) {
            return "";
        }
        return "; '" + word + "' is a reserved word: to use it as a tag or field name, quote it as \"" + word
                + "\" (double quotes)";
    }

    /** The identifier-like word starting at a 1-based line and column of {@code sql}, or null. */
    private static String wordAt(String sql, int line, int column) {
        int offset = 0;
        for (int l = 1; l < line; l++) {
            offset = sql.indexOf('\n', offset) + 1;
            if (offset == 0) {
                return null;
            }
        }
        int from = offset + column - 1;
        int to = from;
        while (to < sql.length() && (Character.isLetterOrDigit(sql.charAt(to)) || sql.charAt(to) == '_')) {
            to++;
        }
        return from >= 0 && to > from ? sql.substring(from, to) : null;
    }
}
