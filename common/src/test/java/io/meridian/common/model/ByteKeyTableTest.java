package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Byte keys by id and ids by key: through growth, by a range of a larger array, and while the writer adds. */
class ByteKeyTableTest {
    private static byte[] key(int host) {
        return ("cpu\0hostname\0host_" + host + "\0region\0eu-west-1").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyKeyIsFoundByItsBytesThroughGrowth() {
        ByteKeyTable table = new ByteKeyTable();
        for (int id = 0; id < 20_000; id++) {
            table.put(id, key(id));
        }
        assertThat(table.size()).isEqualTo(20_000);
        assertThat(table.nextId()).isEqualTo(20_000);
        for (int id = 0; id < 20_000; id++) {
            assertThat(table.idOf(key(id))).as("host %d", id).isEqualTo(id);
            assertThat(table.key(id)).isEqualTo(key(id));
        }
        assertThat(table.idOf(key(20_000))).isEqualTo(-1);
        assertThat(table.idOf(new byte[0])).isEqualTo(-1);
        assertThat(table.key(20_000)).isNull();
        assertThat(table.key(-1)).isNull();
    }

    /** Ids come in any order when a dictionary file and a WAL are replayed: gaps are no series. */
    @Test
    void idsMayArriveOutOfOrderAndWithGaps() {
        ByteKeyTable table = new ByteKeyTable();
        table.put(40, key(40));
        table.put(3, key(3));
        assertThat(table.nextId()).isEqualTo(41);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.key(7)).isNull();
        assertThat(table.idOf(key(40))).isEqualTo(40);
        assertThat(table.idOf(key(3))).isEqualTo(3);
        assertThat(table.idOf(key(7))).isEqualTo(-1);
    }

    /** A key that differs in its last byte only, or is a prefix of another, is another series. */
    @Test
    void keysAreComparedWhole() {
        ByteKeyTable table = new ByteKeyTable();
        byte[] a = key(1);
        byte[] b = key(1);
        b[b.length - 1] ^= 1;
        table.put(0, a);
        table.put(1, b);
        table.put(2, java.util.Arrays.copyOf(a, a.length - 1));
        assertThat(table.idOf(key(1))).isEqualTo(0);
        assertThat(table.idOf(b.clone())).isEqualTo(1);
        assertThat(table.idOf(java.util.Arrays.copyOf(a, a.length - 1))).isEqualTo(2);
    }

    /** A label set is looked up where it lies in a request body, without a copy. */
    @Test
    void aKeyIsFoundByARangeOfALargerArray() {
        ByteKeyTable table = new ByteKeyTable();
        table.put(0, key(5));
        byte[] body = new byte[key(5).length + 20];
        System.arraycopy(key(5), 0, body, 7, key(5).length);
        assertThat(table.idOf(body, 7, key(5).length)).isEqualTo(0);
        assertThat(table.idOf(body, 6, key(5).length)).isEqualTo(-1);
        assertThat(table.idOf(body, 7, key(5).length - 1)).isEqualTo(-1);
    }

    @Test
    void anIdOutsideTheRangeIsRefused() {
        ByteKeyTable table = new ByteKeyTable();
        assertThatThrownBy(() -> table.put(-1, key(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.put(Integer.MAX_VALUE, key(1))).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Readers without a lock while the writer defines 50,000 series through every growth: an id a reader gets is
     * always the right one, and a series defined before a reader started looking is always found.
     */
    @Test
    void readersWithoutALockSeeOnlyRightAnswers() throws Exception {
        ByteKeyTable table = new ByteKeyTable();
        int total = 50_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int seed = r;
            Thread t = new Thread(() -> {
                started.countDown();
                int probe = seed;
                long found = 0;
                while (!done.get() || found == 0) {
                    int defined = table.nextId(); // read before the lookup: every id below it was put already
                    int host = probe % total;
                    int id = table.idOf(key(host));
                    if (id >= 0 && id != host) {
                        wrong.compareAndSet(null, "host " + host + " found as id " + id);
                    }
                    if (id < 0 && host < defined) {
                        wrong.compareAndSet(null, "host " + host + " defined before the lookup, not found");
                    }
                    found += id >= 0 ? 1 : 0;
                    probe = probe * 31 + 7 & Integer.MAX_VALUE;
                }
            });
            readers.add(t);
            t.start();
        }
        started.await();
        for (int id = 0; id < total; id++) {
            table.put(id, key(id));
        }
        done.set(true);
        for (Thread t : readers) {
            t.join(60_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(wrong.get()).isNull();
    }
}
