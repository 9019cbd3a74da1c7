/**
 * Append-only files of checksummed records with torn-tail recovery; the framing shared by WAL segments,
 * the series dictionary and the field schema. Format: FORMAT.md in this package.
 */
package io.meridian.storage.log;
