package io.meridian.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link FileIo} that fails chosen calls the way a full or failing disk does (QuestDB's {@code FilesFacade}
 * trick): arm a fault with {@link #fail}, naming the call ({@link Op}), which paths it applies to and how many
 * matching calls to let through first. A failing write first writes half of its bytes (ENOSPC in the middle of a
 * record). Everything else goes to plain NIO.
 */
public final class FaultyFileIo implements FileIo {
    /** The calls a fault can hit. */
    public enum Op {
        OPEN,
        WRITE,
        FORCE,
        TRUNCATE,
        MOVE,
        DELETE,
        CREATE_DIRECTORIES,
        SYNC_DIRECTORY
    }

    private record Fault(Op op, Predicate<Path> paths, int skip, boolean sticky, IOException error) {}

    private final List<Fault> faults = new ArrayList<>();
    private final List<Integer> seen = new ArrayList<>();
    private int injected;

    /**
     * Makes the {@code skip + 1}-th matching call of {@code op} on a path whose file name contains
     * {@code nameContains} fail with an {@link IOException} saying {@code message}; with {@code sticky}, every
     * matching call after it fails too (a disk that stays full).
     */
    public synchronized FaultyFileIo fail(Op op, String nameContains, int skip, boolean sticky, String message) {
        faults.add(new Fault(op, p -> p.toString().contains(nameContains), skip, sticky, new IOException(message)));
        seen.add(0);
        return this;
    }

    /** Removes every armed fault (the disk has room again). */
    public synchronized void heal() {
        faults.clear();
        seen.clear();
    }

    /** How many calls failed so far. */
    public synchronized int injected() {
        return injected;
    }

    private synchronized void check(Op op, Path path) throws IOException {
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            if (f.op() != op || !f.paths().test(path)) {
                continue;
            }
            int n = seen.get(i);
            seen.set(i, n + 1);
            if (n == f.skip() || n > f.skip() && f.sticky()) {
                injected++;
                throw new IOException(f.error().getMessage() + " [" + op + " " + path + "]");
            }
        }
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        check(Op.OPEN, file);
        return new Channel(file, NIO.open(file, options));
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        check(Op.CREATE_DIRECTORIES, dir);
        NIO.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        check(Op.MOVE, to);
        NIO.move(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        check(Op.DELETE, path);
        NIO.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        check(Op.SYNC_DIRECTORY, dir);
        NIO.syncDirectory(dir);
    }

    /** A channel whose writes, fsyncs and truncations can fail. */
    private final class Channel extends FileChannel {
        private final Path path;
        private final FileChannel delegate;

        Channel(Path path, FileChannel delegate) {
            this.path = path;
            this.delegate = delegate;
        }

        private int writeHalfThenFail(ByteBuffer src, long at) throws IOException {
            try {
                check(Op.WRITE, path);
            } catch (IOException e) {
                ByteBuffer half = src.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                if (at < 0) {
                    delegate.write(half);
                } else {
                    delegate.write(half, at);
                }
                throw e;
            }
            return at < 0 ? delegate.write(src) : delegate.write(src, at);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return writeHalfThenFail(src, -1);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return writeHalfThenFail(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            check(Op.WRITE, path);
            return delegate.write(srcs, offset, length);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            check(Op.FORCE, path);
            delegate.force(metaData);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            check(Op.TRUNCATE, path);
            delegate.truncate(size);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            check(Op.WRITE, path);
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
