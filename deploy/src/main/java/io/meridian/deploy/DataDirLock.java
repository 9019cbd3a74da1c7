package io.meridian.deploy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a standalone data directory ({@code LOCK}, an OS file lock, released when the process ends
 * however it ends). A second standalone on the same directory would start another etcd on the first one's files and
 * ports (taken from {@code standalone.properties}) and break the running one; it is refused before it starts
 * anything, naming the directory and the process that holds it.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = "LOCK";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException when another process holds the directory */
    static DataDirLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException inThisJvm) {
                lock = null; // a standalone of this JVM holds it
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                throw new IllegalStateException("the data directory is in use by another standalone Meridian [dir="
                        + dir + ", pid=" + holder(file) + "]: stop it first, or start this one with another"
                        + " --data-dir");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
            return new DataDirLock(ch, lock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the data directory [file=" + file + "]: " + e.getMessage(), e);
        }
    }

    private static String holder(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
