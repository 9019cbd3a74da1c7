package io.meridian.connector.flink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Checkpoint format of a {@link ShardCommittable}, version 1 (golden bytes in
 * {@code SinkFormatsTest#committableVersion1IsPinned}):
 * <pre>
 *   database UTF (DataOutput.writeUTF) | shard int32 | writer id UTF | transaction id int64 | points int64
 * </pre>
 * Version 1 is the only one, and {@link #deserialize} refuses any other (a checkpoint of a newer sink). A new
 * layout gets a new version, and {@link #deserialize} must then keep reading every older one.
 */
public final class ShardCommittableSerializer implements SimpleVersionedSerializer<ShardCommittable> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(ShardCommittable c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(c.database());
            out.writeInt(c.shard());
            out.writeUTF(c.writerId());
            out.writeLong(c.transactionId());
            out.writeLong(c.points());
        }
        return bytes.toByteArray();
    }

    @Override
    public ShardCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown committable version [version=" + version + "]: this sink reads " + VERSION
                    + " (restoring a checkpoint of a newer sink?)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return new ShardCommittable(in.readUTF(), in.readInt(), in.readUTF(), in.readLong(), in.readLong());
        }
    }
}
