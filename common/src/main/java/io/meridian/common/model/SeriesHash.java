package io.meridian.common.model;

/**
 * The stable series hash that decides a series' shard: 64-bit FNV-1a over the canonical key bytes
 * (offset basis 0xcbf29ce484222325, prime 0x100000001b3), finished with MurmurHash3's fmix64 so that
 * {@code mod shards} spreads well. {@code shard = Long.remainderUnsigned(hash, shards)}.
 * Never change this function: data placement depends on it (see the golden test).
 */
public final class SeriesHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SeriesHash() {}

    public static long hash(byte[] canonical) {
        long h = FNV_OFFSET;
        for (byte b : canonical) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    public static int shardOf(byte[] canonical, int shards) {
        return shardOfHash(hash(canonical), shards);
    }

    /** The shard of a series whose {@link #hash} is {@code hash}: for a writer that keeps the hash of a key it sees often. */
    public static int shardOfHash(long hash, int shards) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards must be positive, got " + shards);
        }
        return (int) Long.remainderUnsigned(hash, shards);
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
