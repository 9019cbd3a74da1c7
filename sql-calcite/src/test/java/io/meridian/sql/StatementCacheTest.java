package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared plan cache: one planned copy per concurrent use, reused across threads, bounded, aged out. */
class StatementCacheTest {
    private final AtomicInteger connects = new AtomicInteger();

    private Connection connect(String database) throws SQLException {
        connects.incrementAndGet();
        return DriverManager.getConnection("jdbc:calcite:");
    }

    @Test
    void aReleasedStatementIsReusedByTheNextRunOnAnyThread() throws Exception {
        StatementCache cache = new StatementCache(8, Long.MAX_VALUE);
        StatementCache.Lease first = cache.checkout("db", "VALUES 1", this::connect);
        try (ResultSet rs = first.statement().executeQuery()) {
            assertThat(rs.next()).isTrue();
        }
        first.release();
        StatementCache.Lease[] other = new StatementCache.Lease[1];
        Thread t = new Thread(() -> {
            try {
                other[0] = cache.checkout("db", "VALUES 1", this::connect);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        t.join();
        assertThat(other[0].statement())
                .as("planned once, run by another thread")
                .isSameAs(first.statement());
        assertThat(connects).hasValue(1);
        other[0].release();
    }

    @Test
    void concurrentRunsOfOneTextEachGetTheirOwnCopy() throws Exception {
        StatementCache cache = new StatementCache(8, Long.MAX_VALUE);
        StatementCache.Lease a = cache.checkout("db", "VALUES 1", this::connect);
        StatementCache.Lease b = cache.checkout("db", "VALUES 1", this::connect);
        assertThat(a.statement()).isNotSameAs(b.statement());
        a.release();
        b.release();
        assertThat(cache.idleCount()).isEqualTo(2);
        StatementCache.Lease c = cache.checkout("db", "VALUES 1", this::connect);
        assertThat(c.statement()).isIn(a.statement(), b.statement());
        c.discard();
        assertThat(c.statement().isClosed())
                .as("a discarded copy is closed, not given back")
                .isTrue();
        assertThat(cache.idleCount()).isOne();
    }

    @Test
    void idleCopiesAreBoundedAndAgedOut() throws Exception {
        StatementCache bounded = new StatementCache(1, Long.MAX_VALUE);
        StatementCache.Lease a = bounded.checkout("db", "VALUES 1", this::connect);
        StatementCache.Lease b = bounded.checkout("db", "VALUES 2", this::connect);
        a.release();
        b.release();
        assertThat(bounded.idleCount()).isOne();
        assertThat(b.statement().isClosed()).as("over the bound: closed").isTrue();

        StatementCache aged = new StatementCache(8, 0);
        StatementCache.Lease old = aged.checkout("db", "VALUES 1", this::connect);
        old.release();
        assertThat(old.statement().isClosed())
                .as("older than the max age: not kept")
                .isTrue();
        assertThat(aged.idleCount()).isZero();
    }
}
