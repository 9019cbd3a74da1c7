package io.meridian.storage.replication;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.WireEnums;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.shard.WriteBatch;

/** {@link LogOp} to and from its wire form ({@code meridian.storage.v1.LogOp}, revision 2). */
final class LogOpCodec {
    private LogOpCodec() {}

    static io.meridian.common.rpc.storage.v1.LogOp encode(LogOp op) {
        var b = io.meridian.common.rpc.storage.v1.LogOp.newBuilder()
                .setLsn(op.lsn())
                .setEpoch(op.epoch());
        switch (op.kind()) {
            case NOOP -> b.setNoop(io.meridian.common.rpc.storage.v1.LogOp.Noop.getDefaultInstance());
            case WRITE -> {
                var w = io.meridian.common.rpc.storage.v1.LogOp.Write.newBuilder()
                        .setBatch(PointBatchCodec.encode(op.batch()));
                if (op.batch().writerId() != null) {
                    w.setWriterId(op.batch().writerId()).setSequence(op.batch().sequence());
                }
                b.setWrite(w);
            }
            case STAGE ->
                b.setStage(io.meridian.common.rpc.storage.v1.LogOp.Stage.newBuilder()
                        .setWriterId(op.writerId())
                        .setTransactionId(op.txnId())
                        .setBatch(PointBatchCodec.encode(op.batch())));
            case COMMIT -> b.setCommit(transaction(op));
            case ABORT -> b.setAbort(transaction(op));
            case DECLARE ->
                b.setDeclare(io.meridian.common.rpc.storage.v1.LogOp.Declare.newBuilder()
                        .setMetric(op.field().metric())
                        .setField(op.field().field())
                        .setType(WireEnums.toWire(op.field().type())));
        }
        return b.build();
    }

    private static io.meridian.common.rpc.storage.v1.LogOp.Transaction transaction(LogOp op) {
        return io.meridian.common.rpc.storage.v1.LogOp.Transaction.newBuilder()
                .setWriterId(op.writerId())
                .setTransactionId(op.txnId())
                .build();
    }

    static LogOp decode(io.meridian.common.rpc.storage.v1.LogOp w) {
        long lsn = w.getLsn();
        long epoch = w.getEpoch();
        return switch (w.getOpCase()) {
            case NOOP -> new LogOp(lsn, epoch, LogOp.Kind.NOOP, null, null, 0, null);
            case WRITE -> {
                WriteBatch batch = PointBatchCodec.decode(w.getWrite().getBatch());
                if (!w.getWrite().getWriterId().isEmpty()) {
                    batch = batch.withWriter(
                            w.getWrite().getWriterId(), w.getWrite().getSequence());
                }
                yield new LogOp(lsn, epoch, LogOp.Kind.WRITE, batch, null, 0, null);
            }
            case STAGE ->
                new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.STAGE,
                        PointBatchCodec.decode(w.getStage().getBatch()),
                        w.getStage().getWriterId(),
                        w.getStage().getTransactionId(),
                        null);
            case COMMIT ->
                new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.COMMIT,
                        null,
                        w.getCommit().getWriterId(),
                        w.getCommit().getTransactionId(),
                        null);
            case ABORT ->
                new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.ABORT,
                        null,
                        w.getAbort().getWriterId(),
                        w.getAbort().getTransactionId(),
                        null);
            case DECLARE ->
                new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.DECLARE,
                        null,
                        null,
                        0,
                        new LogOp.Declaration(
                                w.getDeclare().getMetric(),
                                w.getDeclare().getField(),
                                WireEnums.fromWire(w.getDeclare().getType(), "field=ops.declare.type, lsn=" + lsn)));
            case OP_NOT_SET ->
                throw new InvalidInputException("replica log op without a kind [field=ops.op, lsn=" + lsn
                        + "]: a newer leader? want one of noop, write, stage, commit, abort, declare");
        };
    }
}
