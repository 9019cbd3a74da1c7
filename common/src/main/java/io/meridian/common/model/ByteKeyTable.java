package io.meridian.common.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Byte keys by a dense int id, and each key's id, found by an open-addressing table: the series of a shard by their
 * canonical keys, the label sets a broker has seen by their bytes on the wire. A write of thousands of series asks
 * it once per series.
 *
 * <p>A slot is one {@code long}: the key's {@link ByteRangeHash} in the high half and {@code id + 1} in the low half
 * (0 is an empty slot); the key's bytes are found by the id. A lookup reads one slot array and one key, where a
 * {@code ConcurrentHashMap<bytes, Integer>} reads a table, a node, a key wrapper, its bytes and a boxed id, each
 * elsewhere in memory, and holds some 80 bytes per series besides the key.
 *
 * <p>One writer at a time (a shard defines series under its write lock); {@link #idOf} from any thread, without
 * a lock. A slot is written after its key, with release semantics; a table that grows is built whole and published
 * at once. A reader that holds the table from before a growth may not find a series defined since: it looks again
 * in the newest table, and a series defined after it started looking may be reported unknown, which an id never
 * changing once defined makes harmless.
 */
public final class ByteKeyTable {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;
    private static final int MIN_SLOTS = 16;

    /** What a reader needs, published together: the slots (a power of two), its shift, and the keys by id. */
    private record State(long[] slots, int shift, byte[][] keys) {}

    private volatile State state =
            new State(new long[MIN_SLOTS], 64 - Integer.numberOfTrailingZeros(MIN_SLOTS), new byte[MIN_SLOTS][]);
    // written by the one writer after the slot: a reader that sees an id below nextId finds that series
    private volatile int size;
    private volatile int nextId;

    /** The id of the key with these bytes, or -1. Thread-safe. */
    public int idOf(byte[] key) {
        return idOf(key, 0, key.length);
    }

    /** The id of the key {@code bytes[off, off + len)}, or -1. Thread-safe. */
    public int idOf(byte[] bytes, int off, int len) {
        int hash = ByteRangeHash.of(bytes, off, len);
        State s = state;
        while (true) {
            int id = find(s, bytes, off, len, hash);
            if (id >= 0) {
                return id;
            }
            State newest = state;
            if (newest == s) {
                return -1;
            }
            s = newest;
        }
    }

    /** The key of {@code id}, or null when no series has that id. */
    public byte[] key(int id) {
        byte[][] keys = state.keys;
        return id >= 0 && id < keys.length ? keys[id] : null;
    }

    /** Keys held. */
    public int size() {
        return size;
    }

    /** One more than the highest id held (0 when empty). */
    public int nextId() {
        return nextId;
    }

    /**
     * Holds {@code key} (not copied: do not change it) as {@code id}. The one writer only. A key already held under
     * another id is found under the new one from now on.
     */
    public void put(int id, byte[] key) {
        if (id < 0 || id == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("id out of range: " + id);
        }
        State s = state;
        int hash = ByteRangeHash.of(key);
        byte[][] keys = s.keys;
        boolean grown = false;
        if (id >= keys.length) {
            keys = Arrays.copyOf(keys, Math.max(id + 1, keys.length * 2));
            grown = true;
        }
        long[] slots = s.slots;
        int shift = s.shift;
        if ((size + 1) * 2L > slots.length) { // at most half full: short probe runs
            slots = new long[slots.length * 2];
            shift--;
            for (long slot : s.slots) {
                if (slot != 0) {
                    slots[free(slots, shift, (int) (slot >>> 32))] = slot;
                }
            }
            grown = true;
        }
        keys[id] = key; // before its slot: a reader that sees the slot sees the key
        long slot = (long) hash << 32 | (id + 1L);
        int at = slotOf(slots, shift, keys, key, hash);
        boolean added = slots[at] == 0;
        if (grown) {
            slots[at] = slot;
            state = new State(slots, shift, keys);
        } else {
            SLOTS.setRelease(slots, at, slot);
        }
        if (added) {
            size = size + 1;
        }
        if (id >= nextId) {
            nextId = id + 1;
        }
    }

    /** Heap bytes: each key, its reference, and two slots per key. */
    public long estimatedHeapBytes() {
        State s = state;
        long total = (long) s.slots.length * Long.BYTES + (long) s.keys.length * 8;
        for (byte[] k : s.keys) {
            total += k == null ? 0 : 16 + k.length;
        }
        return total;
    }

    /** The id of {@code key} in {@code s}, or -1 (not there, or its key not yet in this state's key array). */
    private static int find(State s, byte[] bytes, int off, int len, int hash) {
        long[] slots = s.slots;
        int mask = slots.length - 1;
        for (int i = index(hash, s.shift); ; i = (i + 1) & mask) {
            long slot = (long) SLOTS.getAcquire(slots, i);
            if (slot == 0) {
                return -1;
            }
            if ((int) (slot >>> 32) == hash) {
                int id = (int) slot - 1;
                byte[][] keys = s.keys;
                byte[] k = id < keys.length ? keys[id] : null;
                if (k == null) {
                    return -1; // put in a newer key array than this state's
                }
                if (Arrays.equals(k, 0, k.length, bytes, off, off + len)) {
                    return id;
                }
            }
        }
    }

    /** The slot holding {@code key}, or the free slot it goes to. */
    private static int slotOf(long[] slots, int shift, byte[][] keys, byte[] key, int hash) {
        int mask = slots.length - 1;
        for (int i = index(hash, shift); ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0 || (int) (slot >>> 32) == hash && Arrays.equals(keys[(int) slot - 1], key)) {
                return i;
            }
        }
    }

    private static int free(long[] slots, int shift, int hash) {
        int mask = slots.length - 1;
        int i = index(hash, shift);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Fibonacci hashing: the top bits of the hash times 2^64/phi, so that linear probing meets short runs. */
    private static int index(int hash, int shift) {
        return (int) ((hash * FIBONACCI) >>> shift);
    }
}
