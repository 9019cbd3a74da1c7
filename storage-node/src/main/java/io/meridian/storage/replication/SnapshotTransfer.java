package io.meridian.storage.replication;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.io.FileTrees;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.part.PinnedSnapshot;
import io.meridian.storage.server.ShardKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Full re-sync of a follower: the leader streams its replica's durable files ({@link Shard#pinSnapshot}) in 1 MiB
 * chunks; the follower writes them into a staging directory, fsyncing each file and finally the directories, which
 * replaces its replica directory only once the stream completed. Used when the follower's next op is no longer in
 * the leader's WAL.
 */
final class SnapshotTransfer {
    static final int CHUNK_BYTES = 1 << 20;

    private SnapshotTransfer() {}

    /**
     * Leader side: pins the snapshot ({@link Shard#pinSnapshot}: the shard's maintenance lock is held only while
     * pinning), then streams it at the pace the follower reads, honouring gRPC flow control: the sending thread waits
     * on the call's ready signal (no polling), at most {@link #STALL_TIMEOUT_MINUTES} for a follower that stopped
     * reading. At most one chunk is buffered beyond what the transport takes, so a stalled follower costs the leader
     * no heap.
     */
    static void serve(Shard shard, ServerCallStreamObserver<SnapshotChunk> out) {
        ReadySignal ready = new ReadySignal();
        out.setOnReadyHandler(ready::signal);
        out.setOnCancelHandler(ready::signal);
        byte[] buf = new byte[CHUNK_BYTES];
        try (PinnedSnapshot pin = shard.pinSnapshot()) {
            for (PinnedSnapshot.File f : pin.files()) {
                try (InputStream in = Files.newInputStream(f.path())) {
                    int n;
                    boolean sent = false;
                    while ((n = in.readNBytes(buf, 0, buf.length)) > 0 || !sent) {
                        boolean last = n < buf.length;
                        send(
                                out,
                                ready,
                                SnapshotChunk.newBuilder()
                                        .setPath(f.relativePath())
                                        .setData(ByteString.copyFrom(buf, 0, Math.max(n, 0)))
                                        .setEndOfFile(last)
                                        .build());
                        sent = true;
                        if (last) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    throw new StorageIoException("cannot read file for a snapshot [file=" + f.path() + "]", e);
                }
            }
            send(
                    out,
                    ready,
                    SnapshotChunk.newBuilder()
                            .setDone(true)
                            .setLastLsn(pin.lastLsn())
                            .build());
        }
        out.onCompleted();
    }

    /** How long the leader waits for a follower that stopped reading its snapshot before it gives up. */
    static final long STALL_TIMEOUT_MINUTES = 5;

    private static void send(ServerCallStreamObserver<SnapshotChunk> out, ReadySignal ready, SnapshotChunk chunk) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(STALL_TIMEOUT_MINUTES);
        ready.awaitReady(out, deadline);
        if (out.isCancelled()) {
            throw new ShardUnavailableException("snapshot cancelled by the follower", null);
        }
        if (!out.isReady()) {
            throw new ShardUnavailableException(
                    "follower stopped reading the snapshot for " + STALL_TIMEOUT_MINUTES + " min; giving up", null);
        }
        out.onNext(chunk);
    }

    /** The call's "ready for more" and "cancelled" callbacks, waited on by the sending thread. */
    private static final class ReadySignal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();

        void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void awaitReady(ServerCallStreamObserver<?> out, long deadlineNanos) {
            lock.lock();
            try {
                while (!out.isReady() && !out.isCancelled()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    // bounded wait: isReady may turn true between the check and the wait
                    changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShardUnavailableException("snapshot interrupted", e);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Follower side: receives a snapshot into {@code staging} (emptied first), writing through {@code io}.
     *
     * @return the last LSN the snapshot holds
     */
    static long receive(
            ShardKey key,
            StorageServiceGrpc.StorageServiceBlockingStub stub,
            SnapshotRequest request,
            Path staging,
            FileIo io) {
        deleteRecursively(staging);
        try {
            Files.createDirectories(staging);
            Iterator<SnapshotChunk> chunks =
                    stub.withDeadlineAfter(30, TimeUnit.MINUTES).snapshot(request);
            FileChannel current = null;
            String currentPath = null;
            try {
                while (chunks.hasNext()) {
                    SnapshotChunk c = chunks.next();
                    if (c.getDone()) {
                        if (current != null) {
                            throw new InvalidInputException(
                                    "snapshot ended inside file " + currentPath + " " + key.context());
                        }
                        syncDirectories(io, staging); // the files were fsynced one by one; now their directory entries
                        return c.getLastLsn();
                    }
                    if (current == null) {
                        currentPath = c.getPath();
                        Path target = resolveSafely(staging, currentPath, key);
                        Files.createDirectories(target.getParent());
                        current = io.open(
                                target,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING,
                                StandardOpenOption.WRITE);
                    } else if (!c.getPath().equals(currentPath)) {
                        throw new InvalidInputException(
                                "snapshot switched files inside " + currentPath + " " + key.context());
                    }
                    ByteBuffer data = c.getData().asReadOnlyByteBuffer();
                    while (data.hasRemaining()) {
                        current.write(data);
                    }
                    if (c.getEndOfFile()) {
                        current.force(true);
                        current.close();
                        current = null;
                    }
                }
            } finally {
                if (current != null) {
                    current.close();
                }
            }
            throw new InvalidInputException("snapshot stream ended without its final chunk " + key.context());
        } catch (IOException e) {
            throw new StorageIoException("cannot write snapshot [dir=" + staging + "] " + key.context(), e);
        }
    }

    /** Fsyncs {@code root} and every directory below it. */
    private static void syncDirectories(FileIo io, Path root) throws IOException {
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                io.syncDirectory(d);
            }
        }
    }

    private static Path resolveSafely(Path staging, String rel, ShardKey key) {
        Path target = staging.resolve(rel).normalize();
        if (rel.isEmpty() || rel.startsWith("/") || !target.startsWith(staging)) {
            throw new InvalidInputException(
                    "snapshot names a file outside the shard [path=" + rel + "] " + key.context());
        }
        return target;
    }

    static void deleteRecursively(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot delete [dir=" + dir + "]", e);
        }
    }
}
