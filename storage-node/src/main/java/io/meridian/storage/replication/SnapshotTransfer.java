package io.meridian.storage.replication;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.server.ShardKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Full re-sync of a follower: the leader streams its replica's durable files ({@link Shard#snapshot}) in 1 MiB
 * chunks; the follower writes them into a staging directory, which replaces its replica directory only once
 * the stream completed. Used when the follower's next op is no longer in the leader's WAL.
 */
final class SnapshotTransfer {
    static final int CHUNK_BYTES = 1 << 20;

    private SnapshotTransfer() {}

    /** Leader side: streams the snapshot, honouring the client's flow control. */
    static void serve(Shard shard, ServerCallStreamObserver<SnapshotChunk> out) {
        byte[] buf = new byte[CHUNK_BYTES];
        long lsn = shard.snapshot((rel, file) -> {
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                boolean sent = false;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0 || !sent) {
                    boolean last = n < buf.length;
                    send(out, SnapshotChunk.newBuilder().setPath(rel).setData(ByteString.copyFrom(buf, 0, Math.max(n, 0)))
                            .setEndOfFile(last).build());
                    sent = true;
                    if (last) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new StorageIoException("cannot read file for a snapshot [file=" + file + "]", e);
            }
        });
        send(out, SnapshotChunk.newBuilder().setDone(true).setLastLsn(lsn).build());
        out.onCompleted();
    }

    private static void send(ServerCallStreamObserver<SnapshotChunk> out, SnapshotChunk chunk) {
        // bounded buffering: wait (parking briefly) while the transport says the client is not ready
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!out.isReady() && !out.isCancelled() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (out.isCancelled()) {
            throw new io.meridian.common.error.ShardUnavailableException("snapshot cancelled by the follower", null);
        }
        out.onNext(chunk);
    }

    /**
     * Follower side: receives a snapshot into {@code staging} (emptied first).
     *
     * @return the last LSN the snapshot holds
     */
    static long receive(ShardKey key, StorageServiceGrpc.StorageServiceBlockingStub stub, SnapshotRequest request,
                        Path staging) {
        deleteRecursively(staging);
        try {
            Files.createDirectories(staging);
            Iterator<SnapshotChunk> chunks = stub.withDeadlineAfter(30, TimeUnit.MINUTES).snapshot(request);
            OutputStream current = null;
            String currentPath = null;
            while (chunks.hasNext()) {
                SnapshotChunk c = chunks.next();
                if (c.getDone()) {
                    if (current != null) {
                        throw new InvalidInputException("snapshot ended inside file " + currentPath + " " + key.context());
                    }
                    return c.getLastLsn();
                }
                if (current == null) {
                    currentPath = c.getPath();
                    Path target = resolveSafely(staging, currentPath, key);
                    Files.createDirectories(target.getParent());
                    current = Files.newOutputStream(target);
                } else if (!c.getPath().equals(currentPath)) {
                    throw new InvalidInputException("snapshot switched files inside " + currentPath + " " + key.context());
                }
                c.getData().writeTo(current);
                if (c.getEndOfFile()) {
                    current.close();
                    current = null;
                }
            }
            throw new InvalidInputException("snapshot stream ended without its final chunk " + key.context());
        } catch (IOException e) {
            throw new StorageIoException("cannot write snapshot [dir=" + staging + "] " + key.context(), e);
        }
    }

    private static Path resolveSafely(Path staging, String rel, ShardKey key) {
        Path target = staging.resolve(rel).normalize();
        if (rel.isEmpty() || rel.startsWith("/") || !target.startsWith(staging)) {
            throw new InvalidInputException("snapshot names a file outside the shard [path=" + rel + "] " + key.context());
        }
        return target;
    }

    static void deleteRecursively(Path dir) {
        try {
            io.meridian.common.io.FileTrees.delete(dir);
        } catch (java.io.IOException e) {
            throw new StorageIoException("cannot delete [dir=" + dir + "]", e);
        }
    }
}
