package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses a whole InfluxQL request ({@code q}): statements separated by {@code ;}. A syntax error anywhere fails the
 * whole request ({@link InfluxQlParseException}), as InfluxDB 1.x does; a statement this front-end does not run
 * (CREATE, DROP, DELETE, GRANT, ...) parses to {@link Statement.Unsupported} and fails alone when run.
 *
 * <pre>
 * query     = statement { ";" [ statement ] }
 * statement = select | show | ( "CREATE" | "DROP" | "DELETE" | "ALTER" | "GRANT" | "REVOKE" | "KILL" | "SET"
 *           | "EXPLAIN" ) ...
 * </pre>
 */
final class InfluxQlParser {
    private static final Set<String> UNSUPPORTED_STARTS =
            Set.of("CREATE", "DROP", "DELETE", "ALTER", "GRANT", "REVOKE", "KILL", "SET", "EXPLAIN", "INSERT");
    private static final Set<String> CLAUSE_STOPS = Set.of("FROM", "ON", "WHERE", "WITH", "TO", "FOR", "SELECT");

    private InfluxQlParser() {}

    /**
     * The statements of {@code q}, in order.
     *
     * @throws InfluxQlParseException at the first syntax error, naming what was found, what was expected and where
     */
    static List<Statement> parse(String q) {
        TokenStream in = new TokenStream(q);
        List<Statement> statements = new ArrayList<>();
        boolean needSemicolon = false;
        while (true) {
            Token t = in.peek();
            if (t.type() == TokenType.EOF) {
                return statements;
            }
            if (in.accept(TokenType.SEMICOLON)) {
                needSemicolon = false;
                continue;
            }
            if (needSemicolon) {
                throw in.expected(t, ";");
            }
            statements.add(statement(in));
            needSemicolon = true;
        }
    }

    private static Statement statement(TokenStream in) {
        Token t = in.next();
        if (t.isKeyword("SELECT")) {
            return new SelectParser(in).parse();
        }
        if (t.isKeyword("SHOW")) {
            return new ShowParser(in).parse();
        }
        if (t.isKeyword("CREATE") && in.peek().isKeyword("DATABASE")) {
            in.next();
            String name = in.ident();
            skipStatement(in); // WITH DURATION ... (a retention policy): the database's intervals decide that here
            return new Statement.CreateDatabase(name);
        }
        if (t.type() == TokenType.KEYWORD && UNSUPPORTED_STARTS.contains(t.text())) {
            StringBuilder clause = new StringBuilder(t.text());
            for (int words = 1;
                    words < 3
                            && in.peek().type() == TokenType.KEYWORD
                            && !CLAUSE_STOPS.contains(in.peek().text());
                    words++) {
                clause.append(' ').append(in.next().text());
            }
            skipStatement(in);
            return new Statement.Unsupported(clause.toString());
        }
        throw in.expected(t, "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL");
    }

    /** Skips the rest of a statement that is not run: up to, not including, the next {@code ;} or the end. */
    static void skipStatement(TokenStream in) {
        while (true) {
            Token t = in.peek();
            switch (t.type()) {
                case SEMICOLON, EOF -> {
                    return;
                }
                case BAD_STRING, BAD_ESCAPE -> throw in.expected(t, ";");
                default -> in.next();
            }
        }
    }
}
