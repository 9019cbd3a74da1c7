package io.meridian.connector.flink;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StageRequest;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code Stage} and {@code Write} with the batch as bytes: the sink's mini-batches are concatenations of serialized
 * {@code PointBatch}es (protobuf concatenation appends the repeated {@code series}), so they are sent as the
 * {@code batch} field's bytes without being parsed into messages and written out again. The wire format is
 * exactly the generated {@link StageRequest} / {@link WriteRequest} one (checked by {@code RawBatchCallsTest}).
 */
final class RawBatchCalls {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], WriteResponse> STAGE = StorageServiceGrpc.getStageMethod().toBuilder(
                    BYTES, StorageServiceGrpc.getStageMethod().getResponseMarshaller())
            .build();
    static final MethodDescriptor<byte[], WriteResponse> WRITE = StorageServiceGrpc.getWriteMethod().toBuilder(
                    BYTES, StorageServiceGrpc.getWriteMethod().getResponseMarshaller())
            .build();

    private RawBatchCalls() {}

    /** A serialized {@link StageRequest}: shard (1), writer_id (2), transaction_id (3), batch (4). */
    static byte[] stageRequest(ShardRef shard, String writerId, long transactionId, ByteString batch) {
        int size = CodedOutputStream.computeMessageSize(1, shard)
                + CodedOutputStream.computeStringSize(2, writerId)
                + CodedOutputStream.computeUInt64Size(3, transactionId)
                + CodedOutputStream.computeBytesSize(4, batch);
        byte[] out = new byte[size];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeMessage(1, shard);
            c.writeString(2, writerId);
            c.writeUInt64(3, transactionId);
            c.writeBytes(4, batch);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A serialized {@link WriteRequest}: shard (1), batch (2), writer_id (3), sequence (4). */
    static byte[] writeRequest(ShardRef shard, ByteString batch, String writerId, long sequence) {
        int size = CodedOutputStream.computeMessageSize(1, shard)
                + CodedOutputStream.computeBytesSize(2, batch)
                + CodedOutputStream.computeStringSize(3, writerId)
                + CodedOutputStream.computeUInt64Size(4, sequence);
        byte[] out = new byte[size];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeMessage(1, shard);
            c.writeBytes(2, batch);
            c.writeString(3, writerId);
            c.writeUInt64(4, sequence);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
