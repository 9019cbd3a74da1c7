package io.meridian.sql.influxql;

/**
 * One token of an InfluxQL text.
 *
 * @param offset where it starts in the text (0-based)
 * @param line   1-based line of its start
 * @param column 1-based character of its start within the line
 */
record Token(TokenType type, String text, int offset, int line, int column) {
    /** Whether this is the keyword {@code word} (upper case). */
    boolean isKeyword(String word) {
        return type == TokenType.KEYWORD && text.equals(word);
    }

    /** Whether this is a bare or quoted identifier equal to {@code name}, ignoring case (for {@code fill}, {@code tz}). */
    boolean isIdent(String name) {
        return type == TokenType.IDENT && text.equalsIgnoreCase(name);
    }

    /** How a parse error shows what it found: the text, or the kind for tokens without one. */
    String found() {
        return switch (type) {
            case EOF -> "EOF";
            case STRING -> "'" + text + "'";
            case REGEX -> "/" + text + "/";
            case IDENT, KEYWORD, BAD_STRING, NUMBER, INTEGER, DURATION, BOUND_PARAM, ILLEGAL -> text;
            default -> type.display();
        };
    }
}
