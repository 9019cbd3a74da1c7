/**
 * The memtable: raw points per (series, field) since the last flush, in growable primitive arrays (no
 * per-point objects). Flushes derive every interval family from these points.
 */
package io.meridian.storage.memtable;
