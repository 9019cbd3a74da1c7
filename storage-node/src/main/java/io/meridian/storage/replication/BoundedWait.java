package io.meridian.storage.replication;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

/** Waiting on a condition for a state change, with a deadline: the one wait loop of the replication roles. */
final class BoundedWait {
    private BoundedWait() {}

    /**
     * Takes {@code lock} and waits on {@code changed} (signalled under that lock) until {@code done} holds or
     * {@code timeoutNanos} ran out; an interrupt ends the wait (and is kept).
     *
     * @return whether {@code done} held
     */
    static boolean until(Lock lock, Condition changed, BooleanSupplier done, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }

    static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
