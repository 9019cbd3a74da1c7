/**
 * InfluxDB 1.x line protocol: a zero-allocation parser on UTF-8 bytes and a matching formatter. The
 * accepted grammar, Meridian's deviations, limits and every error message are in README.md next to this
 * file.
 *
 * <pre>
 * body bytes --LineProtocolParser--+--> LineVisitor.line(LineView)   good lines (all or none if atomic)
 *                                  +--> ParseResult                  counts + first bad lines (LineError)
 *                                             \--throwIfErrors()--> LineProtocolException (400)
 * ParsedPoint --LineProtocolWriter--> line text   (round-trip tests, export)
 * </pre>
 */
package io.meridian.common.lineprotocol;
