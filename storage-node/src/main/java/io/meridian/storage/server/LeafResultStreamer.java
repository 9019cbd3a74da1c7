package io.meridian.storage.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import java.util.Iterator;

/**
 * Sends the chunks of one leaf result while the client's flow-control window is open, and resumes when
 * gRPC reports it ready again, so a slow reader never makes the server buffer a whole result. Stops when
 * the call is cancelled.
 *
 * <p>Threading: gRPC serializes the call's callbacks; {@link #onReady} may run on any of its threads.
 */
final class LeafResultStreamer implements Runnable {
    private final ServerCallStreamObserver<LeafResultChunk> observer;
    private final Iterator<LeafResultChunk> chunks;
    private boolean done;

    private LeafResultStreamer(ServerCallStreamObserver<LeafResultChunk> observer, Iterator<LeafResultChunk> chunks) {
        this.observer = observer;
        this.chunks = chunks;
    }

    /** Starts streaming; returns at once when the window closes, the rest follows on readiness. */
    static void start(ServerCallStreamObserver<LeafResultChunk> observer, Iterator<LeafResultChunk> chunks) {
        LeafResultStreamer s = new LeafResultStreamer(observer, chunks);
        observer.setOnCancelHandler(() -> {});
        observer.setOnReadyHandler(s);
        s.onReady();
    }

    @Override
    public void run() {
        onReady();
    }

    synchronized void onReady() {
        if (done || observer.isCancelled()) {
            return;
        }
        while (observer.isReady() && chunks.hasNext()) {
            observer.onNext(chunks.next());
        }
        if (!chunks.hasNext()) {
            done = true;
            observer.onCompleted();
        }
    }
}
