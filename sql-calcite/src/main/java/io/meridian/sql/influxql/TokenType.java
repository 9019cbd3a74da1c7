package io.meridian.sql.influxql;

/** The kinds of InfluxQL tokens ({@link Lexer}); the names are what parse errors print for tokens without text. */
enum TokenType {
    /** A bare or double-quoted identifier; the text is the name (quotes removed, escapes resolved). */
    IDENT("identifier"),
    /** A reserved word (bare only); the text is upper case. */
    KEYWORD("keyword"),
    /** A single-quoted string; the text is the value. */
    STRING("string"),
    /** A string or quoted identifier without its closing quote (strings end on their line). */
    BAD_STRING("bad string"),
    /** A backslash in a string or quoted identifier followed by anything but {@code \\ ' " n}. */
    BAD_ESCAPE("bad escape"),
    /** Digits with a decimal point. */
    NUMBER("number"),
    /** Digits. */
    INTEGER("integer"),
    /** Digits followed by a unit ({@code 10s}, {@code 1733400000000ms}, {@code 1h30m}). */
    DURATION("duration"),
    /** A {@code /.../} literal, scanned only where the grammar expects one; the text is the pattern. */
    REGEX("regex"),
    /** A regex without its closing slash. */
    BAD_REGEX("bad regex"),
    /** A {@code $name} bound parameter. */
    BOUND_PARAM("bound parameter"),
    EQ("="),
    NEQ("!="),
    LT("<"),
    LTE("<="),
    GT(">"),
    GTE(">="),
    EQ_REGEX("=~"),
    NEQ_REGEX("!~"),
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    BIT_AND("&"),
    BIT_OR("|"),
    BIT_XOR("^"),
    LPAREN("("),
    RPAREN(")"),
    COMMA(","),
    SEMICOLON(";"),
    DOT("."),
    DOUBLE_COLON("::"),
    COLON(":"),
    /** Logical operators: the lexer reads them as keywords; expressions carry them as these types. */
    AND("AND"),
    OR("OR"),
    /** A character that starts no token. */
    ILLEGAL("illegal"),
    EOF("EOF");

    private final String display;

    TokenType(String display) {
        this.display = display;
    }

    /** How an error names this kind of token. */
    String display() {
        return display;
    }

    /** Whether this is a binary operator, and its precedence (InfluxQL's: OR 1, AND 2, comparisons 3, + - 4, * / 5). */
    int precedence() {
        return switch (this) {
            case OR -> 1;
            case AND -> 2;
            case EQ, NEQ, LT, LTE, GT, GTE, EQ_REGEX, NEQ_REGEX -> 3;
            case ADD, SUB, BIT_OR, BIT_XOR -> 4;
            case MUL, DIV, MOD, BIT_AND -> 5;
            default -> 0;
        };
    }
}
