package io.meridian.storage.index;

/**
 * The series a shard has defined, asked without its lock: a write's decoder checks the names of a series only when the
 * shard does not know it yet (a known key was checked when it was defined), and hands the id it found to the shard.
 * An id never changes once defined, so an answer stays true; a series defined after the question is simply not known
 * to the asker.
 */
public interface KnownSeries {
    /** The id of the series with these canonical key bytes, or -1 when it is not defined. Thread-safe. */
    int idOf(byte[] canonicalKey);
}
